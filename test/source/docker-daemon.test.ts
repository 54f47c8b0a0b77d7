/**
 * `docker-daemon:` against podman's Docker-compatible API (`podman system service`), with
 * private storage in a temp dir, loaded with an archive skopeo made from the test registry.
 * Expected figures come from the tars built here and from the same image as a docker-archive.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Compare from '../../commands/compare.js';
import { listLayers } from '../../src/sizing/layers.js';
import { UncompressedSizer } from '../../src/sizing/uncompressed.js';
import { engineEndpoint } from '../../src/source/docker-engine.js';
import { parseImageInput } from '../../src/source/parse.js';
import { createSession } from '../../src/session.js';
import type { Logger } from '../../src/log.js';
import { ROOT, runInProcess } from '../commands/run-in-process.js';
import { run as runProcess } from '../helpers/package.js';
import { type Layer, makeImage, makeLayer, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { copyFromRegistry } from './skopeo-local.js';

const AMD64 = { os: 'linux', architecture: 'amd64' };

function session() {
  const logger: Logger = { debug: () => {}, warn: () => {} };
  return createSession({ logger, timeoutMs: 20_000, retries: 0 });
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => execFile(cmd, args, { timeout: 120_000 }, (e, _o, stderr) => (e ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr}`)) : resolve())));
}

async function withEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

describe('docker-daemon: through podman\'s Docker-compatible API', function () {
  this.timeout(240_000);
  let reg: LocalRegistry;
  let dir: string;
  let sock: string;
  let service: ChildProcess | undefined;
  let layers: Layer[];
  let archive: string;
  let podman: string[];

  before(async () => {
    reg = await startRegistry();
    dir = mkdtempSync(path.join(tmpdir(), 'regsize-daemon-'));
    layers = [
      makeRandomLayer({ format: 'docker', size: 150_000, seed: 'daemon-os', createdBy: '/bin/sh -c #(nop) ADD file:77 in / ' }),
      makeLayer({ format: 'docker', files: [{ name: 'srv/' }, { name: 'srv/app.txt', content: 'line of the app\n'.repeat(8000) }], compression: 'gzip', createdBy: 'COPY app.txt /srv/' }),
    ];
    await pushImage(reg, 'team/app', '1', makeImage({ layers, format: 'docker' }));
    archive = path.join(dir, 'app.tar');
    await copyFromRegistry(reg, 'team/app:1', `docker-archive:${archive}:localhost/app:v1`);
    podman = ['--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'runroot'), '--storage-driver', 'vfs'];
    await run('podman', [...podman, 'load', '-q', '-i', archive]);
    sock = path.join(dir, 'podman.sock');
    service = spawn('podman', [...podman, 'system', 'service', '--time=0', `unix://${sock}`], { stdio: 'ignore' });
    for (let i = 0; i < 200 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(existsSync(sock), 'podman system service did not create its socket');
  });

  after(async () => {
    if (service && service.exitCode === null) {
      const exited = new Promise((r) => service?.once('exit', r));
      service.kill('SIGTERM');
      await exited;
    }
    await reg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sizes an image of the Engine: diff_ids, exact tar sizes, steps, and the same estimate as its docker save', async () => {
    const client = session().client;
    const o = { platform: AMD64, logger: session().logger, uncompressed: new UncompressedSizer(client) };
    const r = await withEnv({ DOCKER_HOST: `unix://${sock}`, DOCKER_CONTEXT: undefined }, () => listLayers(client, parseImageInput('docker-daemon:localhost/app:v1'), o));
    assert.deepEqual(r.layers.map((l) => l.digest), layers.map((l) => l.diffId));
    assert.deepEqual(r.layers.map((l) => l.uncompressedSize), layers.map((l) => l.uncompressedSize));
    assert.deepEqual(r.layers.map((l) => l.createdBy), layers.map((l) => l.createdBy));
    assert.equal(r.compressedSizeEstimated, true);
    const saved = await listLayers(client, parseImageInput(`docker-archive:${archive}`), o);
    assert.deepEqual(r.layers.map((l) => l.size), saved.layers.map((l) => l.size));
    assert.equal(r.compressedSize, saved.compressedSize);
  });

  it('reads podman save output, --format oci-archive and docker-archive, with exact uncompressed sizes', async () => {
    const client = session().client;
    const o = { platform: AMD64, logger: session().logger, uncompressed: new UncompressedSizer(client) };
    const oci = path.join(dir, 'podman-oci.tar');
    const docker = path.join(dir, 'podman-docker.tar');
    await run('podman', [...podman, 'save', '-q', '--format', 'oci-archive', '-o', oci, 'localhost/app:v1']);
    await run('podman', [...podman, 'save', '-q', '--format', 'docker-archive', '-o', docker, 'localhost/app:v1']);
    const fromOci = await listLayers(client, parseImageInput(`oci-archive:${oci}`), o);
    const fromDocker = await listLayers(client, parseImageInput(`docker-archive:${docker}`), o);
    const fromSkopeo = await listLayers(client, parseImageInput(`docker-archive:${archive}`), o);
    for (const r of [fromOci, fromDocker]) {
      assert.deepEqual(r.layers.map((l) => l.uncompressedSize), layers.map((l) => l.uncompressedSize));
      assert.deepEqual(r.layers.map((l) => l.createdBy), layers.map((l) => l.createdBy));
    }
    // podman stores the layers as plain tars in both formats: the docker archive is estimated
    // as skopeo's own archive of the same tars; the OCI one says what it stores.
    assert.deepEqual(fromDocker.layers.map((l) => l.size), fromSkopeo.layers.map((l) => l.size));
    assert.equal(fromDocker.compressedSizeEstimated, true);
  });

  it('finds the Engine through the current docker context, as the docker CLI does', async () => {
    const config = path.join(dir, 'docker-config');
    const meta = path.join(config, 'contexts', 'meta', createHash('sha256').update('pod').digest('hex'));
    mkdirSync(meta, { recursive: true });
    writeFileSync(path.join(config, 'config.json'), JSON.stringify({ currentContext: 'pod' }));
    writeFileSync(path.join(meta, 'meta.json'), JSON.stringify({ Name: 'pod', Endpoints: { docker: { Host: `unix://${sock}` } } }));
    assert.deepEqual(engineEndpoint({ DOCKER_CONFIG: config }), { host: `unix://${sock}`, context: 'pod' });
    assert.deepEqual(engineEndpoint({ DOCKER_CONFIG: config, DOCKER_HOST: 'tcp://10.0.0.1:2375' }), { host: 'tcp://10.0.0.1:2375' });
    assert.deepEqual(engineEndpoint({ DOCKER_CONFIG: config, DOCKER_HOST: 'tcp://10.0.0.1:2375', DOCKER_CONTEXT: 'pod' }), { host: `unix://${sock}`, context: 'pod' });
    assert.deepEqual(engineEndpoint({ DOCKER_CONFIG: path.join(dir, 'none') }), { host: 'unix:///var/run/docker.sock' });
    const r = await withEnv({ DOCKER_CONFIG: config, DOCKER_HOST: undefined, DOCKER_CONTEXT: undefined }, () => runInProcess(Compare, ['docker-daemon:localhost/app:v1', '--json']));
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).images[0].compressedSizeEstimated, true);
  });

  it('the regsize command itself (bin/run.js and its bundle, whose undici loads at the first request) reads the Engine as the library does', async () => {
    const env = { PATH: process.env.PATH, HOME: dir, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: path.join(dir, 'none'), XDG_CACHE_HOME: path.join(dir, 'cli-cache') };
    const cli = await runProcess(process.execPath, [path.join(ROOT, 'bin', 'run.js'), 'docker-daemon:localhost/app:v1', '--json'], { cwd: ROOT, env });
    assert.equal(cli.code, 0, cli.stderr);
    const inProcess = await withEnv({ DOCKER_HOST: `unix://${sock}`, DOCKER_CONTEXT: undefined }, () => runInProcess(Compare, ['docker-daemon:localhost/app:v1', '--json', '--no-cache']));
    assert.equal(inProcess.exitCode, 0, inProcess.stderr);
    assert.deepEqual(JSON.parse(cli.stdout), JSON.parse(inProcess.stdout));
  });

  it('an image the Engine lacks and an Engine that is not running: one line each, exit 1, others still sized', async () => {
    const r = await withEnv({ DOCKER_HOST: `unix://${sock}`, DOCKER_CONTEXT: undefined }, () => runInProcess(Compare, ['docker-daemon:localhost/app:v9', `docker-archive:${archive}`]));
    assert.equal(r.exitCode, 1);
    // The row stays on stdout; the why is one line on stderr, naming the image.
    assert.match(r.stdout, /^docker-daemon:localhost\/app:v9\s+error: MANIFEST_UNKNOWN$/m);
    assert.match(r.stderr, /^regsize: docker-daemon:localhost\/app:v9: the Docker Engine at unix:\/\/\S+podman\.sock has no image localhost\/app:v9; docker images lists what it has \[MANIFEST_UNKNOWN\]$/m);
    assert.match(r.stdout, /docker-archive:\S+\s+linux\/amd64\s+~\d/);
    const down = await withEnv({ DOCKER_HOST: 'tcp://127.0.0.1:1', DOCKER_CONTEXT: undefined }, () => runInProcess(Compare, ['docker-daemon:app:v1', '--json']));
    assert.equal(down.exitCode, 1);
    const entry = JSON.parse(down.stdout).images[0];
    assert.deepEqual(entry.error, {
      code: 'NETWORK',
      message: 'cannot reach the Docker Engine at tcp://127.0.0.1:1: connection refused; is Docker running? set DOCKER_HOST or use docker context',
    });
    assert.doesNotMatch(down.stderr, /\n\s+at /);
  });
});
