import assert from 'node:assert/strict';
import { isRegsizeError } from '../../src/errors.js';
import { type LocalInput, isLocalInput, parseImageInput } from '../../src/source/parse.js';
import type { Reference } from '../../src/reference/reference.js';

describe('parseImageInput: transports as containers-transports(5) names them', () => {
  const local = (s: string) => {
    const i = parseImageInput(s);
    assert.ok(isLocalInput(i), s);
    return [i.transport, i.path, i.ref] as [LocalInput['transport'], string, string | undefined];
  };
  const registry = (s: string) => {
    const i = parseImageInput(s);
    assert.ok(!isLocalInput(i), s);
    return i as Reference;
  };

  it('splits PATH from REF at the first colon, as containers/image does', () => {
    assert.deepEqual(local('oci:./app'), ['oci', './app', undefined]);
    assert.deepEqual(local('oci:/tmp/layout:v2'), ['oci', '/tmp/layout', 'v2']);
    assert.deepEqual(local(`oci:dir:sha256:${'a'.repeat(64)}`), ['oci', 'dir', `sha256:${'a'.repeat(64)}`]);
    assert.deepEqual(local('oci-archive:app-v2.tar'), ['oci-archive', 'app-v2.tar', undefined]);
    assert.deepEqual(local('docker-archive:save.tar:app:v1'), ['docker-archive', 'save.tar', 'app:v1']);
    assert.deepEqual(local('docker-daemon:app:v1'), ['docker-daemon', 'app:v1', 'v1']);
  });

  it('keeps bare references and registries with ports as registry references; docker:// is explicit', () => {
    assert.equal(registry('localhost:5000/app:1').registry, 'localhost:5000');
    assert.equal(registry('python:3.11-slim').repository, 'library/python');
    const explicit = registry('docker://oci:1');
    assert.deepEqual([explicit.repository, explicit.tag, explicit.input], ['library/oci', '1', 'docker://oci:1']);
    assert.equal(registry('ocifoo:1').repository, 'library/ocifoo');
  });

  it('refuses an empty path or REF in one line', () => {
    for (const bad of ['oci:', 'oci-archive::x', 'oci:dir:', 'docker-daemon:', 'docker-archive:f.tar:Bad Name']) {
      assert.throws(() => parseImageInput(bad), (e: unknown) => isRegsizeError(e) && e.code.startsWith('INVALID') && !e.message.includes('\n'), bad);
    }
  });
});
