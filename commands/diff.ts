import { Args } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { tableWidth } from '../src/cli/terminal-width.js';
import { formatFlag, wideFlag, platformFlag, registryFlags, unitsFlag } from '../src/cli/flags.js';
import { sizerFromFlags, uncompressedFlags, warnUnknownLayers } from '../src/cli/uncompressed-flags.js';
import { hostPlatform } from '../src/oci/platform.js';
import { parseReference } from '../src/reference/reference.js';
import { renderDiff } from '../src/render/diff.js';
import { diffImages, type DiffResult } from '../src/sizing/diff.js';

export default class Diff extends BaseCommand {
  static override summary = 'What an image adds to its base: shared layers, and each added layer with the Dockerfile step that made it.';
  static override description =
    'Layers match by digest, and by diff_id from the two configs (a recompressed base layer still counts as shared). With one argument, the base is the one the image names in its org.opencontainers.image.base.name/.digest annotations.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> python:3.11-alpine ghcr.io/org/app:latest',
    '<%= config.bin %> <%= command.id %> ghcr.io/org/app:latest --uncompressed',
    '<%= config.bin %> <%= command.id %> debian:bookworm-slim myapp:1.2 --format markdown',
  ];
  static override args = {
    base: Args.string({ description: 'the base image (alone: the image, whose annotations name its base)', required: true }),
    image: Args.string({ description: 'the image built on BASE' }),
  };
  static override flags = {
    platform: platformFlag(),
    units: unitsFlag(),
    format: formatFlag,
    wide: wideFlag,
    ...uncompressedFlags,
    ...registryFlags,
  };

  async run(): Promise<DiffResult> {
    const { args, flags } = await this.parse(Diff);
    // Both references are checked before any network call.
    const baseRef = args.image === undefined ? undefined : parseReference(args.base);
    const imageRef = parseReference(args.image ?? args.base);
    const { client, logger } = this.session(flags);
    const human = !this.jsonEnabled();
    const { sizer, done } = sizerFromFlags(client, flags, human);
    let result: DiffResult;
    try {
      result = await diffImages(client, baseRef, imageRef, { platform: flags.platform ?? hostPlatform(), logger, ...(sizer ? { uncompressed: sizer } : {}) });
    } finally {
      done();
    }
    for (const w of result.warnings) logger.warn(w);
    warnUnknownLayers(logger, result.image.reference, [...result.sharedLayers, ...result.addedLayers], result.image.layers);
    warnUnknownLayers(logger, result.base.reference, result.removedLayers, result.base.layers);
    if (human) this.log(renderDiff(result, { units: flags.units, style: flags.format === 'markdown' ? 'markdown' : 'plain', width: tableWidth(flags.wide) }).trimEnd());
    return result;
  }
}
