/**
 * Platform strings as docker reads them. The tables are containerd/platforms' own
 * (platforms_test.go: TestParseSelector, TestFormatAllEncoding, TestParseSelectorInvalid,
 * TestFormatAllSkipsEmptyOSFeatures; Apache-2.0), ported case by case so that parity with
 * `docker pull --platform` is kept by tests. One deliberate difference: regsize spells arm64's
 * default variant `v8` (as indexes do), where containerd leaves it empty; the two match alike.
 */
import assert from 'node:assert/strict';
import { formatPlatform, hostPlatform, normalizePlatform, parsePlatform, type Platform } from '../../src/oci/platform.js';
import { platformMatches } from '../../src/oci/platform-match.js';
import { UsageError } from '../../src/errors.js';

// A fixed host, so that the one-word cases do not depend on the machine running the tests.
const HOST: Platform = { os: 'linux', architecture: 's390x' };
const parse = (s: string) => parsePlatform(s, HOST);
const same = (a: Platform, b: Platform) => assert.equal(formatPlatform(normalizePlatform(a)), formatPlatform(normalizePlatform(b)));

describe('platform strings, as containerd parses them', () => {
  // [input, expected platform, formatted (containerd's FormatAll, arm64 default spelled v8)]
  const table: [string, Platform, string][] = [
    ['linux/arm64', { os: 'linux', architecture: 'arm64' }, 'linux/arm64/v8'],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }, 'linux/arm64/v8'],
    ['linux/arm', { os: 'linux', architecture: 'arm' }, 'linux/arm/v7'],
    ['linux/arm/v6', { os: 'linux', architecture: 'arm', variant: 'v6' }, 'linux/arm/v6'],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }, 'linux/arm/v7'],
    ['arm', { os: 'linux', architecture: 'arm' }, 'linux/arm/v7'],
    ['armel', { os: 'linux', architecture: 'arm', variant: 'v6' }, 'linux/arm/v6'],
    ['armhf', { os: 'linux', architecture: 'arm' }, 'linux/arm/v7'],
    ['Aarch64', { os: 'linux', architecture: 'arm64' }, 'linux/arm64/v8'],
    ['x86_64', { os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
    ['Linux/x86_64', { os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
    ['i386', { os: 'linux', architecture: '386' }, 'linux/386'],
    ['linux', { os: 'linux', architecture: HOST.architecture }, `linux/${HOST.architecture}`],
    ['s390x', { os: 'linux', architecture: 's390x' }, 'linux/s390x'],
    ['linux/s390x', { os: 'linux', architecture: 's390x' }, 'linux/s390x'],
    ['macOS', { os: 'darwin', architecture: HOST.architecture }, `darwin/${HOST.architecture}`],
    ['windows', { os: 'windows', architecture: HOST.architecture }, `windows/${HOST.architecture}`],
    ['windows()', { os: 'windows', architecture: HOST.architecture }, `windows/${HOST.architecture}`],
    ['windows(10.0.17763)', { os: 'windows', osVersion: '10.0.17763', architecture: HOST.architecture }, `windows(10.0.17763)/${HOST.architecture}`],
    ['windows(10.0.17763+win32k)', { os: 'windows', osVersion: '10.0.17763', osFeatures: ['win32k'], architecture: HOST.architecture }, `windows(10.0.17763+win32k)/${HOST.architecture}`],
    ['linux(+gpu)', { os: 'linux', osFeatures: ['gpu'], architecture: HOST.architecture }, `linux(+gpu)/${HOST.architecture}`],
    ['linux(+gpu+simd)', { os: 'linux', osFeatures: ['gpu', 'simd'], architecture: HOST.architecture }, `linux(+gpu+simd)/${HOST.architecture}`],
    ['linux(+unsorted+erofs)', { os: 'linux', osFeatures: ['unsorted', 'erofs'], architecture: HOST.architecture }, `linux(+erofs+unsorted)/${HOST.architecture}`],
    ['windows(10.0.17763%2Bbuild.42)', { os: 'windows', osVersion: '10.0.17763+build.42', architecture: HOST.architecture }, `windows(10.0.17763%2Bbuild.42)/${HOST.architecture}`],
    ['windows(10.0.17763%2Bbuild.42+win32k)', { os: 'windows', osVersion: '10.0.17763+build.42', osFeatures: ['win32k'], architecture: HOST.architecture }, `windows(10.0.17763%2Bbuild.42+win32k)/${HOST.architecture}`],
    ['windows(50%25done)', { os: 'windows', osVersion: '50%done', architecture: HOST.architecture }, `windows(50%25done)/${HOST.architecture}`],
    // Beyond containerd's table, from the issue: what docker users type.
    ['windows(10.0.17763)/amd64', { os: 'windows', osVersion: '10.0.17763', architecture: 'amd64' }, 'windows(10.0.17763)/amd64'],
    ['linux(+gpu)/amd64', { os: 'linux', osFeatures: ['gpu'], architecture: 'amd64' }, 'linux(+gpu)/amd64'],
    ['arm64', { os: 'linux', architecture: 'arm64' }, 'linux/arm64/v8'],
    ['linux/arm64/v9.0', { os: 'linux', architecture: 'arm64', variant: 'v9' }, 'linux/arm64/v9'],
  ];
  for (const [input, expected, formatted] of table) {
    it(`parses ${input}`, () => {
      const p = parse(input);
      same(p, expected);
      assert.equal(p.osVersion, expected.osVersion);
      assert.deepEqual(p.osFeatures, expected.osFeatures);
      assert.ok(platformMatches(p, expected), `${input} matches what it parses to`);
      const printed = formatPlatform(normalizePlatform(p));
      assert.equal(printed, formatted);
      assert.equal(formatPlatform(normalizePlatform(parse(printed))), printed, 'the printed form parses back to itself');
    });
  }

  // NewMatcher(Parse(input)).Match(x) for each x: spellings of the same platform.
  const spellings: [string, Platform[]][] = [
    ['linux/arm64', [{ os: 'linux', architecture: 'aarch64' }, { os: 'linux', architecture: 'aarch64', variant: 'v8' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }]],
    ['linux/arm64/v8', [{ os: 'linux', architecture: 'aarch64' }, { os: 'linux', architecture: 'aarch64', variant: 'v8' }, { os: 'linux', architecture: 'arm64' }]],
    ['linux/arm', [{ os: 'linux', architecture: 'arm', variant: 'v7' }, { os: 'linux', architecture: 'armhf' }, { os: 'linux', architecture: 'arm', variant: '7' }]],
    ['linux/arm/v6', [{ os: 'linux', architecture: 'armel' }]],
    ['linux/arm/v7', [{ os: 'linux', architecture: 'arm' }, { os: 'linux', architecture: 'armhf' }]],
  ];
  for (const [input, matches] of spellings) {
    it(`${input} matches its other spellings`, () => {
      for (const m of matches) assert.ok(platformMatches(parse(input), m), `${input} matches ${JSON.stringify(m)}`);
    });
  }

  it('formats OS versions and features with containerd encoding (TestFormatAllEncoding)', () => {
    const cases: [Platform, string][] = [
      [{ os: 'windows', osVersion: '10.0.17763+build.42', architecture: 'amd64' }, 'windows(10.0.17763%2Bbuild.42)/amd64'],
      [{ os: 'windows', osVersion: '10.0.17763+build.42', osFeatures: ['win32k'], architecture: 'amd64' }, 'windows(10.0.17763%2Bbuild.42+win32k)/amd64'],
      [{ os: 'windows', osVersion: '50%done', architecture: 'amd64' }, 'windows(50%25done)/amd64'],
      [{ os: 'windows', osVersion: '1.0(beta)', architecture: 'amd64' }, 'windows(1.0%28beta%29)/amd64'],
      [{ os: 'windows', osVersion: 'a/b', architecture: 'amd64' }, 'windows(a%2Fb)/amd64'],
      [{ os: 'windows', osVersion: '10.0.17763', architecture: 'amd64' }, 'windows(10.0.17763)/amd64'],
      [{ os: 'linux', osFeatures: ['feat+v2'], architecture: 'amd64' }, 'linux(+feat%2Bv2)/amd64'],
      [{ os: 'linux', osFeatures: ['100%gpu'], architecture: 'amd64' }, 'linux(+100%25gpu)/amd64'],
      [{ os: 'windows', osVersion: '10.0+build', osFeatures: ['feat+1'], architecture: 'amd64' }, 'windows(10.0%2Bbuild+feat%2B1)/amd64'],
    ];
    for (const [p, expected] of cases) {
      assert.equal(formatPlatform(p), expected);
      const back = parse(expected);
      assert.equal(back.osVersion, p.osVersion, `OS version of ${expected} survives the round trip`);
      assert.deepEqual(back.osFeatures, p.osFeatures, `features of ${expected} survive the round trip`);
    }
  });

  it('skips empty OS features when formatting (TestFormatAllSkipsEmptyOSFeatures)', () => {
    assert.equal(formatPlatform({ os: 'linux', architecture: 'amd64', osFeatures: ['', 'gpu', '', 'simd'] }), 'linux(+gpu+simd)/amd64');
  });

  it('refuses what containerd refuses, with a usage error (TestParseSelectorInvalid, and spaces kept as typed)', () => {
    for (const input of ['', '/linux/arm', 'linux/arm/', 'linux /arm', 'linux/&arm', 'linux/arm/foo/bar', '*', 'linux/*', ' linux/amd64', 'linux/amd64 ', 'nosuchthing', 'linux(+)/amd64']) {
      assert.throws(() => parse(input), (e: unknown) => e instanceof UsageError && /^invalid platform/.test(e.message) && !e.message.includes('\n'), `refuses ${JSON.stringify(input)}`);
    }
  });

  it('defaults to linux on the host architecture', () => {
    const p = hostPlatform();
    assert.equal(p.os, 'linux');
    assert.ok(p.architecture.length > 0);
    assert.equal(parsePlatform('linux').architecture, p.architecture);
  });
});
