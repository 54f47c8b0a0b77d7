import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { tableStyle } from '../../src/cli/output.js';
import { formatFlag, unitsFlag } from '../../src/cli/flags.js';
import { parseReference } from '../../src/reference/reference.js';
import { defaultHistoryPath, History } from '../../src/report/size-history-db.js';
import { imageHistory, type ImageHistory } from '../../src/report/timeline.js';
import { renderImageHistory } from '../../src/render/report-history.js';
import { parseDurationMs, type Units } from '../../src/units.js';

export default class ReportHistory extends BaseCommand {
  static override summary = "Print an image's recorded sizes over time, from the report history.";
  static override description = 'One row per report run that measured the image: when, its size, the change from the run before, its budget, and its digest (a new digest means the image was rebuilt).';
  static override examples = [
    '<%= config.bin %> report history python:3.12-slim',
    '<%= config.bin %> report history ghcr.io/org/app:prod --since 90d --history ./regsize-history.db',
    '<%= config.bin %> report history python:3.12-slim --platform linux/arm64 --json',
  ];
  static override args = {
    image: Args.string({ description: 'the image as the config names it, e.g. python:3.12-slim', required: true }),
  };
  static override flags = {
    history: Flags.string({ description: 'history database (SQLite) [default: $XDG_DATA_HOME/regsize/history.db]', helpValue: 'history.db' }),
    platform: Flags.string({ description: 'only this platform (os/arch[/variant]) [default: every platform recorded]', helpValue: 'linux/amd64' }),
    since: Flags.string({ description: 'only runs this recent (e.g. 30d) [default: all]' }),
    units: unitsFlag(),
    format: formatFlag,
  };

  async run(): Promise<ImageHistory> {
    const { args, flags } = await this.parse(ReportHistory);
    const ref = parseReference(args.image);
    const sinceMs = flags.since === undefined ? undefined : parseDurationMs(flags.since, '--since');
    const history = await History.open(flags.history ?? defaultHistoryPath(), { create: false });
    try {
      const result = imageHistory(history, ref, { platform: flags.platform, fromMs: sinceMs === undefined ? undefined : Date.now() - sinceMs });
      if (!this.jsonEnabled()) this.log(renderImageHistory(result, { units: flags.units as Units, style: tableStyle(flags.format) }).trimEnd());
      return result;
    } finally {
      history.close();
    }
  }
}
