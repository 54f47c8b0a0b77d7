/**
 * A 206 answer is only the range asked when its Content-Range (RFC 9110 14.4) says so: the asked
 * bytes (an end past the blob clipped to its last byte) of a blob whose total is the descriptor's
 * size, and a body that long. Anything else (another range, another blob's tail, no header, an
 * unknown `*` total) could be any bytes of anything, and a size read from them would be a
 * confident wrong number (#11).
 */
import { RegsizeError } from '../errors.js';
import type { HttpResponse } from './http.js';

export type ByteRange = { suffix: number } | { start: number; end: number };

export function checkContentRange(res: HttpResponse, blob: { size: number }, range: ByteRange, what: string): void {
  const value = res.headers.get('content-range');
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value?.trim() ?? '');
  const start = 'suffix' in range ? Math.max(0, blob.size - range.suffix) : range.start;
  const end = Math.min('suffix' in range ? blob.size - 1 : range.end, blob.size - 1);
  const expected = `bytes ${start}-${end}/${blob.size}`;
  if (m && Number(m[1]) === start && Number(m[2]) === end && Number(m[3]) === blob.size && res.body.length === end - start + 1) return;
  // The header is the registry's text: quoted (control characters escaped) and cut short.
  const said = value === null ? 'no Content-Range' : `Content-Range ${JSON.stringify(value.slice(0, 80))}`;
  throw new RegsizeError('REGISTRY_ERROR', `${what}: the registry answered 206 with ${said} and ${res.body.length} bytes, not ${expected}; its bytes cannot be trusted to be the ones asked for`);
}
