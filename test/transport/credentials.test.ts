import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerConfigCredentials, runCredentialHelper } from '../../src/transport/credentials.js';
import { RegsizeError } from '../../src/errors.js';

function config(doc: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'regsize-creds-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return path;
}

/** A real docker-credential-<name> program on PATH, speaking the helper protocol. */
function installHelper(name: string, script: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'regsize-helper-'));
  const file = join(dir, `docker-credential-${name}`);
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  process.env.PATH = `${dir}:${process.env.PATH}`;
}

describe('credentials from the Docker config', () => {
  it('reads auths entries, Docker Hub under its legacy index URL', async () => {
    const store = new DockerConfigCredentials(config({ auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('alice:pw:with:colons').toString('base64') }, 'ghcr.io': { username: 'bob', password: 'ghp_x' } } }));
    assert.deepEqual(await store.get('docker.io'), { kind: 'basic', username: 'alice', password: 'pw:with:colons' });
    assert.deepEqual(await store.get('ghcr.io'), { kind: 'basic', username: 'bob', password: 'ghp_x' });
    assert.equal(await store.get('quay.io'), undefined);
  });

  it('reads identity tokens', async () => {
    const store = new DockerConfigCredentials(config({ auths: { 'myregistry.example': { identitytoken: 'refresh' } } }));
    assert.deepEqual(await store.get('myregistry.example'), { kind: 'identity', identityToken: 'refresh' });
  });

  it('is anonymous without a config file', async () => {
    const store = new DockerConfigCredentials(join(tmpdir(), 'no-such-dir-regsize', 'config.json'));
    assert.equal(await store.get('docker.io'), undefined);
  });

  it('says which file is broken when the config is not JSON', async () => {
    const path = config('{broken');
    await assert.rejects(new DockerConfigCredentials(path).get('docker.io'), (e: unknown) => e instanceof RegsizeError && e.code === 'CREDENTIALS' && e.message.includes(path));
  });

  it('asks credHelpers per registry and credsStore otherwise, through the helper protocol', async () => {
    installHelper('regsizetest', 'read url; if [ "$url" = "ghcr.io" ]; then echo \'{"ServerURL":"ghcr.io","Username":"octo","Secret":"from-helper"}\'; else echo "credentials not found in native keychain"; exit 1; fi');
    installHelper('regsizetoken', 'read url; echo \'{"ServerURL":"x","Username":"<token>","Secret":"id-token"}\'');
    const store = new DockerConfigCredentials(config({ credsStore: 'regsizetest', credHelpers: { 'quay.io': 'regsizetoken' } }));
    assert.deepEqual(await store.get('ghcr.io'), { kind: 'basic', username: 'octo', password: 'from-helper' });
    assert.deepEqual(await store.get('quay.io'), { kind: 'identity', identityToken: 'id-token' });
    assert.equal(await store.get('docker.io'), undefined, '"credentials not found" means anonymous');
  });

  it('names a missing helper program, and never echoes helper output on failure', async () => {
    await assert.rejects(runCredentialHelper('definitely-missing-helper', 'ghcr.io'), /docker-credential-definitely-missing-helper is not installed/);
    installHelper('regsizebroken', 'echo "oops secret-in-output" >&2; exit 3');
    await assert.rejects(runCredentialHelper('regsizebroken', 'ghcr.io'), (e: unknown) => e instanceof Error && /exited with code 3/.test(e.message) && !e.message.includes('secret-in-output'));
  });
});
