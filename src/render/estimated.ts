/**
 * `~` before a compressed size that is an estimate: a local layer stored as a plain tar
 * (docker save), gzipped as `docker push` would, the way the JSON says
 * `"compressedSizeEstimated": true`.
 */
import { formatBytes, type Units } from '../units.js';

export const ESTIMATE_NOTE = '~ estimated: layers stored as plain tars, gzip-compressed here as docker push would';

export function sizeCell(bytes: number, units: Units, estimated: boolean | undefined): string {
  return `${estimated ? '~' : ''}${formatBytes(bytes, units)}`;
}
