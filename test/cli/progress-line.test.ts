import { createProgressLine, progressText, type ProgressStream } from '../../src/cli/progress-line';
import { fakeClock } from '../helpers/memory';

/** A terminal (or not) that keeps what was written to it. */
function fakeStream(isTTY: boolean, columns?: number): ProgressStream & { text: string } {
  const stream = {
    isTTY,
    ...(columns ? { columns } : {}),
    text: '',
    write(chunk: string) {
      stream.text += chunk;
      return true;
    },
  };
  return stream;
}

/** What a terminal shows: each `\r` + erase-line starts the line again; `\n` ends one. */
function screen(text: string): string[] {
  const lines: string[] = [''];
  const erase = '\r\u001b[2K';
  for (const part of text.split(new RegExp(`(${erase.replace('[', '\\[')}|\n)`))) {
    if (part === erase) lines[lines.length - 1] = '';
    else if (part === '\n') lines.push('');
    else lines[lines.length - 1] += part;
  }
  return lines;
}

describe('the progress line (run on a terminal)', () => {
  it('shows done / total, the rate and the ETA from the clock, overwriting one line, erased at the end', () => {
    const clock = fakeClock(Date.parse('2026-01-05T10:00:00Z'));
    const stream = fakeStream(true);
    const progress = createProgressLine(stream, clock)!;
    progress.started(50);
    expect(screen(stream.text)).toEqual(['0/50 gateways (0%) · –/s · ETA –']);
    for (let i = 0; i < 10; i++) {
      clock.advance(400);
      progress.gatewayDone(); // 9 more in the 3.6 s after the first: 2.5/s, 40 left: 16 s
    }
    expect(screen(stream.text)).toEqual(['10/50 gateways (20%) · 2.5/s · ETA 16s']);
    progress.writeAbove('warning: gw-x: no answer\n');
    expect(screen(stream.text)).toEqual([
      'warning: gw-x: no answer',
      '10/50 gateways (20%) · 2.5/s · ETA 16s',
    ]);
    clock.advance(36_000);
    for (let i = 0; i < 40; i++) progress.gatewayDone();
    expect(screen(stream.text).at(-1)).toBe('50/50 gateways (100%) · 1.2/s · ETA 0s'); // 49 in 39.6 s
    progress.finished();
    expect(screen(stream.text)).toEqual(['warning: gw-x: no answer', '']);
    // Lines written after it are plain.
    progress.writeAbove('done\n');
    expect(screen(stream.text)).toEqual(['warning: gw-x: no answer', 'done', '']);
  });

  // A target listed early has its gateways done before the last target is listed (run-checks.ts); a
  // break trial: the terminal stayed silent for 5 min while a listing hung and the rest was done.
  it('while targets are still being listed: done against those listed so far, said so, no ETA; then as usual', () => {
    const clock = fakeClock(0);
    const stream = fakeStream(true);
    const progress = createProgressLine(stream, clock)!;
    progress.listed!(3);
    expect(screen(stream.text)).toEqual(['0/3 gateways listed so far · –/s · still listing targets']);
    for (let i = 0; i < 3; i++) {
      clock.advance(1_000);
      progress.gatewayDone();
    }
    expect(screen(stream.text)).toEqual(['3/3 gateways listed so far · 1.0/s · still listing targets']);
    clock.advance(1_000);
    progress.started(10);
    // 2 more in the 3 s since the first: 0.7/s.
    expect(screen(stream.text)).toEqual(['3/10 gateways (30%) · 0.7/s · ETA 11s']);
    progress.finished();
    // A second run on the same line (the demo) counts from nothing again.
    progress.started(4);
    expect(screen(stream.text).at(-1)).toBe('0/4 gateways (0%) · –/s · ETA –');
  });

  // Issue 14's trial: after Ctrl-C the line went on counting toward the total, with an ETA.
  it('once stopping: says so, with what is done, and no rate or ETA', () => {
    const clock = fakeClock(0);
    const stream = fakeStream(true);
    const progress = createProgressLine(stream, clock)!;
    progress.started(600);
    clock.advance(1_000);
    progress.gatewayDone();
    progress.stopping();
    expect(screen(stream.text)).toEqual(['stopping: 1/600 gateways done; finishing those already read']);
    clock.advance(1_000);
    progress.gatewayDone();
    expect(screen(stream.text)).toEqual(['stopping: 2/600 gateways done; finishing those already read']);
    progress.finished();
    expect(screen(stream.text)).toEqual(['']);
  });

  it('the stop message is written above a line that already says stopping: the old rate and ETA never come back after it (new-user trial)', () => {
    const clock = fakeClock(0);
    const stream = fakeStream(true);
    const progress = createProgressLine(stream, clock)!;
    progress.started(320);
    clock.advance(1_000);
    progress.gatewayDone();
    clock.advance(3_000);
    for (let i = 0; i < 37; i++) progress.gatewayDone();
    expect(screen(stream.text).at(-1)).toMatch(/ETA/);
    const before = stream.text.length;
    progress.stopping('SIGINT: stopping: no new gateway is started\n');
    const after = stream.text.slice(before);
    expect(after).not.toMatch(/ETA|\/s/);
    expect(screen(stream.text)).toEqual([
      'SIGINT: stopping: no new gateway is started',
      'stopping: 38/320 gateways done; finishing those already read',
    ]);
  });

  it('redraws at most every 200 ms of the clock, and always for the last gateway', () => {
    const clock = fakeClock(0);
    const stream = fakeStream(true);
    const progress = createProgressLine(stream, clock)!;
    progress.started(1_000);
    const draws = () => stream.text.split('\r').length - 1;
    const before = draws();
    for (let i = 0; i < 999; i++) {
      clock.advance(1);
      progress.gatewayDone();
    }
    expect(draws() - before).toBe(4); // at 200, 400, 600 and 800 ms (the one at 0 was started's)
    clock.advance(1);
    progress.gatewayDone();
    expect(screen(stream.text).at(-1)).toMatch(/^1000\/1000 gateways \(100%\)/);
  });

  it('fits the terminal: cut to one column less than its width', () => {
    const clock = fakeClock(0);
    const stream = fakeStream(true, 20);
    const progress = createProgressLine(stream, clock)!;
    progress.started(5);
    // Whole words only: "0/5 gateways (0%)…", never "0/5 gatew".
    expect(screen(stream.text)).toEqual(['0/5 gateways (0%)…']);
  });

  it('nothing at all when stderr is not a terminal (a pipe, a file, CI)', () => {
    const stream = fakeStream(false);
    expect(createProgressLine(stream, fakeClock(0))).toBeUndefined();
    expect(stream.text).toBe('');
  });

  it.each([
    [0, 10, 0, undefined, '0/10 gateways (0%) · –/s · ETA –'],
    // The first one done after an operation's latency: no rate yet, never "ETA 5h 33m" (new-user trial).
    [1, 20_000, 1_000, 1_000, '1/20000 gateways (0%) · –/s · ETA –'],
    [400, 20_000, 2_900, 1_000, '400/20000 gateways (2%) · –/s · ETA –'],
    // 200 more in the 2 s after the first: 100/s, 19 799 left.
    [201, 20_000, 3_000, 1_000, '201/20000 gateways (1%) · 100.0/s · ETA 3m 18s'],
    [5, 10, 3_000, 500, '5/10 gateways (50%) · 1.6/s · ETA 4s'],
    [3, 3, 0, 0, '3/3 gateways (100%) · –/s · ETA –'],
  ])('%i of %i after %i ms, the first done after %s ms: %s', (done, total, elapsed, firstDone, text) => {
    expect(progressText(done, total, elapsed, firstDone)).toBe(text);
  });
});
