// Following a trial's output.log: bounded work per poll, cut over-long lines, clean lines, a capped file.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CUT_MARK, LINES_PER_POLL, LogTail, MAX_LINE, READ_PER_POLL, capMarker } from '../../runners/logtail.js';

function logFile(content: string | Buffer = ''): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-logtail-'));
  const file = path.join(dir, 'output.log');
  fs.writeFileSync(file, content);
  return file;
}

/** `count` lines `line <i>` (i from `from`), each padded to 100 bytes with its newline. */
function numbered(from: number, count: number): string {
  let s = '';
  for (let i = from; i < from + count; i++) s += `line ${i}`.padEnd(99, '.') + '\n';
  return s;
}

describe('LogTail', () => {
  it('cuts an over-long line at MAX_LINE, says so, and drops the rest of it instead of buffering it', () => {
    const file = logFile(`before\n${'x'.repeat(3 * MAX_LINE)}`);
    const lines: string[] = [];
    const tail = new LogTail(file, (l) => lines.push(l));
    tail.poll();
    expect(lines).toEqual(['before', 'x'.repeat(MAX_LINE) + CUT_MARK]);
    fs.appendFileSync(file, `${'x'.repeat(5 * MAX_LINE)} still the same line\nafter\nend without newline`);
    tail.poll();
    expect(lines.slice(2)).toEqual(['after']);
    tail.finish();
    expect(lines.slice(3)).toEqual(['end without newline']);
  });

  it('cuts a long line that ends inside one read the same way', () => {
    const file = logFile(`${'y'.repeat(MAX_LINE + 10)}\nnext\n`);
    const lines: string[] = [];
    new LogTail(file, (l) => lines.push(l)).finish();
    expect(lines).toEqual(['y'.repeat(MAX_LINE) + CUT_MARK, 'next']);
  });

  it('hands out sanitized lines: no escape sequences, U+FFFD for bytes that are not UTF-8', () => {
    const file = logFile(Buffer.concat([Buffer.from('\x1b]0;pwned\x07\x1b[31mloss=1\x1b[0m\n'), Buffer.from([0x61, 0xff, 0x62, 0x0a]), Buffer.from('a\x00b\rc\n')]));
    const lines: string[] = [];
    new LogTail(file, (l) => lines.push(l)).finish();
    expect(lines).toEqual(['loss=1', 'a\uFFFDb', 'ab', 'c']);
  });

  it('reads a bounded amount per poll and skips ahead, saying so, when far behind', () => {
    const file = logFile('y\n'.repeat(4 * READ_PER_POLL)); // 8 MiB
    let count = 0;
    const notes: string[] = [];
    const tail = new LogTail(file, (l) => (l === 'y' ? count++ : notes.push(l)));
    const read = tail.poll();
    expect(read).toBeLessThanOrEqual(READ_PER_POLL);
    // The line budget is checked per 64 KiB read: at most one read's worth of lines past it.
    expect(count).toBeLessThanOrEqual(LINES_PER_POLL + 32 * 1024);
    expect(count).toBeGreaterThan(0);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^\[nightshift\] output too fast to follow: skipped \d+ bytes$/);
    expect(Number(/skipped (\d+)/.exec(notes[0])![1])).toBe(7 * READ_PER_POLL);
  });

  it('at exit reads only the newest output when much is unread, and still delivers the last line', () => {
    const file = logFile('z\n'.repeat(4 * READ_PER_POLL) + 'loss=0.5\nfinal line');
    const lines: string[] = [];
    new LogTail(file, (l) => (l !== 'z' ? lines.push(l) : undefined)).finish();
    expect(lines[0]).toMatch(/skipped/);
    expect(lines.slice(1)).toEqual(['loss=0.5', 'final line']);
  });

  it('caps the file: keeps its start and newest end around a marker with the exact count dropped', () => {
    const maxLog = 256 * 1024;
    const file = logFile(numbered(0, 10_000)); // 1,000,000 bytes
    const lines: string[] = [];
    const tail = new LogTail(file, (l) => lines.push(l), { maxLog });
    tail.poll();
    const text = fs.readFileSync(file, 'utf8');
    expect(text.length).toBeLessThanOrEqual(maxLog);
    expect(text.startsWith(numbered(0, 10))).toBe(true);
    expect(text.endsWith(numbered(9990, 10))).toBe(true);
    const m = /\n\[nightshift\] output\.log passed max_log 256KB, (\d+) bytes dropped here; the newest output follows\n/.exec(text)!;
    expect(m).not.toBeNull();
    // What is left is the original output minus exactly the dropped bytes (and plus the marker).
    expect(text.length - m[0].length + Number(m[1])).toBe(1_000_000);
    expect(lines).toContain(m[0].trim());
    expect(lines.at(-1)).toBe(`line 9999`.padEnd(99, '.'));

    // More output: the cap applies again and the count adds up; the reader follows the new lines.
    fs.appendFileSync(file, numbered(10_000, 5_000));
    tail.poll();
    const again = fs.readFileSync(file, 'utf8');
    expect(again.length).toBeLessThanOrEqual(maxLog);
    const m2 = /(\d+) bytes dropped here/.exec(again)!;
    expect(again.length - capMarker(maxLog, Number(m2[1])).length + Number(m2[1])).toBe(1_500_000);
    expect(again.endsWith(numbered(14_990, 10))).toBe(true);
    expect(lines.at(-1)).toBe(`line 14999`.padEnd(99, '.'));
    tail.close();

    // A new supervisor (resume) reads the count back from the marker and carries on adding to it.
    fs.appendFileSync(file, numbered(15_000, 2_000));
    const size = fs.statSync(file).size;
    new LogTail(file, () => {}, { maxLog }).finish();
    const third = fs.readFileSync(file, 'utf8');
    const m3 = /(\d+) bytes dropped here/.exec(third)!;
    expect(third.length - capMarker(maxLog, Number(m3[1])).length + Number(m3[1])).toBe(1_700_000);
    expect(size).toBeGreaterThan(maxLog);
    expect(third.match(/bytes dropped here/g)).toHaveLength(1);
  });

  it('keeps the end of an endless line when capping (no newline to align to)', () => {
    const maxLog = 128 * 1024;
    const file = logFile('start\n' + 'x'.repeat(400_000) + 'THE-END');
    new LogTail(file, () => {}, { maxLog }).finish();
    const text = fs.readFileSync(file, 'utf8');
    expect(text.length).toBeLessThanOrEqual(maxLog);
    expect(text.startsWith('start\n')).toBe(true);
    expect(text.endsWith('x'.repeat(1000) + 'THE-END')).toBe(true);
  });
});
