/**
 * What a local source (an OCI layout, an archive, the Docker Engine) hands to sizing: the
 * manifest it names, a store to follow an index and fetch the config from (the same two calls
 * a registry answers), and a reader for the layers. Sizing then treats it as it treats a
 * registry image (src/sizing/image-source.ts).
 */
import type { FetchedManifest } from '../oci/manifest.js';
import type { LayerReader } from '../oci/layer-reader.js';

/** Manifests and small blobs by digest: what resolving an index and reading a config need. */
export interface ManifestStore {
  /** A manifest by digest (or by tag, for registries), its digest checked. */
  manifestGet(reference: string): Promise<FetchedManifest>;
  /** A small blob (the image config), whole and verified. */
  blobGet(digest: string): Promise<Uint8Array>;
}

export interface LocalImage {
  /** The input as given, e.g. `oci-archive:app.tar`. */
  input: string;
  /** What the image is called in output: the input, normalised. */
  name: string;
  /** The manifest the input names: an index or one image. */
  top: FetchedManifest;
  store: ManifestStore;
  reader: LayerReader;
  /**
   * For layers stored as plain tars (docker save): per layer digest, the gzip size a push would
   * upload, estimated by compressing the layer, and its exact tar size.
   */
  estimated?: Map<string, { compressed: number; tar: number }>;
}
