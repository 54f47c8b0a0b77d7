/**
 * The audit's arithmetic on a repository whose images share layers in known ways. Every
 * expected figure is worked out by hand in the comments from the layer lists below, not
 * from the code under test.
 */
import assert from 'node:assert/strict';
import { auditFigures, type InventoryImage, type ManifestContent } from '../../src/ecr/storage-math.js';
import { suggestLifecyclePolicy } from '../../src/ecr/lifecycle.js';

const NOW = new Date('2025-06-01T00:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);
const L = (name: string) => `sha256:${name.padEnd(64, '0')}`;
const D = (name: string) => `sha256:${name.padEnd(64, 'f')}`;

// Layers and their sizes (distinct sizes make every sum recognisable).
const SIZES: Record<string, number> = { a1: 100, a2: 50, a3: 30, a4: 20, a5: 7, a6: 3, a7: 11, a8: 13, a9: 17 };
const image = (...names: string[]): ManifestContent => ({ kind: 'image', layers: names.map((n) => ({ digest: L(n), size: SIZES[n] as number })) });

/*
 * The repository:
 *   A   tagged v1        image a1 a2 a3                      pushed 400d ago, pulled 2d ago
 *   B   tagged v2        index -> B1 (a1 a2 a4), B2 (a5 a6)  pushed 30d ago; B1 pulled 10d ago
 *   C   untagged         image a1 a7                         pushed 200d ago, never pulled
 *   D   untagged         index -> D1 (a3 a8), B2             pushed 5d ago, never pulled
 *   E   tagged old       image a9 a7                         pushed 300d ago, pulled 120d ago
 * ECR lists B1, B2 and D1 as untagged images of their own; they belong to B and D.
 */
const manifests = new Map<string, ManifestContent>([
  [D('a'), image('a1', 'a2', 'a3')],
  [D('b'), { kind: 'index', children: [D('b1'), D('b2')] }],
  [D('b1'), image('a1', 'a2', 'a4')],
  [D('b2'), image('a5', 'a6')],
  [D('c'), image('a1', 'a7')],
  [D('d'), { kind: 'index', children: [D('d1'), D('b2')] }],
  [D('d1'), image('a3', 'a8')],
  [D('e'), image('a9', 'a7')],
]);
// imageSizeInBytes as ECR reports it: an index reports its largest child.
const images: InventoryImage[] = [
  { digest: D('a'), tags: ['v1'], sizeInBytes: 180, pushedAt: daysAgo(400), lastPulledAt: daysAgo(2) },
  { digest: D('b'), tags: ['v2'], sizeInBytes: 170, pushedAt: daysAgo(30) },
  { digest: D('b1'), tags: [], sizeInBytes: 170, pushedAt: daysAgo(30), lastPulledAt: daysAgo(10) },
  { digest: D('b2'), tags: [], sizeInBytes: 10, pushedAt: daysAgo(30) },
  { digest: D('c'), tags: [], sizeInBytes: 111, pushedAt: daysAgo(200) },
  { digest: D('d'), tags: [], sizeInBytes: 43, pushedAt: daysAgo(5) },
  { digest: D('d1'), tags: [], sizeInBytes: 43, pushedAt: daysAgo(5) },
  { digest: D('e'), tags: ['old'], sizeInBytes: 28, pushedAt: daysAgo(300), lastPulledAt: daysAgo(120) },
];
const options = { now: NOW, staleDays: 90, pricePerGbMonth: 0.1, top: 3 };

describe('ecr audit arithmetic', function () {
  it('counts images as users see them: index children belong to their index', function () {
    const f = auditFigures(images, manifests, options);
    // Roots: A, B, C, D, E (B1, B2, D1 are children). Tagged: A, B, E.
    assert.equal(f.imageCount, 5);
    assert.equal(f.taggedCount, 3);
    assert.equal(f.untaggedCount, 2);
    // A child of a tagged index is never untagged: B1 and B2 are not among the untagged.
    const untagged = f.groups.filter((g) => !g.tagged).map((g) => g.root.digest).sort();
    assert.deepEqual(untagged, [D('c'), D('d')].sort());
  });

  it('sums imageSizeInBytes as the API reports it, and counts each stored layer once', function () {
    const f = auditFigures(images, manifests, options);
    // 180 + 170 + 170 + 10 + 111 + 43 + 43 + 28
    assert.equal(f.totalSize, 755);
    // a1..a9: 100 + 50 + 30 + 20 + 7 + 3 + 11 + 13 + 17
    assert.equal(f.uniqueSize, 251);
  });

  it('frees by deleting untagged images only the layers no tagged image holds', function () {
    const f = auditFigures(images, manifests, options);
    // Untagged C (a1 a7) and D (a3 a8 a5 a6): a1 is in A, a7 in E, a3 in A, a5 a6 in B (via B2).
    // Only a8 (13) is theirs alone.
    assert.equal(f.reclaimableUntaggedSize, 13);
  });

  it('judges staleness from the last pull of any member, or the push when never pulled', function () {
    const f = auditFigures(images, manifests, options);
    // Cutoff 90 days ago. A pulled 2d ago; B pulled via B1 10d ago; C never pulled, pushed 200d ago:
    // stale; D never pulled but pushed 5d ago: not stale; E pulled 120d ago: stale.
    assert.equal(f.staleCount, 2);
    assert.deepEqual(f.groups.filter((g) => g.stale).map((g) => g.root.digest).sort(), [D('c'), D('e')].sort());
    // Stale C (a1 a7) and E (a9 a7): a1 is in A; a7 (11) and a9 (17) only in stale images.
    assert.equal(f.reclaimableStaleSize, 28);
    // With a 3-day threshold, B (10d), C, D (5d, never pulled) and E are stale; A (2d) is not.
    // Only A's layers survive: a1 a2 a3 = 180 of 251 kept, so 71 freed.
    const short = auditFigures(images, manifests, { ...options, staleDays: 3 });
    assert.equal(short.staleCount, 4);
    assert.equal(short.reclaimableStaleSize, 251 - 180);
  });

  it('lists the largest images with every platform counted once', function () {
    const f = auditFigures(images, manifests, options);
    // A: a1 a2 a3 = 180. B: a1 a2 a4 a5 a6 = 180. C: 111. D: a3 a8 a5 a6 = 53. E: 28.
    // A and B tie at 180: the more recently pushed (B, 30d) first.
    assert.deepEqual(
      f.largest.map((i) => [i.digest, i.size, i.tags.join(',')]),
      [
        [D('b'), 180, 'v2'],
        [D('a'), 180, 'v1'],
        [D('c'), 111, ''],
      ],
    );
    assert.equal(f.largest[0]?.lastPulledAt, daysAgo(10).toISOString());
    assert.equal(f.largest[2]?.lastPulledAt, null);
    assert.equal(f.largest[1]?.pushedAt, daysAgo(400).toISOString());
  });

  it('prices storage per GB of 2^30 bytes', function () {
    const gib = 2 ** 30;
    const big: InventoryImage[] = [{ digest: D('x'), tags: ['x'], sizeInBytes: 2.5 * gib }];
    const m = new Map<string, ManifestContent>([[D('x'), { kind: 'image', layers: [{ digest: L('x1'), size: 2 * gib }, { digest: L('x2'), size: gib / 2 }] }]]);
    // 2.5 GB-months at $0.10
    assert.equal(auditFigures(big, m, options).monthlyCost, 0.25);
    assert.equal(auditFigures(big, m, { ...options, pricePerGbMonth: 0.5 }).monthlyCost, 1.25);
  });

  it('keeps a tagged child as an image of its own, holding its layers when its untagged index goes', function () {
    // F untagged index -> F1 (tagged v3-amd64: a1 a2), F2 (a4). Deleting F frees a4 only.
    const m = new Map<string, ManifestContent>([
      [D('f'), { kind: 'index', children: [D('f1'), D('f2')] }],
      [D('f1'), image('a1', 'a2')],
      [D('f2'), image('a4')],
    ]);
    const imgs: InventoryImage[] = [
      { digest: D('f'), tags: [], sizeInBytes: 150, pushedAt: daysAgo(1) },
      { digest: D('f1'), tags: ['v3-amd64'], sizeInBytes: 150, pushedAt: daysAgo(1) },
      { digest: D('f2'), tags: [], sizeInBytes: 20, pushedAt: daysAgo(1) },
    ];
    const f = auditFigures(imgs, m, options);
    assert.equal(f.imageCount, 2); // F and F1
    assert.equal(f.untaggedCount, 1);
    assert.equal(f.uniqueSize, 170);
    assert.equal(f.reclaimableUntaggedSize, 20);
  });

  it('folds a referrer (signature) into the image it refers to', function () {
    const m = new Map<string, ManifestContent>([
      [D('g'), image('a1')],
      [D('s'), image('a5')],
    ]);
    const imgs: InventoryImage[] = [
      { digest: D('g'), tags: ['v1'], sizeInBytes: 100, pushedAt: daysAgo(1) },
      { digest: D('s'), tags: [], sizeInBytes: 7, pushedAt: daysAgo(1), subjectDigest: D('g') },
    ];
    const f = auditFigures(imgs, m, options);
    assert.equal(f.imageCount, 1);
    assert.equal(f.untaggedCount, 0);
    assert.equal(f.reclaimableUntaggedSize, 0);
    assert.equal(f.uniqueSize, 107);
  });

  it('without manifests (--no-layers) counts every listed manifest and gives no layer figures', function () {
    const f = auditFigures(images, undefined, options);
    assert.equal(f.layersRead, false);
    assert.equal(f.imageCount, 8);
    assert.equal(f.untaggedCount, 5);
    assert.equal(f.totalSize, 755);
    assert.equal(f.uniqueSize, null);
    assert.equal(f.reclaimableUntaggedSize, null);
    assert.equal(f.reclaimableStaleSize, null);
    assert.equal(f.monthlyCost, null);
    // Stale alone: C (never pulled, 200d), E (120d), and B's index and B2 (never pulled, pushed 30d) are not.
    assert.equal(f.staleCount, 2);
    // Largest by imageSizeInBytes.
    assert.deepEqual(f.largest.map((i) => i.size), [180, 170, 170]);
  });

  it('suggests a lifecycle policy whose freed bytes follow the same arithmetic', function () {
    const f = auditFigures(images, manifests, options);
    const s = suggestLifecyclePolicy(f.groups, NOW, true);
    // Untagged pushed more than a day ago: C (200d) and D (5d): frees a8 = 13, as the audit says.
    assert.equal(s.expiresCount, 2);
    assert.equal(s.freesBytes, 13);
    assert.deepEqual(s.policy.rules[0]?.selection, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 });
    assert.deepEqual(s.policy.rules[0]?.action, { type: 'expire' });
    // An untagged image pushed an hour ago is left alone (it may be a multi-platform push in progress).
    const fresh = auditFigures([{ digest: D('h'), tags: [], sizeInBytes: 7, pushedAt: new Date(NOW.getTime() - 3600_000) }], new Map([[D('h'), image('a5')]]), options);
    assert.equal(fresh.reclaimableUntaggedSize, 7);
    const none = suggestLifecyclePolicy(fresh.groups, NOW, true);
    assert.equal(none.expiresCount, 0);
    assert.equal(none.freesBytes, 0);
  });
});
