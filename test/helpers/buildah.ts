/**
 * Real images from Debian's buildah, as users push them: built FROM scratch (no network, no
 * base image), one layer per step, in private vfs storage under a temp dir.
 *
 * buildah (like podman and skopeo) keeps a blob-info cache in /var/lib/containers/cache that
 * silently reuses a gzip blob it pushed before when asked for zstd: each push therefore runs in
 * its own mount namespace with an empty cache bound over that path, so every push compresses
 * afresh. That needs root, as CI and the machines here run.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type Compression = 'gzip' | 'zstd' | 'zstd:chunked';

export interface BuildahStore {
  /** Builds an image whose layers hold these files (path -> content), one commit per layer; resolves to its local name. */
  build(name: string, layers: Record<string, Buffer | string>[]): Promise<string>;
  /** Pushes a built image to a plain-HTTP registry with a fresh blob-info cache. */
  push(name: string, target: string, compression: Compression): Promise<void>;
  /** Removes the storage. */
  remove(): void;
}

/**
 * The store's folder is made now; its commands run with `env` (default: this process's now),
 * asynchronously, so a store can be filled in the background (./background.ts) while other
 * tests run and swap process.env for their own.
 */
export function buildahStore(env: NodeJS.ProcessEnv = { ...process.env }): BuildahStore {
  const dir = mkdtempSync(join(tmpdir(), 'regsize-buildah-'));
  const base = ['--root', join(dir, 'root'), '--runroot', join(dir, 'runroot'), '--storage-driver', 'vfs'];
  const buildah = async (...args: string[]) => (await run('buildah', [...base, ...args], { encoding: 'utf8', env })).stdout.trim();
  let n = 0;
  return {
    async build(name, layers) {
      let from = 'scratch';
      for (const [i, files] of layers.entries()) {
        const ctx = join(dir, `ctx-${n++}`);
        for (const [path, content] of Object.entries(files)) {
          mkdirSync(dirname(join(ctx, path)), { recursive: true });
          writeFileSync(join(ctx, path), content);
        }
        const container = await buildah('from', '--quiet', from);
        await buildah('copy', '--quiet', container, `${ctx}/.`, '/');
        const tag = i === layers.length - 1 ? name : `${name}-step${i}`;
        await buildah('commit', '--quiet', '--rm', container, tag);
        from = tag;
      }
      return name;
    },
    async push(name, target, compression) {
      const cache = mkdtempSync(join(dir, 'cache-'));
      const push = ['buildah', ...base, 'push', '--quiet', '--tls-verify=false', '--compression-format', compression, name, `docker://${target}`].map(shellQuote).join(' ');
      await run('unshare', ['-m', 'sh', '-c', `mount --bind ${shellQuote(cache)} /var/lib/containers/cache && ${push}`], { env });
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
