/**
 * Install time from the packed tarball (issue #16: under 30 s, no compiler): `npm pack` of a
 * copy of the checkout (its prepack build is not timed, and never touches this checkout's
 * dist/), then `npm install --global --prefix TMP --prefer-offline` of the tarball, timed, then the
 * installed `regsize --version` run as a check. Skippable as `install`.
 * --prefer-offline, not --offline: `npm ci` caches the dependencies' tarballs but not their
 * registry documents (it reads the lockfile), and a global install of a tarball resolves its
 * dependencies by those documents, so on a fresh machine --offline fails (ENOTCACHED) where a
 * user's install would not. Tarballs still come from the cache; the few documents from the
 * registry, as they would for the user. The install test does the same (test/helpers/prebuilt.ts).
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { cleanEnv, copyCheckout, NPM_CLI } from '../test/helpers/package.js';
import { expectSuccess, runProcess } from './measure.js';

export interface InstallResult {
  ms?: number;
  /** Why it was not measured. */
  error?: string;
}

export async function measureInstall(tmp: string): Promise<InstallResult> {
  const dir = path.join(tmp, 'install');
  try {
    await mkdir(dir, { recursive: true });
    const src = path.join(dir, 'src');
    copyCheckout(src);
    const env = cleanEnv({});
    const pack = expectSuccess(await runProcess(process.execPath, [NPM_CLI, 'pack', '--json', '--ignore-scripts=false'], { env, cwd: src }));
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string }[];
    if (!info) throw new Error('npm pack named no tarball');
    const prefix = path.join(dir, 'prefix');
    const started = performance.now();
    expectSuccess(await runProcess(process.execPath, [NPM_CLI, 'install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(src, info.filename)], { env, cwd: dir }));
    const ms = performance.now() - started;
    const version = expectSuccess(await runProcess(path.join(prefix, 'bin', 'regsize'), ['--version'], { env }));
    if (!/^regsize\/\d/.test(version.stdout)) throw new Error(`the installed regsize --version printed ${JSON.stringify(version.stdout)}`);
    return { ms };
  } catch (e) {
    return { error: (e as Error).message.split('\n').slice(0, 6).join(' ').slice(0, 400) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
