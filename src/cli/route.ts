/**
 * The default command: `regsize IMAGE...` means `regsize compare IMAGE...`. @oclif/core 4 has
 * no default-command setting, and with topicSeparator " " it would join leading words into a
 * command id, so the argument list is routed here, before oclif sees it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PASS_THROUGH = new Set(['--help', '-h', '--version', 'help']);

/** First words of every command id, from the committed manifest (or the compiled commands). */
export function commandWords(root: string): Set<string> {
  const manifest = join(root, 'oclif.manifest.json');
  if (existsSync(manifest)) {
    const ids = [...manifestIds(manifest), ...pluginIds(root)];
    return new Set(ids.map((id) => id.split(':')[0] as string));
  }
  const dir = join(root, 'dist', 'commands');
  return new Set(existsSync(dir) ? readdirSync(dir).map((f) => f.replace(/\.js$/, '')).filter((f) => !f.endsWith('.map') && !f.endsWith('.d.ts')) : []);
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

export function routeArgs(args: string[], words: Set<string>): string[] {
  const first = args[0];
  if (first === undefined) return ['--help'];
  if (first === 'help') return [...args.slice(1), '--help'];
  if (PASS_THROUGH.has(first) || words.has(first)) return args;
  return ['compare', ...args];
}
