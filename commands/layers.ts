import { Args } from '@oclif/core';
import { archiveProgress } from '../src/cli/archive-progress.js';
import { BaseCommand } from '../src/cli/base-command.js';
import { tableWidth } from '../src/cli/terminal-width.js';
import { formatFlag, wideFlag, platformFlag, registryFlags, unitsFlag } from '../src/cli/flags.js';
import { sizerFromFlags, uncompressedFlags, warnUnknownLayers } from '../src/cli/uncompressed-flags.js';
import { parseImageInput } from '../src/source/parse.js';
import { renderLayers } from '../src/render/layers.js';
import { listLayers, type LayersResult } from '../src/sizing/layers.js';

export default class Layers extends BaseCommand {
  static override summary = 'List the layers of an image: size, share, running total and the Dockerfile step that made each.';
  static override description =
    'Reads the manifest and the image config (a few KB): the config history names the build step behind each layer. With --uncompressed, the exact tar size of each layer from a few bytes of it.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> python:3.11-slim',
    '<%= config.bin %> <%= command.id %> ghcr.io/org/app:1.2 --uncompressed --format markdown',
    '<%= config.bin %> <%= command.id %> nginx:alpine --platform linux/arm64 --json',
  ];
  static override args = {
    image: Args.string({ description: 'image reference, e.g. python:3.11-slim or ghcr.io/org/app@sha256:...', required: true }),
  };
  static override flags = {
    platform: platformFlag(),
    units: unitsFlag(),
    format: formatFlag,
    wide: wideFlag,
    ...uncompressedFlags,
    ...registryFlags,
  };

  async run(): Promise<LayersResult> {
    const { args, flags } = await this.parse(Layers);
    const ref = parseImageInput(args.image);
    const { client, logger } = this.session(flags);
    const human = !this.jsonEnabled();
    const { sizer, done } = sizerFromFlags(client, flags, human);
    const compressing = archiveProgress(human);
    let result: LayersResult;
    try {
      result = await listLayers(client, ref, { platform: flags.platform, logger, archive: compressing.archive, ...(sizer ? { uncompressed: sizer } : {}) });
    } finally {
      compressing.done();
      done();
    }
    for (const w of result.warnings) logger.warn(`${result.reference}: ${w}`);
    warnUnknownLayers(logger, result.reference, result.layers);
    if (human) this.log(renderLayers(result, { units: flags.units, style: flags.format === 'markdown' ? 'markdown' : 'plain', width: tableWidth(flags.wide) }).trimEnd());
    return result;
  }
}
