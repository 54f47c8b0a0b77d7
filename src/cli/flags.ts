/**
 * Flags shared by every command that talks to registries, defined once. Values are parsed,
 * validated and defaulted here (sizes, bandwidths, platforms, formats), so commands receive
 * typed values and never apply a default of their own.
 */
import { Flags } from '@oclif/core';
import { UsageError } from '../errors.js';
import { hostPlatform, parsePlatform, type Platform } from '../oci/platform.js';
import type { PlatformRequest } from '../sizing/resolve.js';
import { type Bandwidth, parseBandwidthList, parseSize, type Units } from '../units.js';
import { type GrowthLimit, parseGrowthLimit } from '../sizing/growth-gate.js';
import { MAX_TIMEOUT_MS } from '../transport/http.js';
import type { OutputFormat, TableFormat } from './output.js';

const PLATFORM_HELP = 'platform to size from a multi-platform image: os/arch[/variant]';
const HOST_DEFAULT_HELP = "[default: linux/<this machine's architecture>, as docker pull]";

/**
 * The host's platform is the default, but it is said in words in the description: help and the
 * committed manifest are the same on every machine, so they cannot show this machine's value.
 */
const hostDefault = { default: async () => hostPlatform(), defaultHelp: async () => undefined };

const parsePlatformOrAll = async (input: string): Promise<PlatformRequest> => (input === 'all' ? 'all' : parsePlatform(input));

/** --platform of the commands that can size every platform of an index (compare, tags). */
export const platformsFlag = Flags.custom<PlatformRequest>({
  description: `${PLATFORM_HELP}, or "all" for one row per platform ${HOST_DEFAULT_HELP}`,
  helpValue: 'linux/arm64',
  ...hostDefault,
  parse: parsePlatformOrAll,
});

/**
 * --platform of the commands that show one image (layers, diff, files). Its help does not offer
 * "all", and "all" is refused while parsing, so help and behaviour cannot drift apart.
 */
export const platformFlag = Flags.custom<Platform>({
  description: `${PLATFORM_HELP} ${HOST_DEFAULT_HELP}`,
  helpValue: 'linux/arm64',
  ...hostDefault,
  parse: async (input) => {
    if (input.trim() === 'all') throw new UsageError('INVALID_INPUT', '--platform all: this command shows one platform; name it, e.g. --platform linux/arm64 (compare --platform all lists every platform)');
    return parsePlatform(input);
  },
});

/** A list in one flag value; wrapped so oclif does not take the array for a `multiple` flag. */
export interface BandwidthList {
  /** The first speed: the one a single-column estimate uses. */
  first: Bandwidth;
  list: Bandwidth[];
}

function bandwidthList(input: string): BandwidthList {
  const list = parseBandwidthList(input);
  const [first] = list;
  // parseBandwidthList refuses an empty list; this only tells the compiler.
  if (first === undefined) throw new UsageError('INVALID_INPUT', '--bandwidth needs at least one value, e.g. 5Mbps,1Gbps');
  return { first, list };
}

export const bandwidthFlag = Flags.custom<BandwidthList>({
  description: 'link speeds for download-time columns, comma-separated (bits/s: 5Mbps, 100Mbit/s; bytes/s: 10MB/s)',
  default: async () => bandwidthList('5Mbps,1Gbps'),
  defaultHelp: async () => '5Mbps,1Gbps',
  parse: async (input) => bandwidthList(input),
});

/** A size limit as the user wrote it, so messages echo "30MiB" rather than a conversion. */
export interface SizeLimit {
  bytes: number;
  /** As given, e.g. "30MiB". */
  label: string;
}

export const sizeFlag = Flags.custom<SizeLimit>({
  helpValue: '200MB',
  parse: async (input, _ctx, flag) => ({ bytes: parseSize(input, `--${flag.name}`, { unit: 'required' }), label: input.trim().replace(/\s+/g, '') }),
});

/** A relative gate: a percentage ("5%") or a size ("20MB"); a bare number is refused. */
export const growthLimitFlag = Flags.custom<GrowthLimit>({
  helpValue: '10%|20MB',
  parse: async (input) => parseGrowthLimit(input),
});

/**
 * The parse of a flag with `options`, typed as their union (no `as` in commands). oclif
 * refuses any other value before the parse runs ("Expected --x=y to be one of: ..."), so this
 * only narrows the type; its own refusal is for the day oclif stops checking.
 */
export function oneOf<T extends string>(options: readonly T[]): (input: string, _ctx: unknown, flag: { name: string }) => Promise<T> {
  return async (input, _ctx, flag) => {
    const found = options.find((o) => o === input);
    if (found === undefined) throw new UsageError('INVALID_INPUT', `invalid --${flag.name} "${input}": give one of ${options.join(', ')}`);
    return found;
  };
}

const UNITS: readonly Units[] = ['si', 'iec'];

export const unitsFlag = Flags.custom<Units>({
  options: [...UNITS],
  default: 'si',
  parse: oneOf(UNITS),
  description: 'units for sizes in tables: si (MB, as docker prints) or iec (MiB)',
});

/**
 * AWS flags of every command that reads registries: the credentials ECR references use
 * (GetAuthorizationToken through the standard AWS credential chain).
 */
export const awsFlags = {
  profile: Flags.string({ description: 'AWS profile for ECR registries (shared config and SSO profiles) [default: $AWS_PROFILE, then "default"]', helpGroup: 'AWS' }),
  region: Flags.string({ description: 'AWS region of the ECR API [default: the region in the ECR host; for ecr commands $AWS_REGION, then the profile\'s region]', helpGroup: 'AWS' }),
};

/** The largest --timeout: past it Node's timer fires at once and every request fails, so it is refused at parse time. */
export const MAX_TIMEOUT_SECONDS = Math.floor(MAX_TIMEOUT_MS / 1000);

/** --timeout in whole seconds (commands multiply by 1000 for the transport). */
export function timeoutFlag(o: { description?: string } = {}) {
  return Flags.integer({ description: o.description ?? 'seconds allowed per HTTP request (connect, headers and body)', default: 30, min: 1, max: MAX_TIMEOUT_SECONDS });
}

export function verboseFlag(o: { description?: string } = {}) {
  return Flags.boolean({ description: o.description ?? 'log every HTTP request (method, URL, status, time, bytes) to stderr, secrets redacted', default: false });
}

/** Read from the parsed flags by BaseCommand's catch, never from the argument text. */
export const debugFlag = Flags.boolean({ description: 'print stack traces of errors', default: false });

/** Connection, auth, cache, logging and AWS flags every registry-reading command takes. */
export const registryFlags = {
  ...awsFlags,
  'plain-http': Flags.boolean({ description: 'use plain HTTP for registries that are not on loopback (loopback always is)', default: false }),
  timeout: timeoutFlag(),
  concurrency: Flags.integer({ description: 'requests in flight at once to one HTTP/1.1 registry; HTTP/2 registries take every request at once, up to their stream limit', default: 8, min: 1, max: 64 }),
  'cache-dir': Flags.string({ description: 'cache folder [default: $XDG_CACHE_HOME/regsize]' }),
  'no-cache': Flags.boolean({ description: 'neither read nor write the cache', default: false }),
  'tag-ttl': Flags.string({ description: 'how long a cached tag -> digest answer is trusted (e.g. 5m, 0 to always ask)', default: '5m' }),
  verbose: verboseFlag(),
  debug: debugFlag,
};

export const wideFlag = Flags.boolean({ description: 'print long image names and build steps whole, however wide the terminal (a pipe always gets them whole)', default: false });

const TABLE_FORMATS: readonly TableFormat[] = ['table', 'markdown'];
const OUTPUT_FORMATS: readonly OutputFormat[] = [...TABLE_FORMATS, 'csv'];

// --format and --json both choose the output: giving both is refused (exit 2) rather than one silently winning.
/** --format of the commands that print a table (render it with renderOutput, src/cli/output.ts). */
export const tableFormatFlag = Flags.custom<TableFormat>({
  description: 'output format (use --json for JSON)',
  options: [...TABLE_FORMATS],
  default: 'table',
  exclusive: ['json'],
  parse: oneOf(TABLE_FORMATS),
});

/** --format of the commands that also write CSV, for scripts and spreadsheets. */
export const outputFormatFlag = Flags.custom<OutputFormat>({
  description: 'output format (use --json for JSON); csv has one row per entry, exact bytes',
  options: [...OUTPUT_FORMATS],
  default: 'table',
  exclusive: ['json'],
  parse: oneOf(OUTPUT_FORMATS),
});

export const formatFlag = tableFormatFlag();

/** compare and tags: the table formats, and CSV. */
export const formatWithCsvFlag = outputFormatFlag();

// --- Flags of report and ecr audit (engineer R's commands) ---

/**
 * report's --platform: no default of its own, since the config's platform comes between it and
 * the host's (reportPlatform below applies both). Give it report's own description.
 */
export const platformOrAllFlag = Flags.custom<PlatformRequest>({
  description: `${PLATFORM_HELP}, or "all" for one row per platform`,
  helpValue: 'linux/arm64',
  parse: parsePlatformOrAll,
});

/** The platform report sizes: --platform, else the config's, else the host's. */
export function reportPlatform(flag: PlatformRequest | undefined, configured: PlatformRequest | undefined): PlatformRequest {
  return flag ?? configured ?? hostPlatform();
}

/** ecr audit's --price-per-gb-month, in dollars; "$0.10" is accepted as written on AWS's price pages. */
export const priceFlag = Flags.custom<number>({
  description: 'storage price in dollars per GB-month (AWS GB: 2^30 bytes); ECR charges 0.10 in most regions',
  helpValue: '0.10',
  default: 0.1,
  parse: async (input, _ctx, flag) => {
    const n = Number(input.replace(/^\$/, ''));
    if (input.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError('INVALID_INPUT', `invalid --${flag.name} "${input}": give dollars per GB-month, e.g. 0.10`);
    return n;
  },
});

/** timeout, verbose and debug of the commands that call the ECR API rather than a registry. */
export const ecrApiFlags = {
  timeout: timeoutFlag({ description: 'seconds allowed per API request' }),
  verbose: verboseFlag({ description: 'log every ECR API call to stderr' }),
  debug: debugFlag,
};
