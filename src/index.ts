/**
 * regsize as a library: the functions behind the CLI's commands, for scripts that want the
 * figures without spawning it. Everything else under dist/src is internal and may change.
 *
 *   import { createSession, parseReference, compareImages, hostPlatform } from 'regsize';
 *   const { client, logger } = createSession({ timeoutMs: 30_000 });
 *   const { images } = await compareImages(client, [parseReference('python:3.12-slim')], { platform: hostPlatform(), concurrency: 8, logger });
 *
 * Every registry image is asked for at once; the session's `concurrency` (default 8) bounds the
 * requests in flight to an HTTP/1.1 registry, and an HTTP/2 one takes its stream limit.
 * Sizing takes the client as a `Registry` (noun-first: manifestGet, blobRange, tagList, ...),
 * so another implementation of that interface can stand in for a registry.
 *
 * Sizes are exact bytes. A failing image is an entry with `error` (see isErrorEntry), never a
 * thrown error that hides the others; bad input throws a RegsizeError with a stable `code`.
 */
export { createSession, type Session, type SessionOptions } from './session.js';
export { formatReference, parseReference, type Reference } from './reference/reference.js';
export { formatPlatform, hostPlatform, parsePlatform } from './oci/platform.js';
export { compareImages, isErrorEntry, resolveAll, sharingSummary, type CompareEntry, type CompareOptions, type CompareResult, type ErrorEntry, type ImageEntry, type LayerEntry } from './sizing/compare.js';
export { resolveImage, type PlatformRequest, type ResolvedImage } from './sizing/resolve.js';
export { listLayers, type LayersOptions, type LayersResult, type LayerRow } from './sizing/layers.js';
export { diffImages, type DiffOptions, type DiffResult } from './sizing/diff.js';
export type { Registry, RepoRef } from './transport/registry-api.js';
export { isRegistryError, isRegsizeError, RegistryError, RegsizeError, UsageError, type ErrorCode } from './errors.js';
