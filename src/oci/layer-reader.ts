/**
 * How layer bytes are read, declared where every source can fill it without knowing the others:
 * the registry client (transport/) and local images (source/) satisfy these interfaces
 * structurally, and sizing/ and files/ depend on the interfaces alone.
 *
 *   LayerReader      a layer's stored bytes as an async iterable (registry or disk)
 *   LayerBlobSource  a blob read by range, or streamed into a sink (the uncompressed sizer)
 *
 * Bytes are as the image stores them (compressed as `mediaType` says: gzip, zstd, or a plain
 * tar), streamed and never held whole.
 */
export interface LayerBlob {
  digest: string;
  mediaType: string;
  size: number;
}

export interface LayerReader {
  /** The layer's stored bytes, in order; where the source can, verified against `digest` by the end. */
  openLayer(layer: LayerBlob): AsyncIterable<Uint8Array>;
}

/** Receives a streamed body; each write is awaited, so a slow consumer slows the producer. */
export interface ChunkSink {
  write(chunk: Uint8Array): void | Promise<void>;
}

/** The repository a blob lives in (the registry client's RepoRef). */
export interface BlobRepository {
  registry: string;
  repository: string;
}

/** A blob as a descriptor names it: what a source checks the bytes against. */
export interface BlobRef {
  digest: string;
  size: number;
}

/** A byte range of a blob, or the news that the source ignored the range and sent nothing. */
export interface BlobRangeRead {
  bytes: Uint8Array;
  /** True when the source would only send the whole blob, and none of it was read. */
  rangeIgnored: boolean;
}

/** What reading blobs by range and by stream needs of where they live (RegistryClient fills it). */
export interface LayerBlobSource {
  /** Bytes `start`..`end` (inclusive) of the blob, checked to be those bytes of a blob of `blob.size`. */
  blobRange(repo: BlobRepository, blob: BlobRef, range: { start: number; end: number }): Promise<BlobRangeRead>;
  /**
   * The whole blob streamed into a sink, verified against `blob.digest` before this resolves.
   * `sink` is called again for a fresh sink if the read starts over.
   */
  blobStream(repo: BlobRepository, blob: BlobRef, sink: () => ChunkSink): Promise<{ bytes: number }>;
}
