/**
 * Fallback for the default command when oclif is invoked without bin/run.js's routing
 * (for example through oclif's own runCommand): an unknown command id is an image reference.
 */
import type { Hook } from '@oclif/core';

const hook: Hook<'command_not_found'> = async function (opts) {
  await opts.config.runCommand('compare', [opts.id, ...(opts.argv ?? [])]);
};

export default hook;
