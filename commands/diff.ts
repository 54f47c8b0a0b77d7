import { Args, Flags } from '@oclif/core';
import { archiveProgress } from '../src/cli/archive-progress.js';
import { BaseCommand } from '../src/cli/base-command.js';
import { resultExitCode } from '../src/cli/exit-codes.js';
import { filesFlags, runFiles } from '../src/cli/files-flags.js';
import { formatFlag, growthLimitFlag, platformFlag, registryFlags, unitsFlag, wideFlag } from '../src/cli/flags.js';
import { tableWidth } from '../src/cli/terminal-width.js';
import { sizerFromFlags, uncompressedFlags, warnUnknownLayers } from '../src/cli/uncompressed-flags.js';
import { analyseAddedFiles, type FilesResult } from '../src/files/analyse.js';
import { parseImageInput } from '../src/source/parse.js';
import { renderDiff } from '../src/render/diff.js';
import { diffImages, type DiffResult } from '../src/sizing/diff.js';
import { checkGrowth, type GateReport, growthMessage } from '../src/sizing/growth-gate.js';

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
      const platform = flags.platform;
      return runFiles((o) => analyseAddedFiles(client, baseRef, imageRef, { ...o, platform }), flags, logger, { human, log: (t) => this.log(t) });
    }
    const { sizer, done } = sizerFromFlags(client, flags, human);
    const compressing = archiveProgress(human);
    let result: DiffResult;
    try {
      result = await diffImages(client, baseRef, imageRef, { platform: flags.platform, logger, archive: compressing.archive, ...(sizer ? { uncompressed: sizer } : {}) });
    } finally {
      compressing.done();
      done();
    }
    for (const w of result.warnings) logger.warn(w);
    warnUnknownLayers(logger, result.image.reference, [...result.sharedLayers, ...result.addedLayers], result.image.layers);
    warnUnknownLayers(logger, result.base.reference, result.removedLayers, result.base.layers);
    if (human) this.log(renderDiff(result, { units: flags.units, style: flags.format === 'markdown' ? 'markdown' : 'plain', width: tableWidth(flags.wide) }).trimEnd());
    const limit = flags['max-increase'];
    if (limit === undefined) return result;
    const { image, base } = result;
    const check = { image: image.reference, base: base.reference, platform: image.platform, ...checkGrowth(base.compressedSize, image.compressedSize, limit) };
    if (check.exceeded) logger.warn(growthMessage(check.image, check.base, check, flags.units));
    process.exitCode = resultExitCode(false, check.exceeded);
    return { ...result, gates: { failed: check.exceeded ? ['max-increase'] : [], increases: [check] } };
  }
}
