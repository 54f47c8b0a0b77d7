/**
 * Image references, parsed and normalised with Docker's rules
 * (github.com/distribution/reference, normalize.go):
 *   python            -> docker.io/library/python:latest
 *   user/app          -> docker.io/user/app:latest
 *   ghcr.io/org/app:1 -> ghcr.io/org/app:1
 *   host:5000/a/b@sha256:...   name:tag@digest
 * Everything is checked here, before any network call, so a typo costs no round trip.
 */
import { UsageError } from '../errors.js';
import { DIGEST_HEX_LENGTHS, DIGEST_RE } from '../oci/digest.js';

export interface Reference {
  /** What the user typed. */
  readonly input: string;
  /** Registry host as users write it (`docker.io`, `ghcr.io`, `localhost:5000`). */
  readonly registry: string;
  /** Repository path inside the registry (`library/python`). */
  readonly repository: string;
  /** Tag, when given or defaulted (`latest` when neither tag nor digest is given). */
  readonly tag: string | undefined;
  /** Digest, when given (`sha256:...`). */
  readonly digest: string | undefined;
}

export const DOCKER_HUB = 'docker.io';
/** Docker Hub's registry API lives on another host than its name (distribution/reference). */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

// Grammar from distribution/reference regexp.go.
const alphaNumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphaNumeric}(?:${separator}${alphaNumeric})*`;
const PATH_RE = new RegExp(`^${pathComponent}(?:/${pathComponent})*$`);
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(`^(?:${domainComponent}(?:\\.${domainComponent})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?$`);
export const TAG_RE = /^[\w][\w.-]{0,127}$/;
/** distribution/reference's RepositoryNameTotalLengthMax: since v0.6.0 it bounds the path alone. */
const REPOSITORY_PATH_MAX = 255;
/** A bare 64-hex word is an image ID to docker, never a name (anchoredIdentifierRegexp). */
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;

function invalid(input: string, why: string): UsageError {
  return new UsageError('INVALID_REFERENCE', `invalid reference "${input}": ${why}`);
}

export function validateDigest(digest: string, input = digest): void {
  if (!DIGEST_RE.test(digest)) throw invalid(input, `malformed digest "${digest}" (expected algorithm:hex, e.g. sha256:<64 hex digits>)`);
  const [algorithm, hex] = digest.split(':') as [string, string];
  const want = DIGEST_HEX_LENGTHS[algorithm];
  if (want === undefined) throw invalid(input, `unsupported digest algorithm "${algorithm}" (use ${Object.keys(DIGEST_HEX_LENGTHS).join(', ')})`);
  if (hex.length !== want || !/^[a-f0-9]+$/.test(hex)) {
    throw invalid(input, `malformed digest "${digest}" (${algorithm} needs ${want} lowercase hex digits)`);
  }
}

/** Splits `host/path` the way Docker decides whether the first component is a registry host. */
function splitDomain(name: string): { registry: string; path: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const looksLikeHost = slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  let registry = looksLikeHost ? first : DOCKER_HUB;
  let path = looksLikeHost ? name.slice(slash + 1) : name;
  if (registry === 'index.docker.io' || registry === DOCKER_HUB_API_HOST) registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  return { registry, path };
}

export function parseReference(input: string): Reference {
  // Not trimmed: docker refuses " python" too, and a quoting slip in a script should show.
  const raw = input;
  if (raw.trim() === '' && raw !== '') throw invalid(input, 'the name is only spaces');
  if (raw === '') throw invalid(input, 'the name is empty');
  if (raw.trim() !== raw) throw invalid(input, 'remove the spaces around the name');
  if (/\s/.test(raw)) throw invalid(input, 'references cannot contain spaces');
  if (IDENTIFIER_RE.test(raw)) throw invalid(input, 'a 64-character hexadecimal string is an image ID, not a name, as docker reads it (prefix the registry, e.g. docker.io/library/<name>, if it really is one)');
  if (raw.includes('://')) throw invalid(input, 'leave out the scheme (write "ghcr.io/org/app", not "https://ghcr.io/org/app")');

  let rest = raw;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    validateDigest(digest, input);
  }

  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG_RE.test(tag)) throw invalid(input, `invalid tag "${tag}" (letters, digits, "_", "." and "-", at most 128, not starting with "." or "-")`);
  }
  if (rest === '') throw invalid(input, 'the name is empty');

  const { registry, path } = splitDomain(rest);
  if (!DOMAIN_RE.test(registry)) throw invalid(input, `invalid registry host "${registry}"`);
  if (path === '') throw invalid(input, 'the repository name is empty');
  if (path !== path.toLowerCase()) throw invalid(input, `repository name "${path}" must be lowercase`);
  if (!PATH_RE.test(path)) {
    throw invalid(input, `invalid repository name "${path}" (lowercase letters, digits and separators ".", "_", "__", "-", components joined by "/")`);
  }
  if (path.length > REPOSITORY_PATH_MAX) throw invalid(input, `the repository path is longer than ${REPOSITORY_PATH_MAX} characters`);

  if (tag === undefined && digest === undefined) tag = 'latest';
  return { input, registry, repository: path, tag, digest };
}

/** `docker.io/library/python:3.11-slim`, `host/a/b@sha256:...`, `name:tag@digest`. */
export function formatReference(ref: Pick<Reference, 'registry' | 'repository' | 'tag' | 'digest'>): string {
  let s = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** Repository without tag or digest, fully qualified: `docker.io/library/python`. */
export function repositoryName(ref: Pick<Reference, 'registry' | 'repository'>): string {
  return `${ref.registry}/${ref.repository}`;
}

/** Parses a repository (no tag, no digest), as `regsize tags` takes it. */
export function parseRepository(input: string): Pick<Reference, 'input' | 'registry' | 'repository'> {
  const ref = parseReference(input);
  if (ref.digest !== undefined || (ref.tag !== undefined && /:[^/]*$/.test(input.trim()))) {
    throw new UsageError('INVALID_REFERENCE', `"${input}" names a tag or digest; give the repository alone (e.g. "python", "ghcr.io/org/app")`);
  }
  return { input: ref.input, registry: ref.registry, repository: ref.repository };
}

/** The host:port the registry API answers on. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}

/** The manifest identifier to request: the digest when pinned (it is immutable), else the tag. */
export function manifestIdentifier(ref: Pick<Reference, 'tag' | 'digest'>): string {
  return ref.digest ?? (ref.tag as string);
}
