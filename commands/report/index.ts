import { hostname } from 'node:os';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { stderrLine } from '../../src/cli/error-line.js';
import { resultExitCode } from '../../src/cli/exit-codes.js';
import { platformOrAllFlag, registryFlags, reportPlatform, unitsFlag } from '../../src/cli/flags.js';
import { UsageError } from '../../src/errors.js';
import { parseGrowthPercent } from '../../src/report/budget.js';
import { loadConfig } from '../../src/report/config.js';
import { defaultHistoryPath, History } from '../../src/report/size-history-db.js';
import { isReportError, type ReportResult } from '../../src/report/model.js';
import { pushMetrics, pushUrl } from '../../src/report/pushgateway.js';
import { runReport } from '../../src/report/run.js';
import { growthMessage } from '../../src/sizing/growth-gate.js';
import { renderOpenMetrics } from '../../src/render/openmetrics.js';
import { renderReportCsv } from '../../src/render/report-csv.js';
import { renderReportHtml } from '../../src/render/report-html.js';
import { renderReportMarkdown } from '../../src/render/report-markdown.js';
import { stderrProgress } from '../../src/render/progress.js';
import { formatBytes, parseBandwidthList, parseDurationMs, type Units } from '../../src/units.js';
import { writeOutputFile } from '../../src/util/atomic-write.js';
import { jsonTerminalSafe } from '../../src/util/terminal-safe.js';

export default class Report extends BaseCommand {
  static override summary = 'Size every image a config names, hold each to its budget, and show what changed since earlier runs.';
  static override description =
    'Meant for a schedule (cron, a CI schedule, a Kubernetes CronJob): each run is recorded in a SQLite history, and the report shows the change since the last run and since --since ago, marks rebuilt images and sudden growth, and exits 3 when an image is over its budget (1 when an image could not be sized, 2 for a bad config).';
  static override examples = [
    '<%= config.bin %> report --config regsize.yaml',
    '<%= config.bin %> report --config regsize.yaml --format html --output report.html',
    '<%= config.bin %> report --config regsize.yaml --format json --history ./regsize-history.db --since 7d',
    '<%= config.bin %> report history python:3.12-slim',
    '<%= config.bin %> report --config regsize.yaml --format openmetrics --output /var/lib/node_exporter/textfile/regsize.prom',
    '<%= config.bin %> report --config regsize.yaml --pushgateway http://pushgateway:9091',
  ];
  static override flags = {
    config: Flags.string({ char: 'c', description: 'the report config (YAML; see examples/regsize.yaml)', required: true, helpValue: 'regsize.yaml' }),
    format: Flags.string({ description: 'output format (openmetrics: the Prometheus text exposition, for node_exporter\'s textfile collector)', options: ['markdown', 'json', 'csv', 'html', 'openmetrics'], default: 'markdown' }),
    pushgateway: Flags.string({ description: 'also push the metrics (as --format openmetrics) to this Prometheus Pushgateway, replacing the previous push of the same job and instance', helpValue: 'http://pushgateway:9091' }),
    'pushgateway-job': Flags.string({ description: 'the job label of the push [default: regsize]', dependsOn: ['pushgateway'] }),
    'pushgateway-instance': Flags.string({ description: 'the instance label of the push [default: this host\'s name]', dependsOn: ['pushgateway'] }),
    output: Flags.string({ char: 'o', description: 'write the report to this file (replaced atomically) instead of stdout', helpValue: 'report.html' }),
    history: Flags.string({ description: 'history database (SQLite) [default: $XDG_DATA_HOME/regsize/history.db]', helpValue: 'history.db', exclusive: ['no-history'] }),
    'no-history': Flags.boolean({ description: 'neither read nor record the history (no deltas)', default: false }),
    since: Flags.string({ description: 'also compare with the run this long ago (e.g. 7d, 30d, 12h)', default: '30d' }),
    'alert-growth': Flags.string({ description: 'mark images that grew more than this since the last run', default: '10%' }),
    platform: platformOrAllFlag({ description: 'platform to size, overriding the config\'s platform: os/arch[/variant] or "all" [default: the config\'s, else linux/<this machine\'s architecture>]' }),
    units: unitsFlag(),
    force: Flags.boolean({ description: "size the tags: sections even when the registry's remaining pull allowance is smaller than the manifest GETs needed", default: false }),
    ...registryFlags,
  };

  async run(): Promise<ReportResult> {
    const { flags } = await this.parse(Report);
    // Everything the user wrote is checked before the history is opened or a registry is asked.
    const sinceMs = parseDurationMs(flags.since, '--since');
    if (sinceMs <= 0) throw new UsageError('INVALID_INPUT', `invalid --since "${flags.since}": give a positive duration, e.g. 30d`);
    const alertGrowthPercent = parseGrowthPercent(flags['alert-growth']);
    const push = flags.pushgateway === undefined ? undefined : { url: flags.pushgateway, job: flags['pushgateway-job'] ?? 'regsize', instance: flags['pushgateway-instance'] ?? hostname() };
    if (push) pushUrl(push);
    const config = loadConfig(flags.config);
    const units = flags.units as Units;
    const historyPath = flags['no-history'] ? undefined : (flags.history ?? defaultHistoryPath());
    const history = historyPath === undefined ? null : await History.open(historyPath);
    try {
      const { client, logger } = this.session(flags);
      const progress = stderrProgress('sizing', !this.jsonEnabled());
      const result = await runReport(config, {
        client,
        logger,
        platform: reportPlatform(flags.platform, config.platform),
        concurrency: flags.concurrency,
        history,
        since: { window: flags.since.trim(), ms: sinceMs },
        alertGrowthPercent,
        bandwidths: config.bandwidths ?? parseBandwidthList('5Mbps'),
        force: flags.force,
        timeoutMs: flags.timeout * 1000,
        onProgress: (d, t) => progress.update(d, t),
      });
      progress.done();

      const output = render(result, flags.format, units);
      if (flags.output) {
        await writeOutputFile(flags.output, output);
        stderrLine(`wrote ${flags.output} (${result.summary.sized} images, ${result.summary.overBudget} over budget${result.summary.failed ? `, ${result.summary.failed} failed` : ''})`);
      } else if (!this.jsonEnabled()) {
        process.stdout.write(output);
      }
      if (push) await pushMetrics(client.http, push, renderOpenMetrics(result));
      for (const e of result.images) {
        if (isReportError(e)) continue;
        if (e.budget?.over) logger.warn(`${e.reference} (${e.platform}) is ${formatBytes(e.compressedSize, units)}, over its budget of ${formatBytes(e.budget.maxSize, units)}`);
        const g = e.growthBudget;
        if (g?.exceeded) logger.warn(growthMessage(`${e.reference} (${e.platform})`, g.against === 'previous' ? `its previous run (${e.history?.previous?.from.at})` : g.against, g, units, 'maxGrowth'));
      }
      const failed = result.summary.failed > 0 || result.summary.repositoriesFailed > 0 || result.history?.recorded === false;
      process.exitCode = resultExitCode(failed, result.summary.overBudget + result.summary.overGrowth > 0);
      return result;
    } finally {
      history?.close();
    }
  }
}

function render(result: ReportResult, format: string, units: Units): string {
  switch (format) {
    case 'json':
      return `${jsonTerminalSafe(JSON.stringify(result, null, 2))}\n`;
    case 'csv':
      return renderReportCsv(result);
    case 'html':
      return renderReportHtml(result, units);
    case 'openmetrics':
      return renderOpenMetrics(result);
    default:
      return renderReportMarkdown(result, units);
  }
}
