import { Args } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { formatFlag, platformFlag, registryFlags, unitsFlag, wideFlag } from '../src/cli/flags.js';
import { withLayerSizing } from '../src/cli/layer-sizing.js';
import { renderOutput } from '../src/cli/output.js';
import { tableWidth } from '../src/cli/terminal-width.js';
import { uncompressedFlags, warnUnknownLayers } from '../src/cli/uncompressed-flags.js';
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
    const result = await withLayerSizing(client, flags, human, (sizing) => listLayers(client, ref, { platform: flags.platform, logger, ...sizing }));
    for (const w of result.warnings) logger.warn(`${result.reference}: ${w}`);
    warnUnknownLayers(logger, result.reference, result.layers);
    if (human) process.stdout.write(renderOutput(flags.format, { table: (style) => renderLayers(result, { units: flags.units, style, width: tableWidth(flags.wide) }) }));
    return result;
  }
}
