/** What `regsize files` answers (its --json contract): the layers, largest files, waste, hints and packages. */
import type { PackageRow } from './package-view.js';

export type LayerSource = 'download' | 'toc' | 'cache' | 'local' | 'base';

export interface FilesLayer {
  digest: string;
  createdBy: string | null;
  /** Compressed bytes. */
  size: number;
  /** Files (not folders) the layer holds, or null when it was not read. */
  files: number | null;
  addedBytes: number | null;
  /** Where the listing came from; "base": shared with the base image and not read. */
  source: LayerSource;
}

export interface FilesResult {
  reference: string;
  platform: string;
  manifestDigest: string;
  /** Compressed bytes read from the registry for the listings. */
  bytesDownloaded: number;
  layers: FilesLayer[];
  largest: { path: string; size: number; layer: number }[];
  directories: { path: string; size: number }[];
  wasted: {
    bytes: number;
    efficiency: number;
    files: { path: string; size: number; layer: number; removedBy: number; reason: 'deleted' | 'overwritten' }[];
    /** Set when part of the answer is unknown, saying why. */
    note?: string;
  };
  /** `packages`: for a rule answered from the package database (e.g. `*-dev`), the packages by name instead of paths. */
  hints: { rule: string; bytes: number; layer: number; createdBy: string | null; paths: string[]; packages?: string[]; advice: string }[];
  packages: PackageRow[];
  warnings: string[];
  /** Layers that could not be read (the command exits 1); absent when none. */
  failedLayers?: number;
}

export interface DownloadPlan {
  layers: { index: number; digest: string; size: number }[];
  bytes: number;
  /** Set for a local image: the layers are read from disk, not downloaded. */
  local?: true;
}
