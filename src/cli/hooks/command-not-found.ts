/**
 * Fallback for the default command when oclif is invoked without bin/run.js's routing
 * (for example through oclif's own runCommand): the same routing as bin/run.js, so an
 * unknown word is an image reference unless it looks like a mistyped command.
 */
import type { Hook } from '@oclif/core';
import { routeArgs } from '../route.js';

/**
 * The words oclif joined with ":" into `id` (topicSeparator " "). The join loses where a word
 * ended: `python:3.11` and `python 3.11` both arrive as "python:3.11". So the words are taken
 * back from the process's own arguments when they hold exactly this call (oclif's run() reads
 * process.argv by default); only a caller that hands oclif an argv of its own gets the split
 * on ":", and with it a tag read as a second image.
 */
export function joinedWords(id: string, rest: readonly string[], argv: readonly string[] = process.argv.slice(2)): string[] {
  for (let k = 1; k <= argv.length - rest.length; k++) {
    const words = argv.slice(0, k);
    const tail = argv.slice(k);
    if (words.join(':') === id && tail.length === rest.length && tail.every((a, i) => a === rest[i])) return words;
  }
  return id.split(':');
}

const hook: Hook<'command_not_found'> = async function (opts) {
  const rest = opts.argv ?? [];
  const [id, ...argv] = routeArgs([...joinedWords(opts.id, rest), ...rest], opts.config.commandIDs);
  await opts.config.runCommand(id as string, argv);
};

export default hook;
