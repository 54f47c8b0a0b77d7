/**
 * src/transport/docker-config.ts: the Docker config read and checked before use. Only a missing
 * file means anonymous; one that exists but cannot be read is a CREDENTIALS error naming the
 * file and why, also at the end of a real request (not a silent fall back to anonymous).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mock, mocksDone, pendingMocks, useMockAgent } from '../helpers/mock-agent.js';
import { createSession } from '../../src/session.js';
import { checkDockerConfig, readDockerConfig } from '../../src/transport/docker-config.js';
import { rejectionOf } from '../helpers/rejection.js';

describe('transport/docker-config', () => {
  useMockAgent();
  let dir: string;
  const saved = process.env.DOCKER_CONFIG;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-docker-config-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = saved;
  });

  it('no file: no credentials', async () => {
    assert.deepEqual(await readDockerConfig(join(dir, 'config.json')), {});
  });

  it('a config that is a folder: CREDENTIALS, naming the file and saying it is a folder', async () => {
    const path = join(dir, 'config.json');
    mkdirSync(path);
    const e = await rejectionOf(readDockerConfig(path));
    assert.equal(e.code, 'CREDENTIALS');
    assert.equal(e.message, `cannot read the Docker config ${path}: it is a folder, not a file (EISDIR); make it a readable file, or set DOCKER_CONFIG to another folder`);
  });

  it('DOCKER_CONFIG that is a file: CREDENTIALS saying a part of the path is not a folder', async () => {
    writeFileSync(join(dir, 'file'), '{}');
    const e = await rejectionOf(readDockerConfig(join(dir, 'file', 'config.json')));
    assert.equal(e.code, 'CREDENTIALS');
    assert.match(e.message, /: a part of its path is a file, not a folder \(is DOCKER_CONFIG a file\?\) \(ENOTDIR\)/);
  });

  it('a registry asking for a token with an unreadable config fails CREDENTIALS, not anonymous', async () => {
    mkdirSync(join(dir, 'config.json'));
    process.env.DOCKER_CONFIG = dir;
    const registry = mock('https://private.example').get('/v2/').reply(401, '', { 'www-authenticate': 'Bearer realm="https://private.example/token",service="private.example"' });
    const { client } = createSession({ logger: { debug: () => {}, warn: () => {} }, retries: 0 });
    const e = await rejectionOf(client.manifestGet({ registry: 'private.example', repository: 'team/app' }, '1'));
    registry.done();
    assert.equal(e.code, 'CREDENTIALS');
    assert.ok(e.message.includes(join(dir, 'config.json')), e.message);
    assert.equal(pendingMocks().length, 0);
    assert.ok(mocksDone(), 'no anonymous token request was made');
  });

  it('checks field by field: null is absent, a wrong type is refused naming the field', () => {
    assert.deepEqual(checkDockerConfig({ auths: { 'ghcr.io': { auth: 'YTpi', username: null } }, credsStore: null }, 'cfg'), { auths: { 'ghcr.io': { auth: 'YTpi' } } });
    assert.throws(() => checkDockerConfig({ credHelpers: { 'ghcr.io': 1 } }, '/home/u/.docker/config.json'), /^RegsizeError: \/home\/u\/\.docker\/config\.json: "credHelpers"\."ghcr\.io" must be a string, not a number; fix or remove it/);
    assert.throws(() => checkDockerConfig([], 'cfg'), /the document must be a JSON object, not an array/);
  });

  it('a file that is not JSON: CREDENTIALS naming it', async () => {
    writeFileSync(join(dir, 'config.json'), '{"auths": ');
    assert.deepEqual(await rejectionOf(readDockerConfig(join(dir, 'config.json'))), { code: 'CREDENTIALS', message: `${join(dir, 'config.json')} is not valid JSON; fix or remove it` });
  });
});
