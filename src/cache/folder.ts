/**
 * Making the cache folder, safely on any file system. Node's `mkdir(..., { recursive: true })`
 * never returns on procfs: mkdir there answers ENOENT although the parent exists, and Node
 * takes ENOENT to mean "make the parent first", forever (issue #11). So:
 *
 *   - a cache folder under /proc or /sys (kernel pseudo file systems, which hold no cache) is
 *     refused up front, symlinks resolved, and the run goes on uncached;
 *   - folders are made one component at a time, top down: at most one mkdir per component,
 *     so a file system that answers oddly fails with its error instead of looping.
 */
import { realpathSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';

const PSEUDO_ROOTS = ['/proc', '/sys'];

/** The pseudo file system (`/proc`, `/sys`) that `dir` lives on, through symlinks; else undefined. */
export function pseudoFilesystemOf(dir: string): string | undefined {
  const candidates = [resolve(dir)];
  // The folder may not exist yet: resolve the symlinks of its nearest existing ancestor.
  for (let p = resolve(dir); ; p = dirname(p)) {
    try {
      candidates.push(realpathSync(p));
      break;
    } catch {
      if (dirname(p) === p) break;
    }
  }
  for (const path of candidates) {
    const root = PSEUDO_ROOTS.find((r) => path === r || path.startsWith(`${r}${sep}`));
    if (root) return root;
  }
  return undefined;
}

/** `mkdir -p` with a bounded number of steps: one mkdir per missing component. */
export async function makeFolder(path: string, mode: number): Promise<void> {
  const missing: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    const st = await stat(p).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (st) {
      if (!st.isDirectory()) throw Object.assign(new Error(`${p} is not a folder`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing.reverse()) {
    try {
      await mkdir(p, { mode });
    } catch (e) {
      // Another process (a concurrent regsize) made it first.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
