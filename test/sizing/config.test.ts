/**
 * The image config as layers and diff read it: which step made which layer, and matching
 * layers by digest and diff_id. Bad configs give a clear error or marked rows, never a guess.
 */
import assert from 'node:assert/strict';
import { layerOrigins, parseImageConfig } from '../../src/sizing/config.js';
import { matchLayers } from '../../src/sizing/diff.js';

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

describe('diff: matching layers', () => {
  it('matches by digest first, then by diff_id among what is left', () => {
    const base = [{ digest: D(1), diffId: D(5) }, { digest: D(2), diffId: D(6) }];
    const image = [{ digest: D(3), diffId: D(5) }, { digest: D(2), diffId: D(6) }, { digest: D(4), diffId: D(7) }];
    assert.deepEqual(matchLayers(base, image), {
      image: [{ baseIndex: 0, by: 'diff_id' }, { baseIndex: 1, by: 'digest' }, undefined],
      removed: [],
    });
  });

  it('a base layer matches one image layer only; unmatched base layers are removed', () => {
    const base = [{ digest: D(1) }, { digest: D(2) }];
    const image = [{ digest: D(1) }, { digest: D(1) }, { digest: D(3) }];
    assert.deepEqual(matchLayers(base, image), { image: [{ baseIndex: 0, by: 'digest' }, undefined, undefined], removed: [1] });
  });

  it('layers without a diff_id never match each other through it', () => {
    assert.deepEqual(matchLayers([{ digest: D(1) }], [{ digest: D(2) }]), { image: [undefined], removed: [0] });
  });
});
