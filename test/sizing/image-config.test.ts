/**
 * The image config as layers and diff read it: the platform it names, which step made which
 * layer, and the diff_ids. Bad configs give a clear error or marked rows, never a guess.
 */
import assert from 'node:assert/strict';
import { configPlatform, layerOrigins, parseImageConfig } from '../../src/sizing/image-config.js';

const D = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const config = (doc: unknown) => parseImageConfig(Buffer.from(JSON.stringify(doc)), D(9), 'app:1');

describe('image config: history and diff_ids', () => {
  it('lines steps up with layers, skipping empty_layer entries', () => {
    const c = config({
      rootfs: { type: 'layers', diff_ids: [D(1), D(2)] },
      history: [
        { created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
        { created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
        { created_by: 'ENV A=1', empty_layer: true },
        { created_by: 'RUN /bin/sh -c apk add git # buildkit', comment: 'buildkit.dockerfile.v0' },
      ],
    });
    assert.deepEqual(layerOrigins(c, 2), {
      createdBy: ['/bin/sh -c #(nop) ADD file:abc in / ', 'RUN /bin/sh -c apk add git # buildkit'],
      diffIds: [D(1), D(2)],
      warnings: [],
    });
  });

  it('says so, instead of guessing, when history is longer or shorter than the layers', () => {
    const three = config({ rootfs: { diff_ids: [D(1), D(2)] }, history: [{ created_by: 'a' }, { created_by: 'b' }, { created_by: 'c' }] });
    const longer = layerOrigins(three, 2);
    assert.equal(longer.createdBy, undefined);
    assert.deepEqual(longer.warnings, ['the config history names 3 layer steps for 2 layers; build steps are not shown rather than guessed']);
    const one = config({ rootfs: { diff_ids: [D(1), D(2)] }, history: [{ created_by: 'a' }, { created_by: 'ENV', empty_layer: true }] });
    assert.match(layerOrigins(one, 2).warnings[0] as string, /names 1 layer step for 2 layers/);
    assert.deepEqual(layerOrigins(one, 2).diffIds, [D(1), D(2)], 'diff_ids still usable');
  });

  it('a step without created_by is null, not an empty string', () => {
    const c = config({ rootfs: { diff_ids: [D(1)] }, history: [{ comment: 'imported' }] });
    assert.deepEqual(layerOrigins(c, 1).createdBy, [null]);
  });

  it('missing or malformed history and diff_ids are problems, not crashes', () => {
    const none = layerOrigins(config({ architecture: 'amd64', os: 'linux' }), 2);
    assert.equal(none.createdBy, undefined);
    assert.deepEqual(none.diffIds, [undefined, undefined]);
    assert.deepEqual(none.warnings, ['the config lists no rootfs.diff_ids', 'the config has no history']);
    const bad = layerOrigins(config({ rootfs: { diff_ids: ['not-a-digest'] }, history: 'RUN x' }), 1);
    assert.deepEqual(bad.warnings, ['the config has malformed rootfs.diff_ids', 'the config history is not a list of entries']);
    const short = layerOrigins(config({ rootfs: { diff_ids: [D(1)] }, history: [] }), 2);
    assert.deepEqual(short.diffIds, [undefined, undefined]);
    assert.match(short.warnings.join('\n'), /lists 1 diff_ids for 2 layers/);
  });

  it('a config that is not JSON, or not an object, is a clear error', () => {
    assert.throws(() => parseImageConfig(Buffer.from('{"os": "linux",'), D(9), 'app:1'), { code: 'MANIFEST_INVALID', message: `app:1: the image config ${D(9)} is not valid JSON` });
    assert.throws(() => parseImageConfig(Buffer.from('[1,2]'), D(9), 'app:1'), { code: 'MANIFEST_INVALID', message: `app:1: the image config ${D(9)} is not a JSON object` });
  });
});

describe('image config: the platform it names', () => {
  it('reads os, architecture and variant as the config writes them', () => {
    assert.deepEqual(config({ os: 'linux', architecture: 'arm', variant: 'v7' }).platform, { os: 'linux', architecture: 'arm', variant: 'v7' });
    assert.deepEqual(config({ os: 'windows', architecture: 'amd64', variant: '' }).platform, { os: 'windows', architecture: 'amd64' }, 'an empty variant is none');
    assert.deepEqual(configPlatform(config({ os: 'linux', architecture: 'amd64' }), 'app:1'), { os: 'linux', architecture: 'amd64' });
  });

  it('a config naming no os or architecture has no platform, and a single-platform image then cannot be placed', () => {
    for (const doc of [{ os: 'linux' }, { architecture: 'amd64' }, { os: 1, architecture: 'amd64' }, {}]) {
      const c = config(doc);
      assert.equal(c.platform, undefined, JSON.stringify(doc));
      assert.throws(() => configPlatform(c, 'app:1'), { code: 'MANIFEST_INVALID', message: 'app:1: the image config names no os/architecture' });
    }
  });
});
