/**
 * Ctrl-C (SIGINT) during a --json run: the process exits promptly with 130, and stdout holds
 * the whole JSON document or nothing, never half of one.
 */
import assert from 'node:assert/strict';
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BIN, emptyDockerConfig } from '../helpers/cli.js';
import { type HostileRegistry, sha256, startHostileRegistry } from '../helpers/hostile-registry.js';
import { makeImage, makeRandomLayer, MT } from '../helpers/images.js';

type Child = ChildProcessByStdio<null, Readable, Readable>;

/** The CLI as runCli starts it, but with the child in hand to signal it and to hold its stdout. */
function start(args: string[]): { child: Child; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, DOCKER_CONFIG: emptyDockerConfig(), XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'regsize-cache-')) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited };
}

/** Collects a stream from the start; `paused` holds it unread (so the writer blocks) until resume(). */
function collect(stream: Readable, paused = false): Promise<string> {
  const all = new Promise<string>((resolve) => {
    let out = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => (out += d));
    stream.on('end', () => resolve(out));
  });
  if (paused) stream.pause();
  return all;
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('hardening: Ctrl-C', function () {
  this.timeout(30_000);
  let reg: HostileRegistry;
  before(async () => {
    reg = await startHostileRegistry();
  });
  after(async () => reg?.stop());

  it('exits at once with 130 and an empty stdout while a request hangs', async () => {
    const img = makeImage({ layers: [makeRandomLayer({ size: 1000, seed: 'int' })] });
    reg.on('/v2/hang/manifests/1', { kind: 'stall', body: img.manifest, sendBytes: 10, headers: { 'content-type': MT.OCI_MANIFEST } });
    // The request would wait 600 s, 20 times this test's timeout: only the SIGINT handler ends it in time.
    const { child, exited } = start([`${reg.host}/hang:1`, '--json', '--timeout', '600']);
    const stdout = collect(child.stdout);
    await until('the request to reach the registry', () => reg.hits('/v2/hang/manifests/1').length > 0);
    child.kill('SIGINT');
    const { code, signal } = await exited;
    assert.deepEqual({ code, signal }, { code: 130, signal: null });
    assert.equal(await stdout, '');
  });

  it('finishes the JSON document it is writing, then exits 130', async () => {
    // A document far larger than a pipe buffer, so the write is still under way when the
    // signal comes: the test does not read stdout until after it has sent SIGINT.
    const layers = Array.from({ length: 8000 }, (_, i) => ({ mediaType: MT.OCI_LAYER_GZIP, digest: sha256(Buffer.from(`layer ${i}`)), size: 1000 + i }));
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.OCI_MANIFEST, config: { mediaType: MT.OCI_CONFIG, digest: sha256(config), size: config.length }, layers }));
    reg.serveManifest('big', '1', { manifest, mediaType: MT.OCI_MANIFEST });
    const configPath = `/v2/big/blobs/${reg.serveBlob('big', config)}`;

    const { child, exited } = start([`${reg.host}/big:1`, '--json', '--platform', 'linux/amd64']);
    const output = collect(child.stdout, true);
    let done = false;
    void exited.then(() => (done = true));
    await until('the last request', () => reg.hits(configPath).length > 0);
    // The document has started to arrive (held unread): the process is now writing it.
    await until('the document to start', () => child.stdout.readableLength > 0);
    await sleep(200);
    assert.equal(done, false, 'the process waits for its reader');
    child.kill('SIGINT');
    await sleep(300);
    child.stdout.resume();
    const stdout = await output;
    const { code, signal } = await exited;
    let doc: { images: { compressedSize: number; layers: unknown[] }[] };
    try {
      doc = JSON.parse(stdout) as typeof doc;
    } catch {
      assert.fail(`stdout holds ${stdout.length} bytes of a document that does not parse (exit ${code}, signal ${signal})`);
    }
    assert.deepEqual({ code, signal }, { code: 130, signal: null });
    assert.equal(doc.images[0]?.layers.length, layers.length);
    assert.equal(doc.images[0]?.compressedSize, layers.reduce((s, l) => s + l.size, 0));
  });
});
