// Follows a trial's growing output.log and hands out clean, bounded lines, whatever the trial does.
//
// The trial writes straight to the file (so it survives its supervisor), at any rate: `yes` writes
// gigabytes a minute. Reading it all on every poll starved the event loop (no timeout, no keys, no
// signals) and the file grew without bound. So, per poll:
//   - at most READ_PER_POLL bytes are read; a reader more than MAX_BEHIND behind jumps to near the
//     end and says so in a line (metrics come from the newest output; the log keeps what it keeps);
//   - a line longer than MAX_LINE characters is cut there, marked with CUT_MARK, and the rest of it
//     up to the next newline is dropped instead of buffered;
//   - every line goes through sanitizeLine() (no terminal escapes, U+FFFD for bad bytes);
//   - with a cap (max_log), a file past it keeps its first half, then a marker line saying how many
//     bytes were dropped, then the newest tail: the tail is copied down over the middle and the
//     file truncated. The trial's descriptor is O_APPEND, so its next write lands at the new end.
//     The cap is checked each poll (10 times a second) and once more when the trial exits, so the
//     file may pass it briefly by what the trial writes between two polls; what the trial writes
//     between our copy and the truncation (microseconds) is lost with the middle.
import * as fs from 'node:fs';
import { sanitizeLine } from '../src/format/sanitize.js';

/** A line longer than this (in characters) is cut; the metric parser reads no more of a line either. */
export const MAX_LINE = 16 * 1024;
/** Appended to a cut line; glued to the text so a number cut in two is not read as a metric. */
export const CUT_MARK = '…[line cut by nightshift]';
const READ_CHUNK = 64 * 1024;
/** Bytes read per poll: 10 MB/s of output at 10 polls a second is followed line by line. */
export const READ_PER_POLL = 1024 * 1024;
/** Lines delivered per poll (checked per chunk read): a flood of tiny lines costs tens of ms a poll, not seconds. */
export const LINES_PER_POLL = 50_000;
/** Unread bytes past which a poll skips ahead to the last READ_PER_POLL bytes. */
export const MAX_BEHIND = 4 * READ_PER_POLL;
/** Copied down to follow the head when the cap is hit (the tail then grows back to the cap). */
const MAX_TAIL_COPY = 8 * 1024 * 1024;
export const MARKER_RE = /\[nightshift\] output\.log passed max_log \S+, (\d+) bytes dropped here/;

export function capMarker(maxLog: number, dropped: number): string {
  return `\n[nightshift] output.log passed max_log ${formatBytes(maxLog)}, ${dropped} bytes dropped here; the newest output follows\n`;
}

export function formatBytes(n: number): string {
  for (const [unit, size] of [['GB', 2 ** 30], ['MB', 2 ** 20], ['KB', 2 ** 10]] as const) {
    if (n >= size) return `${+(n / size).toFixed(1)}${unit}`;
  }
  return `${n}B`;
}

export interface LogTailOptions {
  /** Cap on the file's size in bytes (the campaign's max_log); undefined: no cap. */
  maxLog?: number;
}

export class LogTail {
  private fd: number | null = null;
  private pos = 0;
  private partial = '';
  /** Inside an over-long line, after its cut: drop text until the next newline. */
  private cutting = false;
  private readonly buf = Buffer.allocUnsafe(READ_CHUNK);
  private decoder = new TextDecoder('utf-8');
  /** Bytes dropped from the middle so far (read back from the marker when a new supervisor takes over). */
  private dropped: number | null = null;
  /** Lines delivered by the current read. */
  private lines = 0;

  constructor(
    private readonly file: string,
    private readonly onLine: (line: string) => void,
    private readonly opts: LogTailOptions = {},
  ) {}

  /** Reads (a bounded part of) what has been appended since the last call. Returns bytes read. */
  poll(): number {
    return this.read(MAX_BEHIND, READ_PER_POLL, LINES_PER_POLL);
  }

  /** Reads the rest (its last READ_PER_POLL bytes at most) and delivers a last line without a newline. */
  finish(): void {
    // The process is gone: nothing grows the file any more, and the final lines are what count.
    this.read(READ_PER_POLL, 2 * READ_PER_POLL, Infinity);
    if (this.partial && !this.cutting) this.emit(this.partial);
    this.partial = '';
    this.close();
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  /** Reads up to `budget` bytes or about `lineBudget` lines; first skips ahead when more than `maxBehind` bytes wait. */
  private read(maxBehind: number, budget: number, lineBudget: number): number {
    if (this.fd === null) {
      try {
        // Read-write: the cap rewrites the file in place.
        this.fd = fs.openSync(this.file, this.opts.maxLog ? 'r+' : 'r');
      } catch {
        return 0;
      }
    }
    let size = fs.fstatSync(this.fd).size;
    if (this.opts.maxLog && size > this.opts.maxLog) size = this.cap(this.fd, size, this.opts.maxLog);
    if (size < this.pos) this.restartAt(0, 0); // truncated by someone else: start over
    if (size - this.pos > maxBehind) {
      const to = size - READ_PER_POLL;
      this.restartAt(to, to - this.pos);
    }
    let total = 0;
    this.lines = 0;
    while (total < budget && this.lines < lineBudget) {
      const n = fs.readSync(this.fd, this.buf, 0, Math.min(this.buf.length, budget - total), this.pos);
      if (n <= 0) break;
      this.pos += n;
      total += n;
      this.feed(this.decoder.decode(this.buf.subarray(0, n), { stream: true }));
      if (n < this.buf.length) break;
    }
    return total;
  }

  /** Moves the read position, ends the current line, and says what was skipped. */
  private restartAt(pos: number, skipped: number): void {
    if (this.partial && !this.cutting) this.emit(this.partial);
    this.partial = '';
    this.decoder = new TextDecoder('utf-8');
    this.pos = pos;
    // Resume at a line start: the text before the next newline is the end of a skipped line.
    this.cutting = pos > 0;
    if (skipped > 0) this.onLine(`[nightshift] output too fast to follow: skipped ${skipped} bytes`);
  }

  /**
   * The file was capped by someone else (an SSH host's cap replayed on its local mirror): bytes
   * [head, keptStart) now are a marker of markerLen bytes. Keeps the reader on the same text.
   */
  shifted(head: number, keptStart: number, markerLen: number): void {
    if (this.pos >= keptStart) this.pos = head + markerLen + (this.pos - keptStart);
    else if (this.pos > head) this.restartAt(head, 0);
  }

  /** Head + marker + newest tail; returns the new size. */
  private cap(fd: number, size: number, maxLog: number): number {
    const head = Math.floor(maxLog / 2);
    if (this.dropped === null) {
      const probe = Buffer.alloc(256);
      const n = fs.readSync(fd, probe, 0, probe.length, head);
      const m = MARKER_RE.exec(probe.subarray(0, n).toString('latin1'));
      this.dropped = m ? Number(m[1]) : 0;
    }
    const oldMarker = this.dropped > 0 ? Buffer.byteLength(capMarker(maxLog, this.dropped)) : 0;
    // Start the copy at a line start when one is near (else mid-line, after the marker's newline):
    // a newline far in would throw away most of the tail (an endless line ending in one message).
    const want = Math.min(MAX_TAIL_COPY, Math.floor(maxLog / 4));
    const tail = Buffer.allocUnsafe(want);
    const got = fs.readSync(fd, tail, 0, want, size - want);
    let from = tail.subarray(0, Math.min(got, MAX_LINE)).indexOf(10);
    from = from >= 0 ? from + 1 : 0;
    const kept = tail.subarray(from, got);
    const keptStart = size - want + from; // where the kept bytes start in the old file
    this.dropped += keptStart - (head + oldMarker);
    const marker = Buffer.from(capMarker(maxLog, this.dropped));
    fs.writeSync(fd, marker, 0, marker.length, head);
    fs.writeSync(fd, kept, 0, kept.length, head + marker.length);
    const now = fs.fstatSync(fd).size;
    const end = head + marker.length + kept.length;
    fs.ftruncateSync(fd, end);
    // Bytes the trial wrote while we copied are gone with the middle.
    this.dropped += now - size;
    // Keep the reader on the same text where it survived; else restart at the marker.
    if (this.pos >= keptStart && this.pos <= size) this.pos = head + marker.length + (this.pos - keptStart);
    else if (this.pos > head) this.restartAt(head, 0);
    return end;
  }

  private feed(text: string): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      if (this.cutting) this.cutting = false;
      else if (this.partial.length + (i - start) > MAX_LINE) this.emitCut(text, start);
      else if (this.partial || i > start) {
        this.emit(this.partial + text.slice(start, i));
        this.partial = '';
      }
      start = i + 1;
    }
    if (this.cutting || start === text.length) return;
    if (this.partial.length + (text.length - start) > MAX_LINE) {
      this.emitCut(text, start);
      this.cutting = true;
    } else this.partial += text.slice(start);
  }

  private emitCut(text: string, start: number): void {
    this.emit(this.partial + text.slice(start, start + MAX_LINE - this.partial.length) + CUT_MARK);
    this.partial = '';
  }

  private emit(line: string): void {
    this.lines++;
    const clean = sanitizeLine(line);
    if (clean) this.onLine(clean);
  }
}
