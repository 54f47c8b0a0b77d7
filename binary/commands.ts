/**
 * The bundle's explicit command list (oclif 4's "explicit" command discovery), and the one seam
 * that makes oclif take it from memory: its loader would import the list's file from disk.
 * test/binary/commands.test.ts holds it to the committed manifest, so a new command cannot be
 * missing from the bundle.
 */
import { Plugin } from '@oclif/core';
import type { Command } from '@oclif/core';
import Compare from '../commands/compare.js';
import Diff from '../commands/diff.js';
import EcrAudit from '../commands/ecr/audit.js';
import Files from '../commands/files.js';
import Layers from '../commands/layers.js';
import ReportHistory from '../commands/report/history.js';
import Report from '../commands/report/index.js';
import Tags from '../commands/tags.js';

export const COMMANDS: Record<string, Command.Class> = {
  compare: Compare,
  diff: Diff,
  'ecr:audit': EcrAudit,
  files: Files,
  layers: Layers,
  report: Report,
  'report:history': ReportHistory,
  tags: Tags,
};

(Plugin.prototype as unknown as { loadCommandsFromTarget: () => Promise<Record<string, Command.Class>> }).loadCommandsFromTarget = async () => COMMANDS;
