/**
 * skopeo (containers/image) as an independent second opinion on what is in the registry.
 *
 * What Debian's skopeo 1.9.3 gives (checked against docker-registry 2.8):
 * - `inspect` JSON has only Name ("HOST/repo", no tag), Digest, RepoTags, Created,
 *   DockerVersion, Labels, Architecture, Os, Layers (digests) and Env. Unlike upstream 1.9
 *   there is NO LayersData and NO Variant, so it reports no sizes at all: use
 *   skopeoInspectRaw (descriptor sizes as served) or skopeoCopy (blobs really downloaded and
 *   digest-checked) for sizes.
 * - Digest is the digest of the manifest the reference resolves to: for a tag on an index
 *   that is the index digest, whichever platform was picked.
 * - A Docker schema 2 manifest with a layer media type outside Docker's own set (e.g. the
 *   OCI +zstd type) is refused by inspect and copy ("unsupported docker v2s2 media type"),
 *   although the registry stores it happily; --raw still works.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LocalRegistry } from './registry.js';

export type SkopeoTarget = Pick<LocalRegistry, 'host' | 'auth'>;

export interface SkopeoPlatform {
  os: string;
  arch: string;
  variant?: string;
}

/** The manifest bytes exactly as the registry serves them (index or image; no platform pick). */
export async function skopeoInspectRaw(reg: SkopeoTarget, ref: string): Promise<Buffer> {
  return skopeo(['inspect', '--raw', '--tls-verify=false', ...creds(reg, '')], reg, ref);
}

/** `skopeo inspect` of one image (see the field list above); for an index it picks
 * `platform`, by default the host's. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- skopeo's JSON, asserted on loosely
export async function skopeoInspect(reg: SkopeoTarget, ref: string, platform?: SkopeoPlatform): Promise<any> {
  const out = await skopeo([...overrides(platform), 'inspect', '--tls-verify=false', ...creds(reg, '')], reg, ref);
  return JSON.parse(out.toString('utf8'));
}

/**
 * `skopeo copy` of one image (platform picked as for inspect) into a `dir:` layout. skopeo
 * downloads every blob and checks its digest, so the sizes returned are what a real pull
 * transfers. Returns the manifest it wrote and blob digest -> size on disk.
 */
export async function skopeoCopy(
  reg: SkopeoTarget,
  ref: string,
  destDir: string,
  platform?: SkopeoPlatform,
): Promise<{ manifest: Buffer; blobSizes: Map<string, number> }> {
  await skopeo([...overrides(platform), 'copy', '--quiet', '--src-tls-verify=false', ...creds(reg, 'src-')], reg, ref, [`dir:${destDir}`]);
  const blobSizes = new Map<string, number>();
  for (const name of await readdir(destDir)) {
    if (/^[0-9a-f]{64}$/.test(name)) blobSizes.set(`sha256:${name}`, (await stat(path.join(destDir, name))).size);
  }
  return { manifest: await readFile(path.join(destDir, 'manifest.json')), blobSizes };
}

/** --override-* are global options, so they go before the subcommand. */
function overrides(p: SkopeoPlatform | undefined): string[] {
  if (!p) return [];
  return ['--override-os', p.os, '--override-arch', p.arch, ...(p.variant ? ['--override-variant', p.variant] : [])];
}

/** --no-creds keeps any auth file on the machine out of anonymous tests. */
function creds(reg: SkopeoTarget, prefix: string): string[] {
  return reg.auth ? [`--${prefix}creds`, `${reg.auth.username}:${reg.auth.password}`] : [`--${prefix}no-creds`];
}

// --tls-verify=false (set by the callers) lets skopeo fall back to plain HTTP on loopback.
function skopeo(args: string[], reg: SkopeoTarget, ref: string, after: string[] = []): Promise<Buffer> {
  const full = [...args, `docker://${reg.host}/${ref}`, ...after];
  return new Promise((resolve, reject) => {
    execFile('skopeo', full, { encoding: 'buffer', maxBuffer: 64 << 20, timeout: 30_000 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const shown = full.map((a) => (reg.auth && a.endsWith(`:${reg.auth.password}`) ? `${reg.auth.username}:***` : a));
      reject(new Error(`skopeo ${shown.join(' ')} failed (${err.code ?? err.signal}):\n${stderr.toString('utf8').trim()}`));
    });
  });
}
