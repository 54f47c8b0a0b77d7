/**
 * Byte progress bars (#13): MB as the tables print them, percent, rate and time left, from a
 * pure function with an injected clock; and the line erased on Ctrl-C before the usual exit.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { byteProgressLine, CLEAR_LINE, type SignalHost, stderrByteProgress, stderrProgress } from '../../src/render/progress.js';

/** A stream that says it is a terminal and keeps what was written. */
function fakeTerminal(columns = 120): { isTTY: boolean; columns: number; writes: string[]; write(t: string): boolean } {
  const writes: string[] = [];
  return { isTTY: true, columns, writes, write: (t: string) => writes.push(t) > 0 };
}

/** `process` as far as SIGINT goes: listeners, and the re-raised signals recorded instead of sent. */
function fakeSignals(): SignalHost & { emitter: EventEmitter; raised: string[] } {
  const emitter = new EventEmitter();
  const raised: string[] = [];
  return {
    emitter,
    raised,
    pid: 4242,
    prependListener: (e, l) => emitter.prependListener(e, l),
    removeListener: (e, l) => emitter.removeListener(e, l),
    listenerCount: (e) => emitter.listenerCount(e),
    kill: (pid, sig) => raised.push(`${pid} ${sig}`),
  };
}

describe('render: byte progress line', () => {
  it('shows SI sizes, percent, the mean rate and the time left', () => {
    // 12,345,678 of 45,600,000 bytes in 4 s: 27.07% done, 3,086,419.5 B/s, and
    // 33,254,322 bytes left at that rate is 10.77 s.
    const line = byteProgressLine('counting layer bytes', 12_345_678, 45_600_000, 4000);
    assert.equal(line, 'counting layer bytes [=====               ] 12.3 MB / 45.6 MB 27% 3.09 MB/s 11s left');
  });

  it('says the rate is being measured in the first second, rather than a wild guess', () => {
    const line = byteProgressLine('x', 5_000_000, 10_000_000, 999);
    assert.ok(line.endsWith(' 5 MB / 10 MB 50% measuring rate'), line);
    assert.doesNotMatch(line, /left/);
  });

  it('at the end shows 100% and the rate, and no time left', () => {
    // 2.5 GB in 100 s is 25 MB/s.
    const line = byteProgressLine('x', 2_500_000_000, 2_500_000_000, 100_000);
    assert.ok(line.endsWith('[====================] 2.5 GB / 2.5 GB 100% 25 MB/s'), line);
  });

  it('an empty total is done, not a division by zero', () => {
    assert.ok(byteProgressLine('x', 0, 0, 0).endsWith(' 0 B / 0 B 100% measuring rate'));
  });

  it('never wider than the terminal: the bar goes first, then the line is cut', () => {
    const full = byteProgressLine('compressing layers', 1_500_000, 3_000_000, 2000);
    const narrow = byteProgressLine('compressing layers', 1_500_000, 3_000_000, 2000, 60);
    assert.ok(full.length >= 60, full);
    assert.equal(narrow, 'compressing layers 1.5 MB / 3 MB 50% 750 kB/s 2.0s left');
    const tiny = byteProgressLine('compressing layers', 1_500_000, 3_000_000, 2000, 20);
    assert.equal(tiny, 'compressing layers ');
  });
});

describe('render: byte progress bar on a terminal', () => {
  it('is drawn only on a terminal and only when enabled', () => {
    const pipe = { ...fakeTerminal(), isTTY: false };
    stderrByteProgress('x', true, { stream: pipe, signals: fakeSignals() }).update(1, 2);
    const off = fakeTerminal();
    stderrByteProgress('x', false, { stream: off, signals: fakeSignals() }).update(1, 2);
    assert.deepEqual([pipe.writes, off.writes], [[], []]);
  });

  it('takes the rate from the injected clock, starting at the first update, and redraws at most every 100 ms', () => {
    const term = fakeTerminal();
    let now = 50_000;
    const bar = stderrByteProgress('counting layer bytes', true, { stream: term, now: () => now, signals: fakeSignals() });
    bar.update(0, 8_000_000);
    now += 2000;
    bar.update(4_000_000, 8_000_000);
    now += 50;
    bar.update(4_100_000, 8_000_000); // within 100 ms of the last draw: skipped
    now += 1950;
    bar.update(8_000_000, 8_000_000);
    bar.done();
    assert.deepEqual(term.writes, [
      '\rcounting layer bytes [                    ] 0 B / 8 MB 0% measuring rate',
      '\rcounting layer bytes [==========          ] 4 MB / 8 MB 50% 2 MB/s 2.0s left',
      '\rcounting layer bytes [====================] 8 MB / 8 MB 100% 2 MB/s',
      CLEAR_LINE,
    ]);
  });
});

describe('render: progress bars on Ctrl-C', () => {
  it('erase the line first, then the usual SIGINT handler runs (bin/run.js exits 130)', () => {
    const term = fakeTerminal();
    const signals = fakeSignals();
    // Stands for bin/run.js's handler, registered before any bar.
    signals.emitter.once('SIGINT', () => term.write('<exit 130>'));
    const bar = stderrByteProgress('reading layers', true, { stream: term, now: () => 0, signals });
    bar.update(10, 100);
    assert.equal(signals.emitter.listenerCount('SIGINT'), 2, 'a listener while the bar is drawn');
    signals.emitter.emit('SIGINT');
    assert.deepEqual(term.writes.slice(1), [CLEAR_LINE, '<exit 130>']);
    assert.deepEqual(signals.raised, [], 'the existing handler decides what SIGINT does');
    assert.equal(signals.emitter.listenerCount('SIGINT'), 0);
    bar.done();
    assert.deepEqual(term.writes.slice(1), [CLEAR_LINE, '<exit 130>'], 'not erased twice');
  });

  it('with no other SIGINT handler, raise the signal again so the process still ends', () => {
    const term = fakeTerminal();
    const signals = fakeSignals();
    stderrProgress('sizing', true, { stream: term, signals }).update(1, 3);
    signals.emitter.emit('SIGINT');
    assert.equal(term.writes.at(-1), CLEAR_LINE);
    assert.deepEqual(signals.raised, ['4242 SIGINT']);
  });

  it('hold no SIGINT listener before a line is drawn or after it is erased', () => {
    const signals = fakeSignals();
    const bar = stderrByteProgress('x', true, { stream: fakeTerminal(), now: () => 0, signals });
    assert.equal(signals.emitter.listenerCount('SIGINT'), 0);
    bar.update(1, 2);
    bar.done();
    assert.equal(signals.emitter.listenerCount('SIGINT'), 0);
  });

  it('on the real process: a signal erases the line before the handler already there', () => {
    const term = fakeTerminal();
    const order: string[] = [];
    const standIn = () => order.push(`handler after ${JSON.stringify(term.writes.at(-1))}`);
    // The emitted SIGINT reaches only the stand-in and the bar: the run's own listeners (the
    // test registries' clean-up, which kills every registry still running) are set aside.
    const others = process.rawListeners('SIGINT') as NodeJS.SignalsListener[];
    process.removeAllListeners('SIGINT');
    process.on('SIGINT', standIn);
    try {
      const bar = stderrByteProgress('x', true, { stream: term, now: () => 0 });
      bar.update(1, 2);
      process.emit('SIGINT');
      assert.deepEqual(order, [`handler after ${JSON.stringify(CLEAR_LINE)}`]);
      bar.done();
    } finally {
      process.removeListener('SIGINT', standIn);
      for (const listener of others) process.on('SIGINT', listener);
    }
  });
});
