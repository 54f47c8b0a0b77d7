import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { stderrFailures, stderrLine } from '../src/cli/error-line.js';
import { resultExitCode } from '../src/cli/exit-codes.js';
import { bandwidthFlag, formatWithCsvFlag, oneOf, platformsFlag, registryFlags, unitsFlag, wideFlag } from '../src/cli/flags.js';
import { renderOutput } from '../src/cli/output.js';
import { tagsNotes } from '../src/cli/tags-notes.js';
import { tableWidth } from '../src/cli/terminal-width.js';
import { parseRepository } from '../src/reference/reference.js';
import { stderrProgress } from '../src/render/progress.js';
import { renderTagsCsv } from '../src/render/scripts.js';
import type { TableStyle } from '../src/render/table.js';
import { renderTags, tagFailures } from '../src/render/tags.js';
import { HUB_API_BY_DEFAULT } from '../src/tags/hub-api.js';
import { isMissingPlatform, isTagError, type TagSort, type TagsResult } from '../src/tags/result.js';
import { sizeTags } from '../src/tags/size.js';

const TAG_SORTS: readonly TagSort[] = ['size', 'name', 'version'];

export default class Tags extends BaseCommand {
  static override summary = 'Size every tag of a repository: one row per tag, tags of the same image together, smallest first.';
  static override description =
    'Lists the tags (all pages), learns each digest with a HEAD (Docker Hub does not count HEADs as pulls) and fetches each distinct image once; with the cache, a repeat run fetches no manifest. Signature and attestation tags (sha256-<hex>.sig, .att, .sbom) are hidden unless --all-tags. Before spending Docker Hub pulls it checks that enough remain (override with --force).';
  static override examples = [
    "<%= config.bin %> <%= command.id %> python --filter '3.12-*'",
    "<%= config.bin %> <%= command.id %> node --regex '^22\\.[0-9]+\\.[0-9]+-alpine$' --sort version",
    '<%= config.bin %> <%= command.id %> ghcr.io/org/app --limit 20 --platform linux/arm64 --json',
    '<%= config.bin %> <%= command.id %> ghcr.io/org/app --format csv > tags.csv',
  ];
  static override args = {
    repository: Args.string({ description: 'repository without tag, e.g. python, bitnami/redis, ghcr.io/org/app', required: true }),
  };
  static override flags = {
    filter: Flags.string({ description: "only tags matching this glob, e.g. '3.12-*' (repeat for more)", multiple: true, multipleNonGreedy: true, helpValue: 'GLOB' }),
    regex: Flags.string({ description: 'only tags matching this JavaScript regular expression (with --filter, both must match)', helpValue: 'RE' }),
    limit: Flags.integer({ description: 'size at most N tags: the N highest in version order', min: 1, helpValue: 'N' }),
    sort: Flags.custom<TagSort>({ description: 'row order; tags of the same image stay together', options: [...TAG_SORTS], default: 'size', parse: oneOf(TAG_SORTS) })(),
    'all-tags': Flags.boolean({ description: 'include signature and attestation tags (sha256-<hex>.sig, .att, .sbom)', default: false }),
    force: Flags.boolean({ description: "go on even when the registry's remaining pull allowance is smaller than the manifest GETs needed", default: false }),
    'hub-api': Flags.boolean({
      description: "Docker Hub: read tags and sizes from hub.docker.com's tag list (no pulls counted), falling back to the registry when it fails; --no-hub-api asks the registry only",
      default: HUB_API_BY_DEFAULT,
      allowNo: true,
    }),
    verify: Flags.integer({ description: "Docker Hub: check the Hub's figures of the first N images shown against their manifests (one pull each)", min: 0, default: 3, helpValue: 'N' }),
    platform: platformsFlag(),
    bandwidth: bandwidthFlag({ description: 'link speed for the download-time column (the first of a comma-separated list is used)' }),
    units: unitsFlag(),
    format: formatWithCsvFlag,
    wide: wideFlag,
    ...registryFlags,
  };

  async run(): Promise<TagsResult> {
    const { args, flags } = await this.parse(Tags);
    // Checked before any network call.
    const repo = parseRepository(args.repository);
    const { client, logger, http } = this.session(flags);
    const human = !this.jsonEnabled();
    const bars = { tags: stderrProgress('tags', human), sizing: stderrProgress('sizing', human) };

    const { result, selection, digests } = await sizeTags(client, repo, {
      filter: flags.filter,
      regex: flags.regex,
      limit: flags.limit,
      allTags: flags['all-tags'],
      platform: flags.platform,
      sort: flags.sort,
      force: flags.force,
      logger,
      ...(flags['hub-api'] ? { hub: { http, verify: flags.verify } } : {}),
      onProgress: (phase, done, total) => {
        if (phase === 'sizing') bars.tags.done();
        if (total > 2) bars[phase].update(done, total);
      },
    });
    bars.tags.done();
    bars.sizing.done();

    if (human) {
      for (const note of tagsNotes(result, selection, { repository: repo.input, filtered: Boolean(flags.filter || flags.regex), limit: flags.limit, platform: flags.platform })) stderrLine(note);
      // With no tag to size a table would be empty and is left out; a script still gets the CSV header.
      if (selection.tags.length > 0 || flags.format === 'csv') {
        const table = (style: TableStyle) => renderTags(result, { units: flags.units, bandwidth: flags.bandwidth.first, style, width: tableWidth(flags.wide) });
        process.stdout.write(renderOutput(flags.format, { table, csv: () => renderTagsCsv(result) }));
      }
      stderrFailures(tagFailures(result, repo.input));
      if (selection.tags.length > 0) logger.debug(`${selection.tags.length} tags, ${digests} distinct digests`);
    }
    process.exitCode = resultExitCode(result.tags.some((e) => isTagError(e) && !isMissingPlatform(e)), false);
    return result;
  }
}
