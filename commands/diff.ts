import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { resultExitCode } from '../src/cli/exit-codes.js';
import { filesFlags, runFiles } from '../src/cli/files-flags.js';
import { formatFlag, growthLimitFlag, platformFlag, registryFlags, unitsFlag, wideFlag } from '../src/cli/flags.js';
import { diffGate, gatesFailed } from '../src/cli/gates.js';
import { withLayerSizing } from '../src/cli/layer-sizing.js';
import { renderOutput } from '../src/cli/output.js';
import { tableWidth } from '../src/cli/terminal-width.js';
import { uncompressedFlags, warnUnknownLayers } from '../src/cli/uncompressed-flags.js';
import { analyseAddedFiles, type FilesResult } from '../src/files/analyse.js';
import { renderDiff } from '../src/render/diff.js';
import { diffImages, type DiffResult } from '../src/sizing/diff.js';
import type { GateReport } from '../src/sizing/growth-gate.js';
import { parseImageInput } from '../src/source/parse.js';

export default class Diff extends BaseCommand {
  static override summary = 'What an image adds to its base: shared layers, and each added layer with the Dockerfile step that made it.';
  static override description =
    'Layers match by digest, and by diff_id from the two configs (a recompressed base layer still counts as shared). With one argument, the base is the one the image names in its org.opencontainers.image.base.name/.digest annotations.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> python:3.11-alpine ghcr.io/org/app:latest',
    '<%= config.bin %> <%= command.id %> ghcr.io/org/app:latest --uncompressed',
    '<%= config.bin %> <%= command.id %> debian:bookworm-slim myapp:1.2 --format markdown',
    '<%= config.bin %> <%= command.id %> python:3.11-alpine app:v2 --files',
  ];
  static override args = {
    base: Args.string({ description: 'the base image (alone: the image, whose annotations name its base)', required: true }),
    image: Args.string({ description: 'the image built on BASE' }),
  };
  static override flags = {
    platform: platformFlag(),
    units: unitsFlag(),
    format: formatFlag,
    'max-increase': growthLimitFlag({ description: 'exit 3 when IMAGE is larger than BASE by more than this: a percentage (5%) or a size (20MB)' }),
    wide: wideFlag,
    ...uncompressedFlags,
    files: Flags.boolean({ description: 'what the added layers hold: largest files, wasted bytes, hints with their fix (reads only the layers IMAGE adds; see regsize files)', default: false }),
    ...filesFlags,
    ...registryFlags,
  };

  async run(): Promise<(DiffResult & { gates?: GateReport }) | FilesResult> {
    const { args, flags } = await this.parse(Diff);
    // Both references are checked before any network call.
    const baseRef = args.image === undefined ? undefined : parseImageInput(args.base);
    const imageRef = parseImageInput(args.image ?? args.base);
    const { client, logger } = this.session(flags);
    const human = !this.jsonEnabled();
    if (flags.files) {
      return runFiles((o) => analyseAddedFiles(client, baseRef, imageRef, { ...o, platform: flags.platform }), flags, logger, { human, log: (t) => this.log(t) });
    }
    const result = await withLayerSizing(client, flags, human, (sizing) => diffImages(client, baseRef, imageRef, { platform: flags.platform, logger, ...sizing }));
    for (const w of result.warnings) logger.warn(w);
    warnUnknownLayers(logger, result.image.reference, [...result.sharedLayers, ...result.addedLayers], result.image.layers);
    warnUnknownLayers(logger, result.base.reference, result.removedLayers, result.base.layers);
    if (human) process.stdout.write(renderOutput(flags.format, { table: (style) => renderDiff(result, { units: flags.units, style, width: tableWidth(flags.wide) }) }));
    const gates = diffGate(result, flags['max-increase'], flags.units, logger);
    if (!gates) return result;
    process.exitCode = resultExitCode(false, gatesFailed(gates));
    return { ...result, gates };
  }
}
