/** The options and results of `regsize tags`, shared by the registry path (size.ts) and the Docker Hub API path (hub-size.ts). */
import type { PlatformRequest } from '../sizing/resolve.js';
import type { RepoRef } from '../transport/registry-api.js';
import type { HttpClient } from '../transport/http.js';
import type { Logger } from '../log.js';
import type { TagSort, TagsResult } from './result.js';
import type { Selection, SelectOptions } from './select.js';

export interface HubOptions {
  http: HttpClient;
  /** Shown tags checked against their manifests (pulls spent); the CLI passes --verify, 3 unless given. */
  verify: number;
}

export type TagsPhase = 'tags' | 'sizing';

export interface TagsOptions extends SelectOptions {
  platform: PlatformRequest;
  sort: TagSort;
  /** Go on even when the registry's remaining pull allowance is too small. */
  force: boolean;
  logger: Logger;
  /** Progress of digest lookups ('tags') and then of sizing each distinct digest ('sizing'). */
  onProgress?: (phase: TagsPhase, done: number, total: number) => void;
  /** Docker Hub repositories: tags and sizes from hub.docker.com first (hub-size.ts). */
  hub?: HubOptions;
}

export interface TagsRun {
  result: TagsResult;
  selection: Selection;
  /** Distinct digests among the selected tags. */
  digests: number;
}

/** The repository as the user named it (`python`), with where it lives. */
export type TagsRepository = RepoRef & { input: string };

