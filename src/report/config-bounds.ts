/**
 * Bounds on a report config, checked before the YAML is composed into a document: the file's
 * size before it is read, then the counts of keys, list entries, nodes and aliases on the
 * parser's token stream (one linear pass). Composing is the costly step (the yaml library's
 * duplicate-key check is quadratic in the keys of a mapping: a 20,000-key config took 5.6 s to
 * refuse, 60,000 keys 72 s), so a config past these bounds is refused in one located line
 * without being composed. The bounds are far above any real config: the widest mapping of the
 * schema has 7 keys, and a config listing 10,000 images is a data file, not a config.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CST, LineCounter, Parser } from 'yaml';
import { UsageError } from '../errors.js';

/** Largest config file read: 1 MiB. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Most keys in one mapping (the schema's widest has 7). */
export const MAX_KEYS_PER_MAPPING = 64;
/** Most entries in one list (images, tags, ecr, repositories, filters). */
export const MAX_LIST_ENTRIES = 10_000;
/** Most keys and list entries in the whole file. */
export const MAX_NODES = 50_000;
/** Most aliases (`*name`): each is walked again wherever it is used. */
export const MAX_ALIASES = 100;

function tooLarge(file: string, bytes: number | string): UsageError {
  return new UsageError('CONFIG_INVALID', `${file}: the config is ${bytes} bytes, more than the ${MAX_CONFIG_BYTES} (1 MiB) a report config may be: is --config the right file?`);
}

/** Refuses a config file larger than MAX_CONFIG_BYTES, by its size when known or once that many bytes were read. */
export function checkConfigSize(file: string, bytes: number, complete = true): void {
  if (bytes > MAX_CONFIG_BYTES) throw tooLarge(file, complete ? bytes : `over ${MAX_CONFIG_BYTES}`);
}

type Collection = CST.BlockMap | CST.BlockSequence | CST.FlowCollection;

function isCollection(t: CST.Token | null | undefined): t is Collection {
  return t?.type === 'block-map' || t?.type === 'block-seq' || t?.type === 'flow-collection';
}

function isMapping(t: Collection): boolean {
  return t.type === 'block-map' || (t.type === 'flow-collection' && t.start.source === '{');
}

/** Refuses text past the bounds above with a located CONFIG_INVALID error; YAML errors are left to the parser that follows. */
export function checkConfigBounds(text: string, file: string): void {
  checkConfigSize(file, Buffer.byteLength(text, 'utf8'));
  const lines = new LineCounter();
  const at = (offset: number) => `${file}:${lines.linePos(offset).line}`;
  let nodes = 0;
  let aliases = 0;
  const stack: CST.Token[] = [];
  for (const token of new Parser(lines.addNewLine).parse(text)) {
    if (token.type === 'document' && token.value) stack.push(token.value);
    // An explicit stack: a deeply nested file must not overflow the call stack either.
    while (stack.length) {
      const t = stack.pop() as CST.Token;
      if (t.type === 'alias' && ++aliases > MAX_ALIASES) throw new UsageError('CONFIG_INVALID', `${at(t.offset)}: more than ${MAX_ALIASES} aliases (*name) in the config`);
      if (!isCollection(t)) continue;
      const mapping = isMapping(t);
      if (mapping && t.items.length > MAX_KEYS_PER_MAPPING) {
        throw new UsageError('CONFIG_INVALID', `${at(t.offset)}: a mapping with ${t.items.length} keys, more than the ${MAX_KEYS_PER_MAPPING} a report config may have (its widest mapping has 7)`);
      }
      if (!mapping && t.items.length > MAX_LIST_ENTRIES) {
        throw new UsageError('CONFIG_INVALID', `${at(t.offset)}: a list of ${t.items.length} entries, more than the ${MAX_LIST_ENTRIES} a report config may have`);
      }
      nodes += t.items.length;
      if (nodes > MAX_NODES) throw new UsageError('CONFIG_INVALID', `${at(t.offset)}: more than ${MAX_NODES} keys and list entries in the config`);
      for (const item of t.items) {
        if (item.key) stack.push(item.key);
        if (item.value) stack.push(item.value);
      }
    }
  }
}

/** The file's text, refused before reading when its size is over the bound, and read no further than the bound (a FIFO, /dev/zero). */
export function readBounded(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isFile()) checkConfigSize(file, st.size);
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (let n; length < buf.length && (n = readSync(fd, buf, length, buf.length - length, null)) > 0; ) length += n;
    checkConfigSize(file, length, false);
    return buf.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}
