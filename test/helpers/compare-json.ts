/**
 * `regsize compare --json` as the tests read it, from the library's own types (src/sizing/
 * compare.ts), not re-declared: a renamed or retyped field breaks the tests' build.
 */
import type { ErrorEntry, ImageEntry } from '../../src/index.js';

/** One entry, image or error, every field but the reference optional: read without narrowing. */
export type AnyEntry = Partial<ImageEntry> & Partial<ErrorEntry> & Pick<ImageEntry, 'reference'>;

/** The document: one entry per image given, in order. */
export interface CompareJson {
  images: AnyEntry[];
}
