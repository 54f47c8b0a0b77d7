/**
 * Typed reads over a parsed YAML config, every failure a UsageError naming the file, the line
 * and the key ("regsize.yaml:7: images[1].maxSize: invalid size ..."). Values go through the
 * same parsers as the command-line flags, so the config and the flags accept the same spellings.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type YAMLMap } from 'yaml';
import { isRegsizeError, UsageError } from '../errors.js';
import { parseSize } from '../units.js';
import { type GrowthLimit, parseGrowthLimit } from '../sizing/growth-gate.js';
import { editDistance } from '../util/edit-distance.js';

/** Keys that name a secret: refused wherever they appear, the config is meant to be committed. */
const SECRET_KEY = /pass(word)?|secret|token|credential|auth|username|access.?key/i;

/** Locations and typed reads over the parsed document; every failure is a located UsageError. */
export class Ctx {
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
    private readonly doc: Document,
  ) {}

  line(node: Node | null | undefined): number {
    const offset = node?.range?.[0];
    return offset === undefined ? 1 : this.lines.linePos(offset).line;
  }

  error(node: Node | null | undefined, key: string, message: string): UsageError {
    return new UsageError('CONFIG_INVALID', `${this.file}:${this.line(node)}: ${key ? `${key}: ` : ''}${message}`);
  }

  resolve(node: unknown): Node | null {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return node as Node;
  }

  isNull(node: Node): boolean {
    return isScalar(node) && node.value === null;
  }

  /** Runs a flag parser, re-throwing its message with the location. */
  parse<T>(node: Node, key: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (isRegsizeError(e)) throw this.error(node, key, e.message);
      throw e;
    }
  }

  /** A mapping's entries by key, refusing keys not in `allowed` and keys that hold secrets. */
  entries(map: YAMLMap, path: string, allowed: string[]): Map<string, Node> {
    const out = new Map<string, Node>();
    for (const pair of map.items) {
      const keyNode = this.resolve(pair.key);
      const key = keyNode && isScalar(keyNode) ? String(keyNode.value) : undefined;
      const where = (k: string) => (path ? `${path}.${k}` : k);
      if (key === undefined) throw this.error(keyNode, path, 'keys must be plain names');
      if (!allowed.includes(key)) {
        if (SECRET_KEY.test(key)) {
          throw this.error(keyNode, where(key), 'credentials do not belong in the config (it is meant to be committed): use docker login or a credential helper, and the AWS credential chain for ECR');
        }
        const close = allowed.find((a) => a.toLowerCase() === key.toLowerCase() || editDistance(a.toLowerCase(), key.toLowerCase()) <= 2);
        throw this.error(keyNode, where(key), close ? `unknown key (did you mean "${close}"?)` : `unknown key; expected ${allowed.join(', ')}`);
      }
      const value = this.resolve(pair.value);
      out.set(key, value ?? (keyNode as Node));
    }
    return out;
  }

  map(node: Node, path: string, what = 'a mapping'): YAMLMap {
    if (!isMap(node)) throw this.error(node, path, `expected ${what}`);
    return node;
  }

  list(node: Node, path: string): { node: Node; path: string }[] {
    if (!isSeq(node)) throw this.error(node, path, 'expected a list (lines starting with "- ")');
    return node.items.map((n, i) => {
      const item = this.resolve(n);
      if (item === null || this.isNull(item)) throw this.error(item ?? node, `${path}[${i}]`, 'empty list entry');
      return { node: item, path: `${path}[${i}]` };
    });
  }

  required(m: Map<string, Node>, key: string, owner: Node, path: string, hint: string): Node {
    const v = m.get(key);
    if (!v || this.isNull(v)) throw this.error(v ?? owner, `${path}.${key}`, `missing: ${hint}`);
    return v;
  }

  scalarText(node: Node, key: string): string {
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') throw this.error(node, key, 'expected a single value');
    return String(node.value);
  }

  string(node: Node, key: string): string {
    if (!isScalar(node) || typeof node.value !== 'string') {
      throw this.error(node, key, isScalar(node) && node.value !== null ? `expected text, got ${JSON.stringify(node.value)} (quote it)` : 'expected text');
    }
    if (node.value.trim() === '') throw this.error(node, key, 'is empty');
    return node.value;
  }

  boolean(node: Node, key: string): boolean {
    if (!isScalar(node) || typeof node.value !== 'boolean') throw this.error(node, key, 'expected true or false');
    return node.value;
  }

  positiveInteger(node: Node, key: string): number {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value) || node.value < 1) throw this.error(node, key, 'expected a whole number of 1 or more');
    return node.value;
  }

  /** "10%" or "20MB", as --max-increase. */
  growth(node: Node, key: string): GrowthLimit {
    const text = this.scalarText(node, key);
    return this.parse(node, key, () => parseGrowthLimit(text, 'maxGrowth'));
  }

  /** "300MB", "1.5GiB", or a plain number of bytes. */
  size(node: Node, key: string): number {
    if (isScalar(node) && typeof node.value === 'number') {
      if (!Number.isInteger(node.value) || node.value <= 0) throw this.error(node, key, `invalid size ${node.value}: use a number with a unit, e.g. 300MB`);
      return node.value;
    }
    const text = this.scalarText(node, key);
    const bytes = this.parse(node, key, () => parseSize(text));
    if (bytes <= 0) throw this.error(node, key, `invalid size "${text}": a budget must be more than 0 bytes`);
    return bytes;
  }
}
