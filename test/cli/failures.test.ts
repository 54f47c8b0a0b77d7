/**
 * Errors: stderr, one line, naming the image (issue #13). In table mode a failed image keeps its
 * row and the explanation goes to stderr; --json keeps errors in the document; a failure shared
 * by several images is said once; a server that is not a registry is called that.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Compare from '../../commands/compare.js';
import { failureLines } from '../../src/render/failures.js';
import { registryError } from '../../src/transport/errors.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { runInProcess } from '../commands/run-in-process.js';

async function listen(handler: http.RequestListener): Promise<{ host: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port that refuses connections: bound once, then released. */
async function closedPort(): Promise<string> {
  const s = await listen(() => undefined);
  await s.close();
  return s.host;
}

describe('failed images: one stderr line each, naming the image', function () {
  this.timeout(60_000);
  let reg: LocalRegistry;
  let tmp: string;
  const savedDockerConfig = process.env.DOCKER_CONFIG;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'regsize-failures-'));
    writeFileSync(join(tmp, 'config.json'), '{"auths":{}}');
    process.env.DOCKER_CONFIG = tmp;
    reg = await startRegistry();
    await pushImage(reg, 'lib/python', '3.12', makeImage({ layers: [makeRandomLayer({ size: 2000, seed: 'failures' })] }));
  });
  after(async () => {
    await reg?.stop();
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
    rmSync(tmp, { recursive: true, force: true });
  });

  it('table: the failed image keeps its row, and the why is one stderr line, not on stdout', async () => {
    const good = `${reg.host}/lib/python:3.12`;
    const bad = `${reg.host}/lib/python:3.99`;
    const r = await runInProcess(Compare, [good, bad, '--no-cache']);
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, new RegExp(`^${good} +linux/`, 'm'));
    assert.match(r.stdout, new RegExp(`^${bad} +error: MANIFEST_UNKNOWN$`, 'm'));
    assert.doesNotMatch(r.stdout, /manifest unknown|regsize:/);
    assert.equal(r.stderr, `regsize: ${bad}: manifest unknown (no such tag or digest); list the tags with "regsize tags ${reg.host}/lib/python" [MANIFEST_UNKNOWN]\n`);
  });

  it('--json: the error stays in the document, and stderr does not repeat it', async () => {
    const bad = `${reg.host}/lib/python:3.99`;
    const r = await runInProcess(Compare, [bad, '--no-cache', '--json']);
    assert.equal(r.exitCode, 1);
    const doc = JSON.parse(r.stdout) as { images: { reference: string; error: { code: string } }[] };
    assert.deepEqual(doc.images.map((e) => [e.reference, e.error.code]), [[bad, 'MANIFEST_UNKNOWN']]);
    assert.doesNotMatch(r.stderr, /manifest unknown/);
  });

  it('a Docker Hub image is named as typed, and the tags hint uses the short name', () => {
    // The transport's own message for a 404 on docker.io/library/python:3.99.
    const err = registryError(
      { status: 404, headers: new Headers(), body: new Uint8Array(), url: 'https://registry-1.docker.io/v2/library/python/manifests/3.99' },
      { method: 'GET', what: 'docker.io/library/python:3.99', registry: 'docker.io', kind: 'manifest', secrets: [] },
    );
    assert.deepEqual(failureLines([{ reference: 'python:3.99', error: { code: err.code, message: err.message } }]), [
      'regsize: python:3.99: manifest unknown (no such tag or digest); list the tags with "regsize tags python" [MANIFEST_UNKNOWN]',
    ]);
  });

  it('a registry that cannot be reached is said once, naming the host and every image', async () => {
    const host = await closedPort();
    const refs = [`${host}/a:1`, `${host}/b:2`, `${host}/c:3`];
    const r = await runInProcess(Compare, [...refs, '--no-cache', '--timeout', '5']);
    assert.equal(r.exitCode, 1);
    for (const ref of refs) assert.match(r.stdout, new RegExp(`^${ref} +error: NETWORK$`, 'm'));
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0]!.startsWith(`regsize: ${host} (3 images: ${refs.join(', ')}): `), lines[0]);
    assert.match(lines[0]!, /\[NETWORK\]$/);
  });

  for (const [what, status, type] of [
    ['a 404 web page', 404, 'text/html; charset=utf-8'],
    ['a 404 without a body type', 404, ''],
    ['an HTML page answered 200', 200, 'text/html'],
  ] as const) {
    it(`a server that is not a registry says so: ${what} on /v2/`, async () => {
      const web = await listen((_req, res) => {
        res.writeHead(status, type ? { 'content-type': type } : {});
        res.end(type ? '<html><body>Not Found</body></html>' : '');
      });
      try {
        const r = await runInProcess(Compare, [`${web.host}/app:1`, '--no-cache']);
        assert.equal(r.exitCode, 1);
        const shown = `${status}${type ? ` ${type.split(';')[0]}` : ''}`;
        assert.equal(r.stderr, `regsize: ${web.host}/app:1: ${web.host} is not an OCI registry (GET /v2/ returned ${shown}); check the host and port [REGISTRY_ERROR]\n`);
        assert.doesNotMatch(r.stderr, /manifest unknown/);
      } finally {
        await web.close();
      }
    });
  }
});
