/**
 * Reads and checks the Docker config (`config.json`) before anything in it is used. The file
 * is the user's, but tools and hand edits break it: a `null`, an array, an `auth` that is a
 * number. Docker itself refuses such a file (its JSON decoding fails), and so does regsize, with
 * a CREDENTIALS error naming the file and the field, instead of a TypeError further on.
 *
 * Only a missing file means "no credentials" (anonymous access). A file that exists but cannot
 * be read (EACCES, EISDIR) is an error: falling back to anonymous would hide why a private
 * image is suddenly "not found". A `null` field counts as absent, as in Docker's Go decoding.
 */
import { readFile } from 'node:fs/promises';
import { RegsizeError } from '../errors.js';

export interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export interface DockerConfigFile {
  auths?: Record<string, DockerAuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

const ENTRY_FIELDS = ['auth', 'username', 'password', 'identitytoken', 'registrytoken'] as const;

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a config that exists cannot be read, in words, by the errno Node gives. */
const UNREADABLE: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of its path is a file, not a folder (is DOCKER_CONFIG a file?)',
  ELOOP: 'it is a symlink loop',
};

/** The config at `path`; `{}` when there is no such file. */
export async function readDockerConfig(path: string): Promise<DockerConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return {};
    const why = (code && UNREADABLE[code]) ?? 'it cannot be read';
    throw new RegsizeError('CREDENTIALS', `cannot read the Docker config ${path}: ${why} (${code ?? (e as Error).message}); make it a readable file, or set DOCKER_CONFIG to another folder`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new RegsizeError('CREDENTIALS', `${path} is not valid JSON; fix or remove it`);
  }
  return checkDockerConfig(doc, path);
}

/** The parsed document, checked field by field; throws on the first field of the wrong type. */
export function checkDockerConfig(doc: unknown, path: string): DockerConfigFile {
  const bad = (what: string, expected: string, v: unknown) =>
    new RegsizeError('CREDENTIALS', `${path}: ${what} must be ${expected}, not ${kindOf(v)}; fix or remove it (docker login rewrites it)`);
  if (!isObject(doc)) throw bad('the document', 'a JSON object', doc);
  const out: DockerConfigFile = {};
  const { auths, credsStore, credHelpers } = doc;
  if (auths !== undefined && auths !== null) {
    if (!isObject(auths)) throw bad('"auths"', 'an object of registries', auths);
    out.auths = {};
    for (const [registry, entry] of Object.entries(auths)) {
      if (entry === null) continue;
      if (!isObject(entry)) throw bad(`"auths"."${registry}"`, 'an object', entry);
      const checked: DockerAuthEntry = {};
      for (const field of ENTRY_FIELDS) {
        const v = entry[field];
        if (v === undefined || v === null) continue;
        if (typeof v !== 'string') throw bad(`"auths"."${registry}"."${field}"`, 'a string', v);
        checked[field] = v;
      }
      out.auths[registry] = checked;
    }
  }
  if (credsStore !== undefined && credsStore !== null) {
    if (typeof credsStore !== 'string') throw bad('"credsStore"', 'a string', credsStore);
    out.credsStore = credsStore;
  }
  if (credHelpers !== undefined && credHelpers !== null) {
    if (!isObject(credHelpers)) throw bad('"credHelpers"', 'an object of registries', credHelpers);
    out.credHelpers = {};
    for (const [registry, helper] of Object.entries(credHelpers)) {
      if (typeof helper !== 'string') throw bad(`"credHelpers"."${registry}"`, 'a string', helper);
      out.credHelpers[registry] = helper;
    }
  }
  return out;
}
