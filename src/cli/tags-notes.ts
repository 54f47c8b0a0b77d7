/**
 * The notes `regsize tags` writes on stderr for people, beside the table: why nothing was
 * sized, which tags were hidden or left out by --limit, and how many tags lack the platform.
 */
import { formatPlatform } from '../oci/platform.js';
import type { PlatformRequest } from '../sizing/resolve.js';
import type { Selection } from '../tags/select.js';
import { isMissingPlatform, type TagsResult } from '../tags/result.js';

export interface TagsNotesContext {
  /** The repository as the user wrote it. */
  repository: string;
  /** Whether --filter or --regex was given. */
  filtered: boolean;
  limit?: number | undefined;
  platform: PlatformRequest;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

export function tagsNotes(result: TagsResult, selection: Selection, c: TagsNotesContext): string[] {
  if (selection.tags.length === 0) {
    const hidden = selection.hidden ? ` (${selection.hidden} signature/attestation tags hidden; --all-tags shows them)` : '';
    return [c.filtered ? `no tags of ${c.repository} match the filters${hidden}` : `${c.repository} has no tags to size${hidden}`];
  }
  const notes: string[] = [];
  if (selection.hidden) notes.push(`${selection.hidden} signature/attestation tag${plural(selection.hidden, '', 's')} hidden (--all-tags shows them)`);
  if (selection.matched > selection.tags.length) notes.push(`${selection.matched} tags match; sized the ${selection.tags.length} highest in version order (--limit ${c.limit})`);
  const missing = result.tags.filter(isMissingPlatform).length;
  if (missing) notes.push(`${missing} tag${plural(missing, ' has', 's have')} no ${c.platform === 'all' ? '' : `${formatPlatform(c.platform)} `}image (see --platform)`);
  return notes;
}
