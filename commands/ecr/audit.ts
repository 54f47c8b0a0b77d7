import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { renderOutput } from '../../src/cli/output.js';
import { stderrLine } from '../../src/cli/error-line.js';
import { resultExitCode } from '../../src/cli/exit-codes.js';
import { awsFlags, ecrApiFlags, outputFormatFlag, priceFlag, unitsFlag } from '../../src/cli/flags.js';
import { type AuditResult, auditRepositories, isAuditError } from '../../src/ecr/audit.js';
import { UsageError } from '../../src/errors.js';
import { renderAudit, renderAuditCsv } from '../../src/render/audit.js';
import { stderrProgress } from '../../src/render/progress.js';
import { stderrLogger } from '../../src/log.js';

export default class EcrAudit extends BaseCommand {
  static override summary = 'What ECR repositories store, what they cost, and what deleting untagged or stale images would free.';
  static override description = [
    'Reads DescribeImages (sizes, push and pull times) and then the manifests (BatchGetImage, at most 100 per call) to count each layer once, as the storage holds it.',
    'Staleness is judged from lastRecordedPullTime read before any manifest; reading manifests records a pull, so exempt the auditing role from pull-time updates (see README) or use --no-layers.',
    'IAM permissions: ecr:DescribeImages, ecr:BatchGetImage (not with --no-layers), ecr:DescribeRepositories (with --all).',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> ecr audit team/app --region eu-west-1',
    '<%= config.bin %> ecr audit 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app --stale-days 30 --top 5',
    '<%= config.bin %> ecr audit --all --profile prod --format csv > ecr.csv',
    '<%= config.bin %> ecr audit team/app --suggest-lifecycle',
  ];
  static override strict = false;
  static override args = {};
  static override flags = {
    all: Flags.boolean({ description: 'audit every repository of the registry (DescribeRepositories)', default: false }),
    ...awsFlags,
    'registry-id': Flags.string({ description: 'account id of the registry to audit [default: your own]', helpGroup: 'AWS' }),
    'endpoint-url': Flags.string({ description: 'ECR API endpoint to use instead of the default (a VPC endpoint, LocalStack)', helpGroup: 'AWS' }),
    'stale-days': Flags.integer({ description: 'an image not pulled for this many days (or never pulled and pushed before then) is stale', default: 90, min: 1 }),
    top: Flags.integer({ description: 'list this many of the largest images per repository (0 for none)', default: 10, min: 0 }),
    'price-per-gb-month': priceFlag(),
    layers: Flags.boolean({
      description: 'read manifests to count shared layers once; --no-layers uses DescribeImages alone (no stored or reclaimable figures, no BatchGetImage)',
      default: true,
      allowNo: true,
    }),
    'suggest-lifecycle': Flags.boolean({ description: 'print an ECR lifecycle policy that expires the reclaimable untagged images, with the bytes it frees', default: false }),
    format: outputFormatFlag(),
    units: unitsFlag(),
    concurrency: Flags.integer({ description: 'repositories audited, and API requests in flight, at once', default: 4, min: 1, max: 32 }),
    ...ecrApiFlags,
  };

  async run(): Promise<AuditResult> {
    const { argv, flags } = await this.parse(EcrAudit);
    if (flags['suggest-lifecycle'] && flags.format === 'csv' && !this.jsonEnabled()) {
      throw new UsageError('INVALID_INPUT', '--suggest-lifecycle prints JSON policies, which do not fit in CSV: use it with the table, markdown or --json output');
    }
    const logger = stderrLogger(flags.verbose);
    const progress = stderrProgress('auditing', !this.jsonEnabled() && (flags.all || argv.length > 1));
    const result = await auditRepositories({
      repositories: argv as string[],
      all: flags.all,
      region: flags.region,
      profile: flags.profile,
      registryId: flags['registry-id'],
      endpointUrl: flags['endpoint-url'],
      staleDays: flags['stale-days'],
      top: flags.top,
      pricePerGbMonth: flags['price-per-gb-month'],
      readLayers: flags.layers,
      suggestLifecycle: flags['suggest-lifecycle'],
      concurrency: flags.concurrency,
      timeoutMs: flags.timeout * 1000,
      logger,
      onProgress: (d, t) => progress.update(d, t),
    }).finally(() => progress.done());

    const failed = result.repositories.filter(isAuditError);
    if (!this.jsonEnabled()) {
      // One line per failed repository on stderr; the others are still reported on stdout.
      for (const f of failed) stderrLine(`${f.error.message}`);
      const out = renderOutput(flags.format, { csv: () => renderAuditCsv(result), table: (style) => renderAudit(result, { units: flags.units, style }) });
      if (out.trim()) process.stdout.write(out);
      if (!failed.length && !result.repositories.length) logger.warn('the registry has no repositories');
    }
    process.exitCode = resultExitCode(failed.length > 0, false);
    return result;
  }
}
