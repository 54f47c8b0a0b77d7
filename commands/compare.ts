import { archiveProgress } from '../src/cli/archive-progress.js';
import { BaseCommand } from '../src/cli/base-command.js';
import { tableWidth } from '../src/cli/terminal-width.js';
import { resultExitCode } from '../src/cli/exit-codes.js';
import { Flags } from '@oclif/core';
import { bandwidthFlag, formatWithCsvFlag, growthLimitFlag, platformsFlag, registryFlags, sizeFlag, unitsFlag, wideFlag } from '../src/cli/flags.js';
import { sizerFromFlags, uncompressedFlags } from '../src/cli/uncompressed-flags.js';
import { UsageError } from '../src/errors.js';
import { parseImageInput } from '../src/source/parse.js';
import { renderCompare } from '../src/render/compare.js';
import { renderCompareCsv, renderCompareQuiet } from '../src/render/scripts.js';
import { failureLines } from '../src/render/failures.js';
import { stderrProgress } from '../src/render/progress.js';
import { compareImages, type CompareResult, type ImageEntry, isErrorEntry } from '../src/sizing/compare.js';
import { formatBytes, unitsOf } from '../src/units.js';
import { type GateReport, growthMessage, increasesOverFirst } from '../src/sizing/growth-gate.js';

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
    const progress = stderrProgress('sizing', !this.jsonEnabled() && !flags.quiet && refs.length > 2);
    const uncompressed = sizerFromFlags(client, flags, !this.jsonEnabled());
    const compressing = archiveProgress(!this.jsonEnabled());
    const result = await compareImages(client, refs, {
      platform: flags.platform,
      concurrency: flags.concurrency,
      logger,
      onProgress: (d, t) => progress.update(d, t),
      ...(uncompressed.sizer ? { uncompressed: uncompressed.sizer } : {}),
      archive: compressing.archive,
    });
    compressing.done();
    progress.done();
    uncompressed.done();
    for (const e of result.images) {
      if (!isErrorEntry(e) && e.uncompressedSize === null) logger.warn(`${e.reference}: uncompressed size unknown for some layers; regsize layers ${e.reference} --uncompressed says which and why`);
    }

    const max = flags['max-size'];
    const over = max === undefined ? [] : result.images.filter((e) => !isErrorEntry(e) && e.compressedSize > max.bytes);
    const limit = flags['max-increase'];
    const sized = result.images.filter((e): e is ImageEntry => !isErrorEntry(e));
    const increases = limit === undefined ? [] : increasesOverFirst(sized.filter((e) => e.reference === inputs[0]), sized.filter((e) => e.reference !== inputs[0]), limit);
    const grew = increases.filter((c) => c.exceeded);
    if (flags.quiet || flags.format === 'csv') {
      process.stdout.write(flags.quiet ? renderCompareQuiet(result) : renderCompareCsv(result));
    } else if (!this.jsonEnabled()) {
      this.log(renderCompare(result, { units: flags.units, bandwidths: flags.bandwidth.list, style: flags.format === 'markdown' ? 'markdown' : 'plain', width: tableWidth(flags.wide) }).trimEnd());
    }
    // Failed images: one line each on stderr, naming the image (in --json they stay in the document).
    if (!this.jsonEnabled()) for (const line of failureLines(result.images.filter(isErrorEntry))) process.stderr.write(`${line}\n`);
    if (max !== undefined) {
      for (const e of over) if (!isErrorEntry(e)) logger.warn(`${e.reference} (${e.platform}) is ${formatBytes(e.compressedSize, unitsOf(max.label))}, over --max-size ${max.label}`);
    }
    for (const c of grew) logger.warn(growthMessage(c.image, c.base, c, flags.units));
    process.exitCode = resultExitCode(result.images.some(isErrorEntry), over.length + grew.length > 0);
    if (max === undefined && limit === undefined) return result;
    const failed: GateReport['failed'] = [...(over.length ? ['max-size' as const] : []), ...(grew.length ? ['max-increase' as const] : [])];
    return { ...result, gates: { failed, ...(limit === undefined ? {} : { increases }) } };
  }
}
