/** The model of a `regsize report` config, as ./config.ts returns it (types only). */
import type { Reference } from '../reference/reference.js';
import type { Bandwidth } from '../units.js';
import type { GrowthLimit } from '../sizing/growth-gate.js';
import type { PlatformRequest } from '../sizing/resolve.js';
import type { ImageInput } from '../source/parse.js';

/** One entry of `images:`. */
export interface ImageTarget {
  /** A registry reference or a local image (oci:, oci-archive:, docker-archive:; paths from the working directory). */
  ref: ImageInput;
  maxSize?: number;
  /** Fail (exit 3) when the image grew by more than this since the previous recorded run. */
  maxGrowth?: GrowthLimit;
  /** maxGrowth is counted from this image (sized in the same run) instead of the previous run. */
  baseline?: Reference;
  /** Line in the config file, for messages about this entry. */
  line: number;
}

/** One entry of `tags:`: the tags of a repository, optionally filtered. */
export interface TagsTarget {
  /** As written ("python", "ghcr.io/org/app"). */
  repository: string;
  /** Globs on tag names ("3.12-*"); a tag is kept when it matches any. */
  filter?: string[];
  /** Regular expression on tag names. */
  regex?: string;
  /** At most this many tags (after filtering). */
  limit?: number;
  /** Keep signature and attestation tags (sha256-<hex>.sig ...). */
  allTags?: boolean;
  maxSize?: number;
  maxGrowth?: GrowthLimit;
  line: number;
}

/** One entry of `ecr:`: repositories of an ECR registry, audited for stored bytes. */
export interface EcrTarget {
  region: string;
  /** Repository names, or every repository of the registry. */
  repositories: string[] | 'all';
  /** The 12-digit account of the registry; the caller's own by default. */
  registryId?: string;
  /** A named AWS profile (shared config / SSO); the standard credential chain by default. */
  profile?: string;
  /** An image not pulled for this many days is stale. @default 90 */
  staleDays?: number;
  /** Storage price in dollars per GB-month. @default 0.10 */
  pricePerGbMonth?: number;
  line: number;
}

export interface ReportConfig {
  /** The file as given, for messages and the report header. */
  file: string;
  title?: string;
  platform?: PlatformRequest;
  bandwidths?: Bandwidth[];
  defaults: { maxSize?: number; maxGrowth?: GrowthLimit };
  images: ImageTarget[];
  tags: TagsTarget[];
  ecr: EcrTarget[];
}
