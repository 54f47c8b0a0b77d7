/** Finding the Docker Engine as the docker CLI does (DOCKER_CONTEXT, DOCKER_HOST, the current context, the default socket), and one clear line when it cannot be reached. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DOCKER_HOST, EngineClient, engineEndpoint } from '../../src/source/docker-engine.js';

describe('docker engine endpoint', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-engine-'));
    const meta = join(dir, 'contexts', 'meta', createHash('sha256').update('remote').digest('hex'));
    mkdirSync(meta, { recursive: true });
    writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: 'remote', Endpoints: { docker: { Host: 'tcp://10.1.2.3:2375' } } }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('DOCKER_CONTEXT, then DOCKER_HOST, then the current context, then the default socket', () => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
    assert.deepEqual(engineEndpoint({ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'remote', DOCKER_HOST: 'unix:///x.sock' }), { host: 'tcp://10.1.2.3:2375', context: 'remote' });
    assert.deepEqual(engineEndpoint({ DOCKER_CONFIG: dir, DOCKER_HOST: 'unix:///x.sock' }), { host: 'unix:///x.sock' });
    assert.deepEqual(engineEndpoint({ DOCKER_CONFIG: dir }), { host: 'tcp://10.1.2.3:2375', context: 'remote' });
    assert.deepEqual(engineEndpoint({ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'default' }), { host: DEFAULT_DOCKER_HOST, context: 'default' });
    assert.deepEqual(engineEndpoint({ DOCKER_CONFIG: join(dir, 'none') }), { host: DEFAULT_DOCKER_HOST });
  });

  it('an unknown context or a broken config.json is one line saying what to do', () => {
    assert.throws(() => engineEndpoint({ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'nope' }), /docker context "nope" is not defined .*docker context ls lists them/);
    const broken = join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'config.json'), '{');
    assert.throws(() => engineEndpoint({ DOCKER_CONFIG: broken }), /config\.json is not valid JSON; fix it or set DOCKER_HOST/);
  });

  it('a socket that is not there, and an endpoint it cannot speak, each say so', async () => {
    const c = new EngineClient({ host: `unix://${join(dir, 'no.sock')}` }, 2000);
    await assert.rejects(c.get('/_ping'), /cannot reach the Docker Engine at unix:\/\/\S+no\.sock: no such socket; is Docker running\? set DOCKER_HOST or use docker context/);
    await c.close();
    assert.throws(() => new EngineClient({ host: 'ssh://me@box' }), /only unix:\/\/ and tcp:\/\/ endpoints are supported/);
  });
});
