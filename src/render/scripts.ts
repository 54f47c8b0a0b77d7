/**
 * compare and tags output for scripts: `--format csv` (one row per image or tag, exact bytes,
 * an error's code and message in its row) and `--quiet` (only the compressed size in bytes, one
 * line per image, as people ask of `crane size`). Failed entries have no quiet line: the caller
 * reports them on stderr and exits 1, so a script never reads a wrong number.
 */
import { type CompareResult, isErrorEntry } from '../sizing/compare.js';
import { isTagError, type TagsResult } from '../tags/result.js';
import { renderCsv } from './csv.js';

const COMPARE_HEADER = ['reference', 'name', 'platform', 'digest', 'manifest_digest', 'compressed_size', 'layers', 'uncompressed_size', 'error_code', 'error_message'];

export function renderCompareCsv(result: CompareResult): string {
  return renderCsv(
    COMPARE_HEADER,
    result.images.map((e) =>
      isErrorEntry(e)
        ? [e.reference, '', '', '', '', '', '', '', e.error.code, e.error.message]
        : [e.reference, e.name, e.platform, e.digest, e.manifestDigest, e.compressedSize, e.layers.length, e.uncompressedSize, '', ''],
    ),
  );
}

const TAGS_HEADER = ['repository', 'tag', 'digest', 'platform', 'compressed_size', 'error_code', 'error_message'];

export function renderTagsCsv(result: TagsResult): string {
  return renderCsv(
    TAGS_HEADER,
    result.tags.map((e) => (isTagError(e) ? [result.repository, e.tag, e.digest, '', '', e.error.code, e.error.message] : [result.repository, e.tag, e.digest, e.platform, e.compressedSize, '', ''])),
  );
}

/** One line per sized image: its compressed size in bytes. Failed images have none. */
export function renderCompareQuiet(result: CompareResult): string {
  return result.images.flatMap((e) => (isErrorEntry(e) ? [] : [`${e.compressedSize}\n`])).join('');
}
