import assert from 'node:assert/strict';
import { formatBytes, formatDuration, parseBandwidth, parseSize, transferSeconds } from '../src/units.js';

describe('units', () => {
  it('prints SI sizes with three significant digits, as docker does', () => {
    assert.equal(formatBytes(45520747), '45.5 MB');
    assert.equal(formatBytes(125_000_000), '125 MB');
    assert.equal(formatBytes(1_234_000_000), '1.23 GB');
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(999_600), '1 MB'); // rounds up into the next unit, never "1e+3 kB"
  });

  it('prints IEC sizes with --units iec', () => {
    assert.equal(formatBytes(45520747, 'iec'), '43.4 MiB');
    assert.equal(formatBytes(1024, 'iec'), '1 KiB');
  });

  it('parses budgets in SI and IEC', () => {
    assert.equal(parseSize('200MB'), 200_000_000);
    assert.equal(parseSize('1.5 GB'), 1_500_000_000);
    assert.equal(parseSize('300MiB'), 300 * 1024 * 1024);
    assert.equal(parseSize('512'), 512);
    assert.throws(() => parseSize('big'), /invalid size "big"/);
    assert.throws(() => parseSize('10XB'), /invalid size/);
  });

  it('parses bandwidths in bits and bytes per second', () => {
    assert.equal(parseBandwidth('5Mbps').bitsPerSecond, 5e6);
    assert.equal(parseBandwidth('100 Mbit/s').bitsPerSecond, 1e8);
    assert.equal(parseBandwidth('1Gbps').bitsPerSecond, 1e9);
    assert.equal(parseBandwidth('10MB/s').bitsPerSecond, 8e7);
    assert.throws(() => parseBandwidth('fast'), /invalid bandwidth/);
    assert.throws(() => parseBandwidth('0Mbps'), /invalid bandwidth/);
  });

  it('computes download time from compressed bytes', () => {
    // 250 MB at 5 Mbit/s: 250e6 * 8 / 5e6 = 400 s: the "7 minutes" of the README.
    assert.equal(transferSeconds(250e6, parseBandwidth('5Mbps')), 400);
    assert.equal(formatDuration(400), '6m 40s');
    assert.equal(formatDuration(0.36), '0.4s');
    assert.equal(formatDuration(2400), '40m 00s');
    assert.equal(formatDuration(7322), '2h 02m');
  });
});
