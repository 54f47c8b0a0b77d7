/**
 * A minimal push client over the distribution HTTP API, independent of regsize's own
 * transport so a bug there cannot hide itself in the fixtures.
 */
import { createHash } from 'node:crypto';
import type { LocalRegistry } from './registry.js';

/** What the helpers need from a registry; a LocalRegistry is one. */
export type RegistryTarget = Pick<LocalRegistry, 'url' | 'auth'>;

/**
 * Every manifest type. distribution 2.8 negotiates on Accept: an OCI manifest or index not
 * listed there is a 404 MANIFEST_UNKNOWN ("OCI index found, but accept header does not
 * support OCI indexes"), and a Docker schema 2 manifest is rewritten on the fly into a
 * signed schema 1 one (another digest) unless schema 2 is listed.
 */
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export async function pushBlob(reg: RegistryTarget, repo: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
  const digest = sha256(bytes);
  const size = bytes.length;
  const head = await call(reg, 'HEAD', `/v2/${repo}/blobs/${digest}`, {}, [200, 404]);
  if (head.status === 200) return { digest, size };

  const start = await call(reg, 'POST', `/v2/${repo}/blobs/uploads/`, {}, [202]);
  const location = start.headers.get('location');
  if (!location) throw new Error(`POST /v2/${repo}/blobs/uploads/ gave no Location header`);
  // Location carries upload state in its query (_state=...), so add the digest, don't replace.
  const target = new URL(location, reg.url);
  target.searchParams.set('digest', digest);
  await call(reg, 'PUT', target.toString(), { body: bytes, headers: { 'content-type': 'application/octet-stream' } }, [201]);
  return { digest, size };
}

/** PUTs a manifest under a tag or its digest; returns the digest of `bytes`. */
export async function pushManifest(
  reg: RegistryTarget,
  repo: string,
  reference: string,
  bytes: Buffer,
  mediaType: string,
): Promise<string> {
  const digest = sha256(bytes);
  const res = await call(reg, 'PUT', `/v2/${repo}/manifests/${reference}`, { body: bytes, headers: { 'content-type': mediaType } }, [201]);
  // The registry must store our bytes verbatim; a different digest would make every
  // fixture digest in the tests a lie.
  const stored = res.headers.get('docker-content-digest');
  if (stored && stored !== digest) throw new Error(`registry stored manifest as ${stored}, expected ${digest}`);
  return digest;
}

export async function getManifest(
  reg: RegistryTarget,
  repo: string,
  reference: string,
): Promise<{ bytes: Buffer; mediaType: string; digest: string }> {
  const res = await call(reg, 'GET', `/v2/${repo}/manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT } }, [200]);
  return { bytes: res.body, mediaType: res.headers.get('content-type') ?? '', digest: sha256(res.body) };
}

/** GET a blob (the filesystem driver serves it directly, no redirect). */
export async function getBlob(reg: RegistryTarget, repo: string, digest: string): Promise<Buffer> {
  return (await call(reg, 'GET', `/v2/${repo}/blobs/${digest}`, {}, [200])).body;
}

/** Deletes by digest, resolving a tag first: distribution 2.8 answers DELETE by tag with
 * 400 DIGEST_INVALID. Deleting a manifest also drops every tag that points to it. */
export async function deleteManifest(reg: RegistryTarget, repo: string, reference: string): Promise<void> {
  const digest = reference.includes(':') ? reference : (await getManifest(reg, repo, reference)).digest;
  await call(reg, 'DELETE', `/v2/${repo}/manifests/${digest}`, {}, [202]);
}

/** Gives an existing manifest another tag by re-uploading its exact bytes; returns its digest. */
export async function tagExisting(reg: RegistryTarget, repo: string, fromRef: string, newTag: string): Promise<string> {
  const m = await getManifest(reg, repo, fromRef);
  return pushManifest(reg, repo, newTag, m.bytes, m.mediaType);
}

export function authHeader(reg: RegistryTarget): Record<string, string> {
  if (!reg.auth) return {};
  const token = Buffer.from(`${reg.auth.username}:${reg.auth.password}`).toString('base64');
  return { authorization: `Basic ${token}` };
}

interface Response {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** One request; throws with method, URL, status and body unless the status is expected. */
async function call(
  reg: RegistryTarget,
  method: string,
  pathOrUrl: string,
  init: { body?: Buffer; headers?: Record<string, string> },
  expected: number[],
): Promise<Response> {
  const url = new URL(pathOrUrl, reg.url).toString();
  const res = await fetch(url, {
    method,
    headers: { ...authHeader(reg), ...init.headers },
    ...(init.body ? { body: init.body } : {}),
  });
  const body = Buffer.from(await res.arrayBuffer());
  if (!expected.includes(res.status)) {
    throw new Error(`${method} ${url} -> ${res.status} ${res.statusText}: ${body.toString('utf8').slice(0, 2000)}`);
  }
  return { status: res.status, headers: res.headers, body };
}
