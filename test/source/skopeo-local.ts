/** skopeo copy from the test registry into local image formats: real tool output for the local-source tests. */
import { execFile } from 'node:child_process';
import type { LocalRegistry } from '../helpers/registry.js';

export function skopeoRun(args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('skopeo', args, { timeout: 60_000, maxBuffer: 16 << 20, ...(env ? { env: { ...process.env, ...env } } : {}) }, (err, stdout, stderr) => {
      if (err) reject(new Error(`skopeo ${args.join(' ')} failed: ${stderr}`));
      else resolve(stdout);
    });
  });
}

/** `skopeo copy docker://HOST/ref DEST` (DEST e.g. oci:DIR:tag, oci-archive:FILE, docker-archive:FILE:name:tag). */
export function copyFromRegistry(reg: Pick<LocalRegistry, 'host'>, ref: string, dest: string): Promise<string> {
  return skopeoRun(['copy', '--quiet', '--src-tls-verify=false', '--src-no-creds', `docker://${reg.host}/${ref}`, dest]);
}

/**
 * `skopeo copy SRC docker://HOST/ref`: a real push (skopeo gzips plain-tar layers as it uploads
 * them). containers/image remembers which compressed blob a diff_id was pushed as
 * (blob-info-cache, under $XDG_DATA_HOME) and reuses it instead of compressing: `home`, an
 * empty directory, keeps that memory out so the push really compresses.
 */
export function pushToRegistry(reg: Pick<LocalRegistry, 'host'>, src: string, ref: string, home: string): Promise<string> {
  return skopeoRun(['copy', '--quiet', '--dest-tls-verify=false', '--dest-no-creds', src, `docker://${reg.host}/${ref}`], { HOME: home, XDG_DATA_HOME: home });
}
