/**
 * Reads a layer's bytes as the image stores them (compressed as `mediaType` says: gzip, zstd,
 * or a plain tar), streamed and never held whole. Registry images read the blob from the
 * registry; local images (OCI layouts, archives, the Docker Engine) read it from disk or a socket.
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
