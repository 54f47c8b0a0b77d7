/**
 * Fallback for the default command when oclif is invoked without bin/run.js's routing
 * (for example through oclif's own runCommand): the same routing as bin/run.js, so an
 * unknown word is an image reference unless it looks like a mistyped command.
 */
import type { Hook } from '@oclif/core';
import { routeArgs } from '../route.js';

const hook: Hook<'command_not_found'> = async function (opts) {
  const [id, ...argv] = routeArgs([...opts.id.split(':'), ...(opts.argv ?? [])], opts.config.commandIDs);
  await opts.config.runCommand(id as string, argv);
};

export default hook;
