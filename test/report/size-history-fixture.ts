/** Report runs to record in a size history database, shared by its tests (not a test file itself). */
export const DAY = 86_400_000;
export const T0 = Date.UTC(2025, 0, 1, 6, 0, 0);
export const IMAGE = 'docker.io/library/python:3.12-slim';

export function run(at: number, sizes: Record<string, [number, string]>) {
  return {
    at,
    config: 'regsize.yaml',
    platform: 'linux/amd64',
    entries: Object.entries(sizes).map(([platform, [size, digest]]) => ({ image: IMAGE, platform, digest: `sha256:${digest.repeat(64).slice(0, 64)}`, manifestDigest: `sha256:${digest.repeat(64).slice(0, 64)}`, compressedSize: size, maxSize: 50_000_000 })),
  };
}
