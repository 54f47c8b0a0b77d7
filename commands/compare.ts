import { Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { stderrFailures } from '../src/cli/error-line.js';
import { resultExitCode } from '../src/cli/exit-codes.js';
import { bandwidthFlag, formatWithCsvFlag, growthLimitFlag, platformsFlag, registryFlags, sizeFlag, unitsFlag, wideFlag } from '../src/cli/flags.js';
import { compareGates, gatesFailed } from '../src/cli/gates.js';
import { warnUnknownImages, withLayerSizing } from '../src/cli/layer-sizing.js';
import { renderOutput } from '../src/cli/output.js';
import { tableWidth } from '../src/cli/terminal-width.js';
import { uncompressedFlags } from '../src/cli/uncompressed-flags.js';
import { UsageError } from '../src/errors.js';
import { renderCompare } from '../src/render/compare.js';
import { stderrProgress } from '../src/render/progress.js';
import { renderCompareCsv, renderCompareQuiet } from '../src/render/scripts.js';
import type { TableStyle } from '../src/render/table.js';
import { compareImages, type CompareResult, isErrorEntry } from '../src/sizing/compare.js';
import type { GateReport } from '../src/sizing/growth-gate.js';
import { parseImageInput } from '../src/source/parse.js';

export default class Compare extends BaseCommand {
  static override summary = 'Compare the compressed sizes of images, straight from their registries (the default command).';
  static override description = 'Reads only manifests (a few KB per image): no Docker, no pull. `regsize IMAGE...` is the same as `regsize compare IMAGE...`.';
  static override examples = [
    '<%= config.bin %> python:3.11-slim python:3.11-alpine',
    '<%= config.bin %> nginx:alpine --platform linux/arm64 --bandwidth 5Mbps',
    '<%= config.bin %> ghcr.io/org/app:1.2 --platform all --json',
    '<%= config.bin %> myapp:latest --max-size 200MB',
    '<%= config.bin %> app:main app:pr --max-increase 10%',
    '<%= config.bin %> ghcr.io/org/app:1.2 --quiet',
    '<%= config.bin %> 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:prod python:3.12-slim --profile prod',
  ];
  static override strict = false;
  static override args = {};
  static override flags = {
    platform: platformsFlag(),
    bandwidth: bandwidthFlag(),
    units: unitsFlag(),
    format: formatWithCsvFlag,
    quiet: Flags.boolean({ char: 'q', description: 'print only each image\'s compressed size in bytes, one line per image (a failed image has no line; its error goes to stderr, exit 1)', default: false }),
    wide: wideFlag,
    'max-size': sizeFlag({ description: 'exit 3 when any image is larger than this (a CI gate), e.g. 200MB' }),
    'max-increase': growthLimitFlag({ description: 'exit 3 when an image is larger than the first image by more than this: a percentage (5%) or a size (20MB)' }),
    ...uncompressedFlags,
    ...registryFlags,
  };

  async run(): Promise<CompareResult & { gates?: GateReport }> {
    const { argv, flags } = await this.parse(Compare);
    const inputs = argv as string[];
    if (inputs.length === 0) throw new UsageError('INVALID_INPUT', 'no images given: regsize IMAGE [IMAGE...], e.g. regsize python:3.11-slim python:3.11-alpine');
    // Every reference is checked before any network call.
    const refs = inputs.map(parseImageInput);
    if (flags.quiet && (this.jsonEnabled() || flags.format !== 'table')) throw new UsageError('INVALID_INPUT', '--quiet prints only the sizes: leave out --json and --format');
    const { client, logger } = this.session(flags);
    const human = !this.jsonEnabled();
    const progress = stderrProgress('sizing', human && !flags.quiet && refs.length > 2);
    const result = await withLayerSizing(client, flags, human, (sizing) =>
      compareImages(client, refs, { platform: flags.platform, concurrency: flags.concurrency, logger, onProgress: (d, t) => progress.update(d, t), ...sizing }),
    ).finally(() => progress.done());
    warnUnknownImages(logger, result.images);
    if (human) {
      const table = (style: TableStyle) => renderCompare(result, { units: flags.units, bandwidths: flags.bandwidth.list, style, width: tableWidth(flags.wide) });
      process.stdout.write(flags.quiet ? renderCompareQuiet(result) : renderOutput(flags.format, { table, csv: () => renderCompareCsv(result) }));
      // Failed images: one line each on stderr, naming the image (in --json they stay in the document).
      stderrFailures(result.images.filter(isErrorEntry));
    }
    const gates = compareGates(result, inputs[0], flags, logger);
    process.exitCode = resultExitCode(result.images.some(isErrorEntry), gatesFailed(gates));
    return gates ? { ...result, gates } : result;
  }
}
