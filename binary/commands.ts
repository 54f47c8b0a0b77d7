/**
 * The bundle's explicit command list (oclif 4's "explicit" command discovery), and the seams
 * on oclif's Plugin that make oclif take it from memory (its loader would import the list's
 * file from disk). test/binary/commands.test.ts holds it to the committed manifest, so a new
 * command cannot be missing from the bundle.
 *
 * Each command's module is imported only when oclif asks for that command (issue #16: a warm
 * compare spent about a third of its start-up evaluating the ECR, report and files code it
 * never runs). In the bundle, esbuild turns each import() into an in-bundle init. oclif still
 * gets the very Command classes: help and the command list come from the committed manifest,
 * which needs no class (the single executable has it compiled in: useBuiltInManifest; with no
 * manifest at all oclif builds one from every class, and every module is loaded).
 */
import { Plugin } from '@oclif/core';
import type { Command } from '@oclif/core';

/** How to import each command's class, by command id. */
export const COMMAND_LOADERS: Record<string, () => Promise<Command.Class>> = {
  compare: async () => (await import('../commands/compare.js')).default,
  diff: async () => (await import('../commands/diff.js')).default,
  'ecr:audit': async () => (await import('../commands/ecr/audit.js')).default,
  files: async () => (await import('../commands/files.js')).default,
  layers: async () => (await import('../commands/layers.js')).default,
  report: async () => (await import('../commands/report/index.js')).default,
  'report:history': async () => (await import('../commands/report/history.js')).default,
  tags: async () => (await import('../commands/tags.js')).default,
};

interface Manifest {
  commands: Record<string, unknown>;
}

/** The committed manifest, where oclif cannot read it from the package folder (the single executable). */
let builtInManifest: Manifest | undefined;

export function useBuiltInManifest(manifest: Manifest): void {
  builtInManifest = manifest;
}

/** The classes imported so far: the object oclif's explicit discovery reads (identifier COMMANDS). */
export const COMMANDS: Record<string, Command.Class> = {};

/** Imports these commands' classes into COMMANDS (ids that are not regsize's are left alone). */
export async function loadCommands(ids: readonly string[] = Object.keys(COMMAND_LOADERS)): Promise<void> {
  await Promise.all(
    ids.map(async (id) => {
      const load = COMMAND_LOADERS[id];
      if (load && !COMMANDS[id]) COMMANDS[id] = await load();
    }),
  );
}

interface PluginSeam {
  hasManifest: boolean;
  commandIDs: string[];
  load(): Promise<void>;
  _manifest(): Promise<Manifest>;
  commandDiscoveryOpts?: { strategy?: string } | undefined;
  findCommand(id: string, opts?: object): Promise<Command.Class | undefined>;
  loadCommandsFromTarget(): Promise<Record<string, Command.Class>>;
}

const seam = Plugin.prototype as unknown as PluginSeam;
const findCommand = seam.findCommand;
// oclif reads the class by id from loadCommandsFromTarget's object right after awaiting it:
// the one it is about to read is imported first. Plugins with other discovery are untouched.
seam.findCommand = async function (this: PluginSeam, id, opts) {
  if (this.commandDiscoveryOpts?.strategy === 'explicit') await loadCommands([id]);
  return findCommand.call(this, id, opts);
};
// As oclif's own _manifest does with the file it reads.
const manifestOf = seam._manifest;
seam._manifest = async function (this: PluginSeam) {
  if (!builtInManifest || this.commandDiscoveryOpts?.strategy !== 'explicit') return manifestOf.call(this);
  this.hasManifest = true;
  this.commandIDs = Object.keys(builtInManifest.commands);
  return builtInManifest;
};
// Without a manifest oclif lists the ids from this object: all of them.
seam.loadCommandsFromTarget = async function (this: PluginSeam) {
  if (!this.hasManifest) await loadCommands();
  return COMMANDS;
};

/** Ids of lowercase letters, '-' and ':', on which code-unit order is ICU's collation order. */
const PLAIN_ID = /^[a-z:-]*$/;

/** String#localeCompare, without opening ICU's collator for two plain ids (same answer). */
export function compareIds(localeCompare: (this: string, that: string) => number): (this: string, that: string) => number {
  return function (this: string, that: string) {
    if (PLAIN_ID.test(this) && PLAIN_ID.test(that)) return this < that ? -1 : this > that ? 1 : 0;
    return localeCompare.call(this, that);
  };
}

// oclif sorts each plugin's command list with String#localeCompare (Plugin.load), and the first
// such call in a process opens ICU's collator: about 10 ms of a warm compare's start, to sort
// ids that code units order the same way. Only while plugins load (oclif loads several at
// once: the last to finish puts the real one back), and only for such ids (any other string
// goes to the real localeCompare), so nothing can tell the difference.
const realLocaleCompare = String.prototype.localeCompare;
const idsLocaleCompare = compareIds(realLocaleCompare) as typeof realLocaleCompare;
let loading = 0;
const load = seam.load;
seam.load = async function (this: PluginSeam) {
  if (loading++ === 0) String.prototype.localeCompare = idsLocaleCompare;
  try {
    await load.call(this);
  } finally {
    if (--loading === 0) String.prototype.localeCompare = realLocaleCompare;
  }
};
