import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressBar } from '../../src/cli/progress.js';

/** A stream stand-in that records writes; `isTTY` and `columns` as a terminal would report them. */
function fakeStream(isTTY: boolean, columns?: number): { stream: NodeJS.WritableStream; writes: string[] } {
  const writes: string[] = [];
  const stream = {
    isTTY,
    columns,
    write(chunk: string): boolean {
      writes.push(chunk);
      return true;
    },
  };
  return { stream: stream as unknown as NodeJS.WritableStream, writes };
}

/** A clock the test moves by hand. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('ProgressBar on a non-TTY stream', () => {
  it('writes nothing per tick and nothing at the end without a summary', () => {
    const { stream, writes } = fakeStream(false);
    const bar = new ProgressBar({ total: 3, label: 'parse', stream });
    bar.tick('a.xlsx');
    bar.tick('b.xlsx');
    bar.tick('c.xlsx');
    bar.done();
    assert.deepEqual(writes, []);
  });

  it('writes one summary line when given', () => {
    const { stream, writes } = fakeStream(false);
    const bar = new ProgressBar({ total: 2, label: 'parse', stream });
    bar.tick();
    bar.tick();
    bar.done('parsed 2 workbooks');
    assert.equal(writes.join(''), 'parsed 2 workbooks\n');
  });
});

describe('ProgressBar on a TTY stream', () => {
  it('draws in place and throttles redraws', () => {
    const { stream, writes } = fakeStream(true);
    const clock = fakeClock();
    const bar = new ProgressBar({ total: 139, label: 'parse', stream, now: clock.now });
    bar.tick('FY25_detentionStats.xlsx');
    assert.deepEqual(writes, ['\rparse [....................] 1/139 FY25_detentionStats.xlsx']);

    // Within 100 ms of the last draw: counted, not drawn.
    clock.advance(50);
    bar.tick('b.xlsx');
    assert.equal(writes.length, 1);

    // Shorter line: the leftovers of the longer one are blanked out.
    clock.advance(50);
    bar.tick('c.xlsx');
    assert.equal(writes.length, 2);
    assert.equal(writes[1], '\rparse [....................] 3/139 c.xlsx' + ' '.repeat(18));

    for (let i = 0; i < 9; i++) bar.tick('c.xlsx');
    assert.equal(writes.length, 2);

    // The final state is drawn even though the last ticks were throttled.
    bar.done();
    assert.deepEqual(writes.slice(2), ['\rparse [#...................] 12/139 c.xlsx', '\n']);
  });

  it('replaces the bar with the summary', () => {
    const { stream, writes } = fakeStream(true);
    const bar = new ProgressBar({ total: 4, label: 'load', stream, intervalMs: 0 });
    bar.tick();
    bar.tick();
    bar.tick();
    bar.tick();
    assert.deepEqual(writes, [
      '\rload [#####...............] 1/4',
      '\rload [##########..........] 2/4',
      '\rload [###############.....] 3/4',
      '\rload [####################] 4/4',
    ]);
    bar.done('loaded 4');
    assert.deepEqual(writes.slice(4), ['\rloaded 4' + ' '.repeat(23), '\n']);
    bar.done('again');
    bar.tick();
    assert.equal(writes.length, 6);
  });

  it('keeps the line inside the terminal width', () => {
    const { stream, writes } = fakeStream(true, 20);
    const bar = new ProgressBar({ total: 1, label: 'download', stream, intervalMs: 0 });
    bar.tick('a-long-file-name.zip');
    assert.deepEqual(writes, ['\rdownload [#########']);
  });

  it('draws nothing when disabled', () => {
    const { stream, writes } = fakeStream(true);
    const bar = new ProgressBar({ total: 1, label: 'x', stream, enabled: false, intervalMs: 0 });
    bar.tick();
    bar.done('finished');
    assert.equal(writes.join(''), 'finished\n');
  });

  it('defaults to stderr, never stdout', () => {
    const stdoutWrite = process.stdout.write;
    const stderrWrite = process.stderr.write;
    const toStdout: string[] = [];
    const toStderr: string[] = [];
    process.stdout.write = ((chunk: string) => toStdout.push(chunk) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => toStderr.push(chunk) > 0) as typeof process.stderr.write;
    try {
      const bar = new ProgressBar({ total: 1, label: 'x', intervalMs: 0 });
      bar.tick();
      bar.done('x finished');
    } finally {
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
    }
    assert.deepEqual(toStdout, []);
    assert.ok(toStderr.join('').endsWith('x finished\n'));
  });
});
