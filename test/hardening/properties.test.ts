/**
 * Property tests (fast-check) on the parsers that read untrusted input: whatever a user types
 * or a registry sends, the answer is a value or a RegsizeError, never another exception; the
 * values that come out keep the invariants the rest of regsize relies on.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RegsizeError } from '../../src/errors.js';
import { compressedSize, type Descriptor, decodeManifest, type Manifest } from '../../src/oci/manifest.js';
import { formatReference, parseReference, type Reference } from '../../src/reference/reference.js';
import { parseChallenges } from '../../src/transport/challenge.js';
import { redactUrl } from '../../src/transport/redact.js';
import { DIGEST_RE } from '../../src/oci/digest.js';
import { DOMAINS, dockerName, NAMES, REFERENCES } from '../reference/distribution-cases.js';

const RUNS = { numRuns: 2000 };

/** Runs fn; a RegsizeError is an answer, any other exception fails the property. */
function valueOrRegsizeError<T>(fn: () => T): T | RegsizeError {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RegsizeError) return e;
    throw new Error(`threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`, { cause: e });
  }
}

// ---------------------------------------------------------------- references

const lower = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 1, maxLength: 8 });
const separator = fc.constantFrom('.', '_', '__', '-', '--');
const pathComponent = fc.tuple(lower, fc.array(fc.tuple(separator, lower), { maxLength: 2 })).map(([head, rest]) => head + rest.map(([s, c]) => s + c).join(''));
const repository = fc.array(pathComponent, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
const registry = fc.oneof(
  fc.constantFrom('docker.io', 'ghcr.io', 'localhost', 'localhost:5000', '127.0.0.1:5000', 'registry.example.com:443', '[::1]:5000', 'index.docker.io', 'registry-1.docker.io'),
  fc.tuple(lower, lower).map(([a, b]) => `${a}.${b}`),
);
const tag = fc.stringMatching(/^[\w][\w.-]{0,127}$/);
const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const digest = fc.oneof(hex(64).map((h) => `sha256:${h}`), hex(128).map((h) => `sha512:${h}`));

/** References as users write them: mostly well formed, some with a piece gone wrong. */
const referenceText = fc
  .record({
    registry: fc.option(registry),
    repository,
    tag: fc.option(tag),
    digest: fc.option(digest),
  })
  .map(({ registry, repository, tag, digest }) => `${registry ? `${registry}/` : ''}${repository}${tag !== null ? `:${tag}` : ''}${digest !== null ? `@${digest}` : ''}`);
const mangled = fc.tuple(referenceText, fc.nat(), fc.string({ unit: 'binary', maxLength: 3 })).map(([s, i, junk]) => s.slice(0, i % (s.length + 1)) + junk + s.slice(i % (s.length + 1)));

/**
 * What any parsed reference keeps, whatever the grammar says: its parts come from the input
 * (docker adds only "docker.io/", "library/" and "latest"), nothing in them can act on a
 * terminal or split a URL, and the canonical form reads back as the same reference. The
 * grammar itself is checked against distribution/reference's tables, not restated here.
 */
function checkReference(r: Reference, input: string): void {
  assert.ok(r.tag !== undefined || r.digest !== undefined, 'a tag or a digest');
  for (const part of [r.registry, r.repository, r.tag ?? '', r.digest ?? '']) {
    assert.ok([...part].every((c) => c > ' ' && c < '\x7f' && !'?#\\'.includes(c)), JSON.stringify(part));
  }
  if (r.digest !== undefined) assert.ok(input.endsWith(`@${r.digest}`), 'the digest as typed');
  if (r.tag !== undefined && r.tag !== 'latest') assert.ok(input.includes(`:${r.tag}`), 'the tag as typed');
  const path = r.repository.replace(/^library\//, '');
  assert.ok(input.includes(path), 'the repository as typed');
  if (r.registry !== 'docker.io') assert.ok(input.startsWith(`${r.registry}/`), 'the registry as typed');
  const again = parseReference(formatReference(r));
  assert.deepEqual([again.registry, again.repository, again.tag, again.digest], [r.registry, r.repository, r.tag, r.digest]);
}

// Well-formed and broken parts, all from distribution/reference's own tables.
const goodDomains = DOMAINS.filter(([d, ok]) => ok && /[.:]/.test(d)).map(([d]) => d);
const badDomains = DOMAINS.filter(([d, ok]) => !ok && /[.:]/.test(d)).map(([d]) => d);
const goodPaths = NAMES.flatMap(([n, subs]) => (subs && subs[0] === '' && !n.includes('.') && n.length < 100 ? [n] : []));
const goodTags = ['tag', 'tag2', '5000', '8080', 'Uppercase', 'some-long-tag', 'test.example.com', 'xn--n3h.com', 'tag-puts-this-over-max', 'latest', '3.11-slim', 'v1.2_3'];
const badTags = ['invalid~tag', '-bad', '.bad', 'a'.repeat(129), 'sp ace'];
const goodDigests = REFERENCES.flatMap(([, subs]) => (subs?.[2] ? [subs[2]] : [])).concat([`sha512:${'f'.repeat(128)}`]);
const badDigests = ['sha256:badbadbadbad', 'bad', '2bad', `invalid:${'f'.repeat(64)}`, `sha256:${'F'.repeat(64)}`];

describe('hardening: property tests', () => {
  describe('parseReference', () => {
    for (const [what, arb] of [
      ['any text', fc.string({ unit: 'binary', maxLength: 300 })],
      ['printable ASCII', fc.string({ maxLength: 300 })],
      ['reference-shaped text', referenceText],
      ['reference-shaped text with junk spliced in', mangled],
    ] as const) {
      it(`gives a valid reference or an INVALID_REFERENCE error for ${what}`, () => {
        fc.assert(
          fc.property(arb, (input) => {
            const r = valueOrRegsizeError(() => parseReference(input));
            if (r instanceof RegsizeError) assert.equal(r.code, 'INVALID_REFERENCE', r.message);
            else checkReference(r, input);
          }),
          RUNS,
        );
      });
    }

    it('accepts every reference built of well-formed parts, and reads each part back', () => {
      const parts = fc.record({
        domain: fc.option(fc.constantFrom(...goodDomains)),
        path: fc.array(fc.constantFrom(...goodPaths), { minLength: 1, maxLength: 3 }).map((p) => p.join('/')),
        tag: fc.option(fc.constantFrom(...goodTags)),
        digest: fc.option(fc.constantFrom(...goodDigests)),
      });
      fc.assert(
        fc.property(parts, ({ domain, path, tag, digest }) => {
          const name = `${domain ? `${domain}/` : ''}${path}`;
          const input = `${name}${tag !== null ? `:${tag}` : ''}${digest !== null ? `@${digest}` : ''}`;
          const want = dockerName(name);
          const r = parseReference(input);
          assert.deepEqual([r.registry, r.repository, r.tag, r.digest], [want?.registry, want?.path, tag ?? (digest ? undefined : 'latest'), digest ?? undefined]);
          checkReference(r, input);
        }),
        RUNS,
      );
    });

    it('refuses every reference with one broken part, whatever the others', () => {
      const good = fc.record({
        domain: fc.constantFrom(...goodDomains),
        path: fc.constantFrom(...goodPaths),
        tag: fc.constantFrom(...goodTags),
        digest: fc.constantFrom(...goodDigests),
      });
      const broken = fc.oneof(
        fc.constantFrom(...badDomains).map((domain) => ({ domain })),
        fc.constantFrom(...NAMES.filter(([n, subs]) => !subs && n.includes('/') && !n.includes(':')).map(([n]) => n)).map((path) => ({ path, domain: '' })),
        fc.constantFrom(...badTags).map((tag) => ({ tag })),
        fc.constantFrom(...badDigests).map((digest) => ({ digest })),
      );
      fc.assert(
        fc.property(good, broken, (ok, bad) => {
          const p = { ...ok, ...bad };
          const input = `${p.domain ? `${p.domain}/` : ''}${p.path}:${p.tag}@${p.digest}`;
          const r = valueOrRegsizeError(() => parseReference(input));
          assert.ok(r instanceof RegsizeError && r.code === 'INVALID_REFERENCE', `accepted ${input}`);
        }),
        RUNS,
      );
    });
  });

  // ---------------------------------------------------------------- manifests

  const MEDIA_TYPES = [
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.docker.distribution.manifest.v1+prettyjws',
    'application/json',
    'text/html; charset=utf-8',
    '',
  ];
  const contentType = fc.oneof(fc.constantFrom(...MEDIA_TYPES), fc.string({ maxLength: 40 }));
  const size = fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 53, -0, 1e300), fc.string({ maxLength: 5 }), fc.constant(null));
  const descriptor = fc.record(
    {
      mediaType: fc.oneof(fc.constantFrom(...MEDIA_TYPES, 'application/vnd.oci.image.layer.v1.tar+gzip'), fc.anything()),
      digest: fc.oneof(digest, fc.anything()),
      size,
      platform: fc.oneof(fc.record({ os: fc.constantFrom('linux', 'windows'), architecture: fc.constantFrom('amd64', 'arm64', 'arm'), variant: fc.option(fc.string()) }), fc.anything()),
      annotations: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.anything()),
      urls: fc.anything(),
    },
    { requiredKeys: [] },
  );
  const manifestShaped = fc.record(
    {
      schemaVersion: fc.oneof(fc.constant(2), fc.constant(1), fc.anything()),
      mediaType: fc.oneof(fc.constantFrom(...MEDIA_TYPES), fc.anything()),
      config: fc.oneof(descriptor, fc.anything()),
      layers: fc.oneof(fc.array(descriptor, { maxLength: 5 }), fc.anything()),
      manifests: fc.oneof(fc.array(descriptor, { maxLength: 5 }), fc.anything()),
      subject: fc.oneof(descriptor, fc.anything()),
      annotations: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.anything()),
    },
    { requiredKeys: [] },
  );

  function checkDescriptor(d: Descriptor): void {
    assert.ok(Number.isSafeInteger(d.size) && d.size >= 0, `size ${d.size}`);
    assert.equal(typeof d.mediaType, 'string');
    // The grammar itself is the image spec's, checked against its tables in test/oci/digest.test.ts.
    assert.match(d.digest, DIGEST_RE);
  }

  function checkManifest(m: Manifest): void {
    if (m.kind === 'index') {
      m.manifests.forEach(checkDescriptor);
    } else {
      checkDescriptor(m.config);
      m.layers.forEach(checkDescriptor);
      // The sum is exact: a safe integer equal to the sum computed in BigInt.
      const exact = m.layers.reduce((s, l) => s + BigInt(l.size), 0n);
      assert.equal(BigInt(compressedSize(m)), exact);
      assert.ok(Number.isSafeInteger(compressedSize(m)));
    }
  }

  describe('decodeManifest', () => {
    for (const [what, arb] of [
      ['arbitrary bytes', fc.uint8Array({ maxLength: 400 })],
      ['arbitrary JSON', fc.json().map((s) => Buffer.from(s))],
      ['manifest-shaped JSON with wrong types, missing and extra fields', manifestShaped.map((o) => Buffer.from(JSON.stringify(o)))],
    ] as const) {
      it(`gives a manifest or a typed error for ${what}`, () => {
        fc.assert(
          fc.property(arb, contentType, (bytes, ct) => {
            const m = valueOrRegsizeError(() => decodeManifest(bytes, ct, 'x'));
            if (m instanceof RegsizeError) assert.ok(['MANIFEST_INVALID', 'UNSUPPORTED_MANIFEST'].includes(m.code), `${m.code}: ${m.message}`);
            else checkManifest(m);
          }),
          RUNS,
        );
      });
    }

    it('decodes every well-formed image manifest to the exact layer sum', () => {
      const layer = fc.record({ mediaType: fc.constant('application/vnd.oci.image.layer.v1.tar+gzip'), digest, size: fc.nat({ max: 2 ** 40 }) });
      fc.assert(
        fc.property(fc.array(layer, { maxLength: 50 }), digest, (layers, configDigest) => {
          const doc = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: 10 }, layers };
          const m = decodeManifest(Buffer.from(JSON.stringify(doc)), 'application/vnd.oci.image.manifest.v1+json', 'x');
          assert.equal(m.kind, 'image');
          assert.equal(compressedSize(m as Extract<Manifest, { kind: 'image' }>), layers.reduce((s, l) => s + l.size, 0));
        }),
        RUNS,
      );
    });
  });

  // ---------------------------------------------------------------- other hostile text

  describe('parseChallenges (WWW-Authenticate from the registry)', () => {
    it('never throws, whatever the header', () => {
      fc.assert(
        fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.stringMatching(/^(Bearer|Basic) ([a-z]+="[^"]*",?)*$/)), (h) => {
          for (const c of parseChallenges(h)) {
            assert.equal(c.scheme, c.scheme.toLowerCase());
            assert.equal(typeof c.params, 'object');
          }
        }),
        RUNS,
      );
    });
  });

  describe('redactUrl (every URL that reaches a log or an error)', () => {
    it('never lets a password or a token-like query value through', () => {
      const secret = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 6, maxLength: 20 }).map((s) => `SECRET${s}`);
      const param = fc.constantFrom('token', 'access_token', 'X-Amz-Signature', 'sig', 'password', 'X-Amz-Credential', 'code', 'api_key', 'auth');
      fc.assert(
        fc.property(secret, secret, param, lower, lower, (pw, tok, name, host, path) => {
          const url = `https://robot:${pw}@${host}.example/v2/${path}?${name}=${tok}&scope=repository:${path}:pull`;
          const out = redactUrl(url);
          assert.ok(!out.includes(pw) && !out.includes(tok), out);
          assert.ok(out.includes(`${host}.example/v2/${path}`), out);
        }),
        RUNS,
      );
    });
  });
});
