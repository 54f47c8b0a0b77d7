/**
 * Flags shared by every command that talks to registries, defined once. Values are parsed
 * and validated here (sizes, bandwidths, platforms), so commands receive typed values.
 */
import { Flags } from '@oclif/core';
import { UsageError } from '../errors.js';
import { parsePlatform, type Platform } from '../oci/platform.js';
import { type Bandwidth, parseBandwidthList, parseSize, type Units } from '../units.js';
import { type GrowthLimit, parseGrowthLimit } from '../sizing/growth-gate.js';
import { MAX_TIMEOUT_MS } from '../transport/http.js';

/** --platform of the commands that can size every platform of an index (compare, tags, report). */
export const platformOrAllFlag = Flags.custom<Platform | 'all'>({
  description: 'platform to size from a multi-platform image: os/arch[/variant], or "all" for one row per platform [default: linux/<this machine\'s architecture>, as docker pull]',
  helpValue: 'linux/arm64',
  parse: async (input) => (input === 'all' ? 'all' : parsePlatform(input)),
});

/**
 * --platform of the commands that show one image (layers, diff). Its help does not offer
 * "all", and "all" is refused while parsing, so help and behaviour cannot drift apart.
 */
export const platformFlag = Flags.custom<Platform>({
  description: 'platform to size from a multi-platform image: os/arch[/variant] [default: linux/<this machine\'s architecture>, as docker pull]',
  helpValue: 'linux/arm64',
  parse: async (input) => {
    if (input.trim() === 'all') throw new UsageError('INVALID_INPUT', '--platform all: this command shows one platform; name it, e.g. --platform linux/arm64 (compare --platform all lists every platform)');
    return parsePlatform(input);
  },
});

/** A list in one flag value; wrapped so oclif does not take the array for a `multiple` flag. */
export interface BandwidthList {
  list: Bandwidth[];
}

export const bandwidthFlag = Flags.custom<BandwidthList>({
  description: 'link speeds for download-time columns, comma-separated (bits/s: 5Mbps, 100Mbit/s; bytes/s: 10MB/s)',
  default: async () => ({ list: parseBandwidthList('5Mbps,1Gbps') }),
  defaultHelp: async () => '5Mbps,1Gbps',
  parse: async (input) => ({ list: parseBandwidthList(input) }),
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

export const unitsFlag = Flags.custom<Units>({
  description: 'units for sizes in tables: si (MB, as docker prints) or iec (MiB)',
  options: ['si', 'iec'],
  default: 'si',
  parse: async (input) => input as Units,
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

/** Connection, auth, cache, logging and AWS flags every registry-reading command takes. */
export const registryFlags = {
  ...awsFlags,
  'plain-http': Flags.boolean({ description: 'use plain HTTP for registries that are not on loopback (loopback always is)', default: false }),
  timeout: Flags.integer({ description: 'seconds allowed per HTTP request (connect, headers and body)', default: 30, min: 1, max: MAX_TIMEOUT_SECONDS }),
  concurrency: Flags.integer({ description: 'images fetched at once', default: 8, min: 1, max: 64 }),
  'cache-dir': Flags.string({ description: 'cache folder [default: $XDG_CACHE_HOME/regsize]' }),
  'no-cache': Flags.boolean({ description: 'neither read nor write the cache', default: false }),
  'tag-ttl': Flags.string({ description: 'how long a cached tag -> digest answer is trusted (e.g. 5m, 0 to always ask)', default: '5m' }),
  verbose: Flags.boolean({ description: 'log every HTTP request (method, URL, status, time, bytes) to stderr, secrets redacted', default: false }),
  debug: Flags.boolean({ description: 'print stack traces of errors', default: false }),
};

export const wideFlag = Flags.boolean({ description: 'print long image names and build steps whole, however wide the terminal (a pipe always gets them whole)', default: false });

// --format and --json both choose the output: giving both is refused (exit 2) rather than one silently winning.
export const formatFlag = Flags.string({ description: 'output format (use --json for JSON)', options: ['table', 'markdown'], default: 'table', exclusive: ['json'] });

/** compare and tags: the table formats, and CSV for scripts and spreadsheets. */
export const formatWithCsvFlag = Flags.string({ description: 'output format (use --json for JSON); csv has one row per entry, exact bytes', options: ['table', 'markdown', 'csv'], default: 'table', exclusive: ['json'] });

// --- ecr audit (engineer R, issue #12): its price flag, and the shared timeout/verbose/debug
// worded for ECR API calls (same bounds and defaults as registryFlags).

/** Storage price in dollars per GB-month; "$0.10" is accepted as well as "0.10". */
export const pricePerGbMonthFlag = Flags.custom<number>({
  description: 'storage price in dollars per GB-month (AWS GB: 2^30 bytes); ECR charges 0.10 in most regions',
  helpValue: '0.10',
  default: 0.1,
  parse: async (input) => {
    const n = Number(input.replace(/^\$/, ''));
    if (input.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError('INVALID_INPUT', `invalid --price-per-gb-month "${input}": give dollars per GB-month, e.g. 0.10`);
    return n;
  },
});

/** timeout, verbose and debug of the commands that call the ECR API rather than a registry. */
export const ecrApiFlags = {
  // The same flag (bounds, default, parsing) with its help worded for the ECR API.
  timeout: { ...registryFlags.timeout, description: 'seconds allowed per API request' } as typeof registryFlags.timeout,
  verbose: { ...registryFlags.verbose, description: 'log every ECR API call to stderr' } as typeof registryFlags.verbose,
  debug: registryFlags.debug,
};
