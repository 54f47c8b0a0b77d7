/**
 * The stderr lines that explain failed images, one per failure, each naming what failed:
 *   regsize: python:3.99: manifest unknown (no such tag or digest); list the tags with "regsize tags python" [MANIFEST_UNKNOWN]
 * The table keeps a row for the image (`error: MANIFEST_UNKNOWN`); the why goes to stderr, so
 * `regsize A B > sizes.txt` still shows it. A failure several images share (the same code and
 * message: a registry that cannot be reached) is said once, naming the registry and every image.
 */
import { apiHost, formatReference, parseReference, repositoryName } from '../reference/reference.js';
import { terminalSafe } from '../util/terminal-safe.js';

export interface Failure {
  /** As the user wrote it: `python:3.99`. */
  reference: string;
  error: { code: string; message: string };
}

/** The reference as regsize normalised it (`docker.io/library/python:3.99`), or undefined for an unparsable one. */
function normalised(reference: string): { full: string; repository: string; host: string } | undefined {
  try {
    const ref = parseReference(reference);
    return { full: formatReference(ref), repository: repositoryName(ref), host: apiHost(ref.registry) };
  } catch {
    return undefined;
  }
}

/** The repository as the user wrote it: the reference without its tag or digest. */
function userRepository(reference: string): string {
  return reference.trim().replace(/@.*$/, '').replace(/:[^/:]*$/, '');
}

/** The message without the normalised name it starts with (the line names the image as the user wrote it). */
function ownMessage(f: Failure): string {
  const n = normalised(f.reference);
  let message = f.error.message.replace(/\s*\n\s*/g, ' ');
  // A local image's message names it as given (docker-daemon:app:v1, oci:dir): said once.
  if (message.startsWith(`${f.reference}: `)) return message.slice(f.reference.length + 2);
  if (!n) return message;
  if (message.startsWith(`${n.full}: `)) message = message.slice(n.full.length + 2);
  return message.split(`"regsize tags ${n.repository}"`).join(`"regsize tags ${userRepository(f.reference)}"`);
}

/** The lines, each terminal-safe: the messages quote registries (error bodies, tags). */
export function failureLines(failures: readonly Failure[]): string[] {
  return rawFailureLines(failures).map(terminalSafe);
}

function rawFailureLines(failures: readonly Failure[]): string[] {
  const groups = new Map<string, Failure[]>();
  for (const f of failures) {
    const key = `${f.error.code}\n${f.error.message}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const lines: string[] = [];
  for (const group of groups.values()) {
    const first = group[0] as Failure;
    const refs = [...new Set(group.map((f) => f.reference))];
    if (refs.length === 1) {
      lines.push(`regsize: ${first.reference}: ${ownMessage(first)} [${first.error.code}]`);
      continue;
    }
    const hosts = [...new Set(refs.map((r) => normalised(r)?.host).filter((h) => h !== undefined))];
    const where = hosts.length === 1 ? `${hosts[0]} (${refs.length} images: ${refs.join(', ')})` : `${refs.length} images (${refs.join(', ')})`;
    lines.push(`regsize: ${where}: ${first.error.message.replace(/\s*\n\s*/g, ' ')} [${first.error.code}]`);
  }
  return lines;
}
