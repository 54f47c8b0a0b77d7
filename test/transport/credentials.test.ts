import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerConfigCredentials, runCredentialHelper } from '../../src/transport/credentials.js';
import { RegsizeError } from '../../src/errors.js';

const made: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function config(doc: unknown): string {
  const dir = tempDir('regsize-creds-');
  const path = join(dir, 'config.json');
  writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return path;
}

const savedPath = process.env.PATH;

/** A real docker-credential-<name> program on PATH (restored after the suite), speaking the helper protocol. */
function installHelper(name: string, script: string): void {
  const dir = tempDir('regsize-helper-');
  const file = join(dir, `docker-credential-${name}`);
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  process.env.PATH = `${dir}:${process.env.PATH}`;
}

describe('credentials from the Docker config', () => {
  after(() => {
    process.env.PATH = savedPath;
  });

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

describe('a Docker config that is not what it should be', () => {
  /** A CREDENTIALS error naming the file and saying what is wrong, in one line. */
  const refusal = (path: string, what: RegExp) => (e: unknown) => {
    assert.ok(e instanceof RegsizeError, `expected a RegsizeError, got ${String(e)}`);
    assert.equal(e.code, 'CREDENTIALS');
    assert.ok(e.message.includes(path), `names the file: ${e.message}`);
    assert.match(e.message, what);
    assert.ok(!e.message.includes('\n'));
    return true;
  };

  const cases: [string, unknown, RegExp][] = [
    ['null', null, /the document must be a JSON object, not null/],
    ['an array', [{ auths: {} }], /the document must be a JSON object, not an array/],
    ['a string', 'just text', /the document must be a JSON object, not a string/],
    ['"auths" a string', { auths: 'ghcr.io' }, /"auths" must be an object of registries, not a string/],
    ['"auths" an array', { auths: [] }, /"auths" must be an object of registries, not an array/],
    ['an "auth" that is a number', { auths: { 'ghcr.io': { auth: 12345 } } }, /"auths"\."ghcr\.io"\."auth" must be a string, not a number/],
    ['an auths entry that is a string', { auths: { 'ghcr.io': 'Zm9vOmJhcg==' } }, /"auths"\."ghcr\.io" must be an object, not a string/],
    ['"credsStore" an object', { credsStore: { name: 'desktop' } }, /"credsStore" must be a string, not an object/],
    ['a "credHelpers" entry that is a number', { credHelpers: { 'ghcr.io': 7 } }, /"credHelpers"\."ghcr\.io" must be a string, not a number/],
  ];
  for (const [what, doc, message] of cases) {
    it(`refuses a config that is ${what}`, async () => {
      const path = config(JSON.stringify(doc));
      await assert.rejects(new DockerConfigCredentials(path).get('ghcr.io'), refusal(path, message));
    });
  }

  it('treats null fields as absent, as Docker does', async () => {
    const store = new DockerConfigCredentials(config({ auths: { 'ghcr.io': { auth: null, username: 'bob', password: 'pw' }, 'quay.io': null }, credsStore: null, credHelpers: null }));
    assert.deepEqual(await store.get('ghcr.io'), { kind: 'basic', username: 'bob', password: 'pw' });
    assert.equal(await store.get('quay.io'), undefined);
  });

  it('says so when the config exists but cannot be read (a folder), instead of going anonymous', async () => {
    const dir = tempDir('regsize-creds-');
    const path = join(dir, 'config.json');
    mkdirSync(path);
    await assert.rejects(new DockerConfigCredentials(path).get('ghcr.io'), refusal(path, /cannot read the Docker config .*\(EISDIR\)/));
  });

  it('says so when the config is a symlink loop', async () => {
    const dir = tempDir('regsize-creds-');
    const path = join(dir, 'config.json');
    symlinkSync(path, path);
    await assert.rejects(new DockerConfigCredentials(path).get('ghcr.io'), refusal(path, /cannot read the Docker config .*\(ELOOP\)/));
  });
});
