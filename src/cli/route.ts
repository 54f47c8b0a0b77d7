/**
 * The default command: `regsize IMAGE...` means `regsize compare IMAGE...`. @oclif/core 4 has
 * no default-command setting, and with topicSeparator " " it would join leading words into a
 * command id, so the argument list is routed here, before oclif sees it. A first word that
 * looks like a mistyped command (see command-typo.ts) is refused instead of sized.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { closeCommand } from './command-typo.js';

const PASS_THROUGH = new Set(['--help', '--version']);

/** Every command id ("compare", "ecr:audit"), from the committed manifest (or the compiled commands). */
export function commandIds(root: string): string[] {
  const manifest = join(root, 'oclif.manifest.json');
  if (existsSync(manifest)) return [...manifestIds(manifest), ...pluginIds(root)];
  const ids: string[] = [];
  const walk = (dir: string, prefix: string[]): void => {
    for (const f of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []) {
      if (f.isDirectory()) walk(join(dir, f.name), [...prefix, f.name]);
      else if (f.name.endsWith('.js')) ids.push([...prefix, ...(f.name === 'index.js' && prefix.length ? [] : [f.name.replace(/\.js$/, '')])].join(':'));
    }
  };
  walk(join(root, 'dist', 'commands'), []);
  return ids;
}

function manifestIds(file: string): string[] {
  return Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { commands?: object }).commands ?? {});
}

/**
 * Commands of the plugins package.json lists (`regsize autocomplete`), from each plugin's own
 * manifest, found the way Node finds the package: node_modules here, then in each parent.
 */
function pluginIds(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { oclif?: { plugins?: string[] } };
  return (pkg.oclif?.plugins ?? []).flatMap((name) => {
    for (let dir = root; ; dir = dirname(dir)) {
      const file = join(dir, 'node_modules', name, 'oclif.manifest.json');
      if (existsSync(file)) return manifestIds(file);
      if (dirname(dir) === dir) return [];
    }
  });
}

/**
 * The argument list oclif should run. Throws a UsageError (exit 2) for a mistyped command.
 * `-h` is `--help` everywhere (before `--`): no command has a -h flag.
 */
export function routeArgs(input: string[], ids: readonly string[]): string[] {
  const end = input.indexOf('--');
  const args = input.map((a, i) => (a === '-h' && (end < 0 || i < end) ? '--help' : a));
  const first = args[0];
  if (first === undefined) return ['--help'];
  if (first === 'help') return args.length === 1 ? ['--help'] : routeArgs([...args.slice(1), '--help'], ids);
  if (PASS_THROUGH.has(first)) return args;
  const words = new Set(ids.map((id) => id.split(':')[0] as string));
  if (words.has(first)) {
    checkSubcommand(first, args[1], ids);
    return args;
  }
  const near = closeCommand(first, words);
  if (near !== undefined) {
    throw new UsageError('INVALID_INPUT', `unknown command "${first}"; did you mean "${near}"? (to size an image named ${first}, write docker.io/library/${first.toLowerCase()})`);
  }
  return ['compare', ...args];
}

/** `regsize ecr audti` and `regsize report histroy`: a topic followed by a mistyped subcommand. */
function checkSubcommand(topic: string, word: string | undefined, ids: readonly string[]): void {
  if (word === undefined || word.startsWith('-')) return;
  const subs = ids.filter((id) => id.startsWith(`${topic}:`)).map((id) => id.slice(topic.length + 1));
  if (subs.length === 0 || subs.includes(word)) return;
  const near = closeCommand(word, subs);
  // A topic that is also a command (report) takes the word as its own argument unless it is
  // close to a subcommand; a topic alone (ecr) has nothing else to run.
  if (near === undefined && ids.includes(topic)) return;
  const hint = near === undefined ? `its commands: ${subs.map((s) => `"${topic} ${s}"`).join(', ')}` : `did you mean "${topic} ${near}"?`;
  throw new UsageError('INVALID_INPUT', `unknown command "${topic} ${word}"; ${hint}`);
}
