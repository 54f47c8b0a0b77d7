/**
 * When a first word is a mistyped command rather than an image. `regsize IMAGE...` runs
 * compare, so without this `regsize comapre python` would look up docker.io/library/comapre
 * on Docker Hub and answer with a confusing "unauthorized" or "not found".
 *
 * A word "looks like a command" when both hold:
 *  - it has none of `/ : @ .`: a reference with a registry, a path, a tag or a digest is an
 *    image, never a command (and the user can always write docker.io/library/<word>);
 *  - it is close to a command or topic word: at most 1 edit for words of up to 4 letters,
 *    2 for longer ones (optimal string alignment distance, so a swap of two neighbours is 1
 *    edit: "comapre"), compared case-insensitively.
 * The thresholds keep the names of popular images (alpine, nginx, redis, node, rust, gcc...)
 * out of reach of every command word; test/cli/route.test.ts checks a list of them.
 */
import { editDistance } from '../util/edit-distance.js';

/** The closest of `candidates` to `word` when `word` looks like a mistyped one of them. */
export function closeCommand(word: string, candidates: Iterable<string>): string | undefined {
  if (/[/:@.]/.test(word) || word.startsWith('-')) return undefined;
  const lower = word.toLowerCase();
  const allowed = lower.length <= 4 ? 1 : 2;
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(lower, name);
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}
