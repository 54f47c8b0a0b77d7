/**
 * The image config (a few KB), decoded here and nowhere else, as far as sizing is concerned: the
 * platform it names (`os`, `architecture`, `variant`), `rootfs.diff_ids` (the digest of each
 * layer's uncompressed tar, which survives recompression) and `history` (the build step behind
 * each layer). https://github.com/opencontainers/image-spec/blob/main/config.md
 *
 * History has one entry per build step, and steps that made no layer (ENV, CMD, WORKDIR...)
 * are marked `empty_layer`; the others line up with the manifest's layers in order. When the
 * count does not match, the steps are not shown at all: a shifted list would name the wrong
 * step for every layer, which is worse than naming none.
 */
import { RegsizeError, isRegistryError } from '../errors.js';
import { DIGEST_RE } from '../oci/digest.js';
import type { ImageManifest } from '../oci/manifest.js';
import type { Platform } from '../oci/platform.js';
import type { Registry, RepoRef } from '../transport/registry-api.js';

export interface HistoryEntry {
  createdBy: string | null;
  emptyLayer: boolean;
  comment?: string;
}

export interface ImageConfig {
  digest: string;
  /** The platform the config names, or undefined when `os` or `architecture` is not a string. */
  platform: Platform | undefined;
  /** `rootfs.diff_ids`, or undefined when the config has none that are usable. */
  diffIds: string[] | undefined;
  /** `history`, or undefined when the config has none that is usable. */
  history: HistoryEntry[] | undefined;
  /** What was wrong with diff_ids or history (the rest of the config was still usable). */
  problems: string[];
}

/** Per layer: its build step and diff_id, each undefined when the config cannot say. */
export interface LayerOrigins {
  createdBy: (string | null)[] | undefined;
  diffIds: (string | undefined)[];
  /** Why steps or diff_ids are missing, for the user. */
  warnings: string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Decodes config bytes. Only a config that is not a JSON object is an error; bad parts are problems. */
export function parseImageConfig(bytes: Uint8Array, digest: string, what: string): ImageConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new RegsizeError('MANIFEST_INVALID', `${what}: the image config ${digest} is not valid JSON`);
  }
  if (!isObject(doc)) throw new RegsizeError('MANIFEST_INVALID', `${what}: the image config ${digest} is not a JSON object`);
  const problems: string[] = [];
  const platform =
    typeof doc.os === 'string' && typeof doc.architecture === 'string'
      ? { os: doc.os, architecture: doc.architecture, ...(typeof doc.variant === 'string' && doc.variant ? { variant: doc.variant } : {}) }
      : undefined;

  let diffIds: string[] | undefined;
  const rootfs = doc.rootfs;
  const rawIds = isObject(rootfs) ? rootfs.diff_ids : undefined;
  if (Array.isArray(rawIds) && rawIds.every((id) => typeof id === 'string' && DIGEST_RE.test(id))) diffIds = rawIds as string[];
  else problems.push(rawIds === undefined ? 'the config lists no rootfs.diff_ids' : 'the config has malformed rootfs.diff_ids');

  let history: HistoryEntry[] | undefined;
  if (doc.history === undefined || doc.history === null) {
    problems.push('the config has no history');
  } else if (Array.isArray(doc.history) && doc.history.every(isObject)) {
    history = (doc.history as Record<string, unknown>[]).map((h) => ({
      createdBy: typeof h.created_by === 'string' ? h.created_by : null,
      emptyLayer: h.empty_layer === true,
      ...(typeof h.comment === 'string' ? { comment: h.comment } : {}),
    }));
  } else {
    problems.push('the config history is not a list of entries');
  }
  return { digest, platform, diffIds, history, problems };
}

/** The platform of a single-platform image, which only its config names. */
export function configPlatform(config: ImageConfig, what: string): Platform {
  if (!config.platform) throw new RegsizeError('MANIFEST_INVALID', `${what}: the image config names no os/architecture`);
  return config.platform;
}

/** Fetches (verified, cached) and decodes the config an image manifest names. */
export async function fetchImageConfig(client: Registry, repo: RepoRef, manifest: ImageManifest, what: string): Promise<ImageConfig> {
  const digest = manifest.config.digest;
  let bytes: Uint8Array;
  try {
    bytes = await client.blobGet(repo, digest);
  } catch (e) {
    if (isRegistryError(e) && e.code === 'BLOB_UNKNOWN') {
      throw new RegsizeError('BLOB_UNKNOWN', `${what}: the image config ${digest} is missing from the registry; the image is broken (partly deleted?) and cannot be pulled either`);
    }
    throw e;
  }
  return parseImageConfig(bytes, digest, what);
}

/** Lines history and diff_ids up with the manifest's `layerCount` layers. */
export function layerOrigins(config: ImageConfig, layerCount: number): LayerOrigins {
  const warnings = [...config.problems];
  let createdBy: (string | null)[] | undefined;
  if (config.history) {
    const steps = config.history.filter((h) => !h.emptyLayer);
    if (steps.length === layerCount) {
      createdBy = steps.map((h) => h.createdBy);
    } else {
      warnings.push(
        `the config history names ${steps.length} layer step${steps.length === 1 ? '' : 's'} for ${layerCount} layer${layerCount === 1 ? '' : 's'}; build steps are not shown rather than guessed`,
      );
    }
  }
  let diffIds: (string | undefined)[] = new Array<string | undefined>(layerCount).fill(undefined);
  if (config.diffIds) {
    if (config.diffIds.length === layerCount) diffIds = config.diffIds;
    else warnings.push(`the config lists ${config.diffIds.length} diff_ids for ${layerCount} layers (docker would refuse to pull this image)`);
  }
  return { createdBy, diffIds, warnings };
}
