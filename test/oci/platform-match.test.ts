/**
 * Choosing an index entry as `docker pull --platform` does. The tables marked "containerd" are
 * containerd/platforms' own (compare_test.go: TestOnly, TestCompareOSFeatures;
 * platform_windows_compat_test.go: Test_PlatformCompat, Test_PlatformOrder; Apache-2.0),
 * ported case by case.
 */
import assert from 'node:assert/strict';
import { formatPlatform, parsePlatform, type Platform } from '../../src/oci/platform.js';
import { allPlatforms, choosePlatform, platformMatches, platformPreference } from '../../src/oci/platform-match.js';
import type { Descriptor, IndexManifest } from '../../src/oci/manifest.js';
import { RegsizeError } from '../../src/errors.js';

const HOST: Platform = { os: 'linux', architecture: 'amd64' };
const parse = (s: string) => parsePlatform(s, HOST);

describe('containerd TestOnly: what a host of each platform runs', () => {
  const table: [string, string[], string[]][] = [
    ['linux/amd64', ['linux/amd64', 'linux/386'], ['linux/amd64/v2', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm']],
    ['linux/amd64/v2', ['linux/amd64', 'linux/amd64/v1', 'linux/amd64/v2', 'linux/386'], ['linux/amd64/v3', 'linux/amd64/v4', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm']],
    ['linux/386', ['linux/386'], ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm']],
    ['windows/amd64', ['windows/amd64', 'windows(10.0.17763)/amd64'], ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/arm']],
    ['linux/arm/v8', ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8'], ['linux/amd64', 'linux/arm/v4', 'linux/arm64', 'windows/amd64', 'windows/arm']],
    ['linux/arm/v7', ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7'], ['linux/amd64', 'linux/arm/v4', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm']],
    ['linux/arm/v6', ['linux/arm/v5', 'linux/arm/v6'], ['linux/amd64', 'linux/arm', 'linux/arm/v4', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm']],
    ['linux/arm/v5', ['linux/arm/v5'], ['linux/amd64', 'linux/arm', 'linux/arm/v4', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm']],
    ['linux/arm/v4', ['linux/arm/v4'], ['linux/amd64', 'linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm']],
    ['linux/arm64/v9.6', ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'linux/arm64/v8', 'linux/arm64/v8.1', 'linux/arm64/v8.2', 'linux/arm64/v8.3', 'linux/arm64/v8.4', 'linux/arm64/v8.5', 'linux/arm64/v8.6', 'linux/arm64/v8.7', 'linux/arm64/v8.8', 'linux/arm64/v8.9', 'linux/arm64/v9', 'linux/arm64/v9.0', 'linux/arm64/v9.1', 'linux/arm64/v9.2', 'linux/arm64/v9.3', 'linux/arm64/v9.4', 'linux/arm64/v9.5', 'linux/arm64/v9.6'], ['linux/amd64', 'linux/arm/v4', 'windows/amd64', 'windows/arm', 'linux/arm64/v8.10']],
    ['linux/arm64/v9', ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'linux/arm64/v8', 'linux/arm64/v8.1', 'linux/arm64/v8.2', 'linux/arm64/v8.3', 'linux/arm64/v8.4', 'linux/arm64/v8.5', 'linux/arm64/v9', 'linux/arm64/v9.0'], ['linux/amd64', 'linux/arm/v4', 'windows/amd64', 'windows/arm', 'linux/arm64/v8.6']],
    ['linux/arm64/v8.1', ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'linux/arm64/v8', 'linux/arm64/v8.1'], ['linux/amd64', 'linux/arm/v4', 'linux/arm/v9', 'linux/arm64/v9', 'windows/amd64', 'windows/arm']],
    ['linux/arm64', ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'linux/arm64/v8'], ['linux/amd64', 'linux/arm/v4', 'linux/arm/v9', 'linux/arm64/v9', 'windows/amd64', 'windows/arm']],
  ];
  for (const [want, yes, no] of table) {
    it(want, () => {
      for (const p of yes) assert.equal(platformMatches(parse(want), parse(p)), true, `${want} runs ${p}`);
      for (const p of no) assert.equal(platformMatches(parse(want), parse(p)), false, `${want} does not run ${p}`);
    });
  }
});

describe('containerd TestCompareOSFeatures: preference between entries with OS features', () => {
  const table: [string, string[], string[]][] = [
    ['linux/amd64', ['windows/amd64', 'linux/amd64', 'linux(+other)/amd64', 'linux/arm64'], ['linux/amd64', 'linux(+other)/amd64', 'windows/amd64', 'linux/arm64']],
    ['linux(+none)/amd64', ['windows/amd64', 'linux/amd64', 'linux/arm64', 'linux(+other)/amd64'], ['linux/amd64', 'linux(+other)/amd64', 'windows/amd64', 'linux/arm64']],
    ['linux(+other)/amd64', ['windows/amd64', 'linux/amd64', 'linux/arm64', 'linux(+other)/amd64'], ['linux(+other)/amd64', 'linux/amd64', 'windows/amd64', 'linux/arm64']],
    ['linux(+af+other+zf)/amd64', ['windows/amd64', 'linux/amd64', 'linux/arm64', 'linux(+other)/amd64'], ['linux(+other)/amd64', 'linux/amd64', 'windows/amd64', 'linux/arm64']],
    ['linux(+f1+f2)/amd64', ['linux/amd64', 'linux(+f2)/amd64', 'linux(+f1)/amd64', 'linux(+f1+f2)/amd64'], ['linux(+f1+f2)/amd64', 'linux(+f2)/amd64', 'linux(+f1)/amd64', 'linux/amd64']],
    ['linux(7.2+other)/amd64', ['linux/amd64', 'linux(+other)/amd64', 'linux(7.1)/amd64', 'linux(7.2+other)/amd64'], ['linux(+other)/amd64', 'linux(7.2+other)/amd64', 'linux/amd64', 'linux(7.1)/amd64']],
  ];
  for (const [want, given, expected] of table) {
    it(want, () => {
      const sorted = given.map(parse).sort(platformPreference(parse(want)));
      // Both sides printed the same way (regsize spells arm64 as arm64/v8).
      assert.deepEqual(sorted.map(formatPlatform), expected.map((p) => formatPlatform(parse(p))));
    });
  }
});

describe('containerd Test_PlatformCompat: Windows hosts and container OS versions', () => {
  const [ltsc2019, ltsc2022, win11, v23h2, ltsc2025] = [17763, 20348, 22621, 25398, 26100];
  const table: [number, number, boolean][] = [
    [ltsc2019, ltsc2019, true], [ltsc2019, ltsc2022, false], [ltsc2022, ltsc2019, false], [ltsc2022, ltsc2022, true],
    [win11, ltsc2019, false], [win11, ltsc2022, true], [v23h2, ltsc2019, false], [v23h2, ltsc2022, true],
    [ltsc2025, ltsc2022, true], [ltsc2022, ltsc2025, false], [ltsc2022, win11, false], [ltsc2025, win11, true],
  ];
  for (const [host, ctr, runs] of table) {
    it(`host ${host} ${runs ? 'runs' : 'does not run'} a ${ctr} container`, () => {
      assert.equal(platformMatches(parse(`windows(10.0.${host})/amd64`), { os: 'windows', architecture: 'amd64', osVersion: `10.0.${ctr}.1` }), runs);
    });
  }
});

let n = 0;
function entry(platform: Descriptor['platform'], annotations?: Record<string, string>): Descriptor {
  n++;
  return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${String(n).padStart(64, '0')}`, size: 500, ...(platform ? { platform } : {}), ...(annotations ? { annotations } : {}) };
}
const indexOf = (...manifests: Descriptor[]): IndexManifest => ({ kind: 'index', mediaType: 'application/vnd.oci.image.index.v1+json', manifests });

describe('containerd Test_PlatformOrder: a Windows host picks the newest OS version it runs', () => {
  const linux = entry({ os: 'linux', architecture: 'amd64' });
  const ws2022 = entry({ os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.3091' });
  const ws2025 = entry({ os: 'windows', architecture: 'amd64', osVersion: '10.0.26100.2894' });
  const ws2025r3000 = entry({ os: 'windows', architecture: 'amd64', osVersion: '10.0.26100.3000' });
  it('Windows Server 2022 selects 2022', () => assert.equal(choosePlatform(indexOf(linux, ws2022, ws2025), parse('windows(10.0.20348.3091)/amd64'), 'x').descriptor, ws2022));
  it('Windows Server 2025 selects 2025', () => assert.equal(choosePlatform(indexOf(linux, ws2022, ws2025), parse('windows(10.0.26100.2894)/amd64'), 'x').descriptor, ws2025));
  it('Windows Server 2025 selects the latest revision', () => assert.equal(choosePlatform(indexOf(linux, ws2022, ws2025r3000), parse('windows(10.0.26100.2894)/amd64'), 'x').descriptor, ws2025r3000));
});

describe('parity fixes docker users rely on', () => {
  const amd64 = entry({ os: 'linux', architecture: 'amd64' });
  const i386 = entry({ os: 'linux', architecture: '386' });
  const armv5 = entry({ os: 'linux', architecture: 'arm', variant: 'v5' });
  const armv6 = entry({ os: 'linux', architecture: 'arm', variant: 'v6' });
  const armv7 = entry({ os: 'linux', architecture: 'arm', variant: 'v7' });
  const arm64 = entry({ os: 'linux', architecture: 'arm64', variant: 'v8' });
  const gpu = entry({ os: 'linux', architecture: 'amd64', osFeatures: ['gpu'] });

  it('armel is arm/v6, never the arm/v7 image', () => {
    const choice = choosePlatform(indexOf(amd64, armv7, armv6), parse('linux/armel'), 'x');
    assert.equal(choice.descriptor, armv6);
    assert.throws(() => choosePlatform(indexOf(amd64, armv7), parse('linux/armel'), 'x'), (e: unknown) => e instanceof RegsizeError && e.code === 'PLATFORM_NOT_FOUND');
  });

  it('prefers the plain linux/amd64 entry over one with OS features, wherever it stands', () => {
    assert.equal(choosePlatform(indexOf(gpu, amd64), parse('linux/amd64'), 'x').descriptor, amd64);
    assert.equal(choosePlatform(indexOf(amd64, gpu), parse('linux(+gpu)/amd64'), 'x').descriptor, gpu);
  });

  it('refuses a featured-only index for a plain request, naming the --platform that would take it', () => {
    assert.throws(
      () => choosePlatform(indexOf(gpu, arm64), parse('linux/amd64'), 'x'),
      (e: unknown) => e instanceof RegsizeError && e.code === 'PLATFORM_NOT_FOUND' && e.message.includes("--platform 'linux(+gpu)/amd64'"),
    );
  });

  it('falls back as docker pull does, and says so: arm64 -> arm/v8..v5, amd64 -> 386', () => {
    const a = choosePlatform(indexOf(amd64, armv7, armv5), parse('linux/arm64'), 'img');
    assert.equal(a.descriptor, armv7);
    assert.match(a.note ?? '', /img: no linux\/arm64\/v8 image; using linux\/arm\/v7, which a linux\/arm64\/v8 host runs/);
    assert.equal(choosePlatform(indexOf(armv5, arm64), parse('linux/arm/v7'), 'x').descriptor, armv5);
    assert.equal(choosePlatform(indexOf(arm64, i386), parse('linux/amd64'), 'x').descriptor, i386);
    assert.equal(choosePlatform(indexOf(amd64, arm64), parse('linux/amd64'), 'x').note, undefined, 'an exact match needs no note');
  });

  it('matches arm64/v8.x and v9 requests to arm64/v8 entries, and v9 to v9.0', () => {
    assert.equal(choosePlatform(indexOf(amd64, arm64), parse('linux/arm64/v8.2'), 'x').descriptor, arm64);
    assert.equal(choosePlatform(indexOf(amd64, arm64), parse('linux/arm64/v9'), 'x').descriptor, arm64);
    const v90 = entry({ os: 'linux', architecture: 'arm64', variant: 'v9.0' });
    assert.equal(choosePlatform(indexOf(arm64, v90), parse('linux/arm64/v9'), 'x').descriptor, v90);
  });

  it('one-word platforms choose the same entry as their full spelling', () => {
    const idx = indexOf(amd64, arm64, armv7, i386, entry({ os: 'linux', architecture: 's390x' }));
    for (const [word, full] of [['arm64', 'linux/arm64/v8'], ['aarch64', 'linux/arm64'], ['x86_64', 'linux/amd64'], ['armhf', 'linux/arm/v7'], ['i386', 'linux/386'], ['s390x', 'linux/s390x'], ['linux', 'linux/amd64']] as const) {
      assert.equal(choosePlatform(idx, parse(word), 'x').descriptor, choosePlatform(idx, parse(full), 'x').descriptor, `${word} = ${full}`);
    }
  });
});

describe('platform choice, as docker pull makes it', () => {
  const amd64 = entry({ os: 'linux', architecture: 'amd64' });
  const arm64 = entry({ os: 'linux', architecture: 'arm64', variant: 'v8' });
  const armv7 = entry({ os: 'linux', architecture: 'arm', variant: 'v7' });
  const armv6 = entry({ os: 'linux', architecture: 'arm', variant: 'v6' });
  const attAmd64 = entry({ os: 'unknown', architecture: 'unknown' }, { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': amd64.digest });
  const index: IndexManifest = { kind: 'index', mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [amd64, attAmd64, arm64, armv7, armv6] };

  it('matches arm64 with or without the v8 variant', () => {
    assert.equal(choosePlatform(index, parsePlatform('linux/arm64'), 'x').descriptor, arm64);
    assert.equal(choosePlatform(index, parsePlatform('linux/arm64/v8'), 'x').descriptor, arm64);
  });

  it('picks the exact arm variant, and falls back to older ones as containerd does', () => {
    assert.equal(choosePlatform(index, parsePlatform('linux/arm/v6'), 'x').descriptor, armv6);
    assert.equal(choosePlatform(index, parsePlatform('linux/arm/v7'), 'x').descriptor, armv7);
    const onlyV6: IndexManifest = { ...index, manifests: [amd64, armv6] };
    assert.equal(choosePlatform(onlyV6, parsePlatform('linux/arm/v7'), 'x').descriptor, armv6);
    assert.throws(() => choosePlatform({ ...index, manifests: [armv7] }, parsePlatform('linux/arm/v6'), 'x'), /PLATFORM|no linux\/arm\/v6/);
  });

  it('never treats attestation entries as platforms', () => {
    assert.deepEqual(allPlatforms(index).map((d) => formatPlatform(d.platform!)), ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7', 'linux/arm/v6']);
    assert.throws(
      () => choosePlatform(index, parsePlatform('unknown/unknown'), 'img'),
      (e: unknown) => e instanceof RegsizeError && e.code === 'PLATFORM_NOT_FOUND',
    );
  });

  it('says which platforms exist when the wanted one does not', () => {
    assert.throws(
      () => choosePlatform(index, parsePlatform('linux/s390x'), 'python:3'),
      (e: unknown) => e instanceof RegsizeError && e.code === 'PLATFORM_NOT_FOUND' && /python:3: no linux\/s390x image; available: linux\/amd64, linux\/arm64\/v8, linux\/arm\/v7, linux\/arm\/v6/.test(e.message),
    );
  });

  it('treats a gzip and a zstd entry of one platform as one platform, the first as docker pulls it', () => {
    const gz = entry({ os: 'linux', architecture: 'amd64' });
    const zst = entry({ os: 'linux', architecture: 'amd64' }, { 'io.github.containers.compression.zstd': 'true' });
    const dup: IndexManifest = { ...index, manifests: [gz, zst, arm64] };
    const choice = choosePlatform(dup, parsePlatform('linux/amd64'), 'app');
    assert.equal(choice.descriptor, gz);
    assert.match(choice.note ?? '', /lists linux\/amd64 2 times \(gzip, zstd\); using the first/);
    assert.equal(allPlatforms(dup).length, 2);
  });
});
