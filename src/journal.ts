// The append-only JSONL journal: one event a line, fsync'd for every decision, tolerant of a torn
// last line left by a crash mid-write. Replaying it reproduces the campaign state exactly.
//
// Every line is written at once (so a killed supervisor never loses one: it is in the page cache),
// but decisions are fsync'd as a group, SYNC_WINDOW_MS after the first of them was written, on a
// libuv worker thread, instead of one blocking fsync each: four fsyncs per trial were the largest
// cost of a short trial, and a blocked event loop delays every other trial. Only a power loss
// or kernel crash inside that window loses lines, and then only a suffix, which `resume` handles
// like any unfinished trial (re-attached, re-judged from its exit file, or re-queued).
//
// Every line carries `prev`, the hash of the line before it (src/chain.ts): the writer keeps the
// last line's hash, and on reopen takes it from the last whole line, so a torn line cut by `resume`
// never enters the chain.
import * as fs from 'node:fs';
import { GENESIS_HASH, lineHash } from './chain.js';
import { JOURNAL_VERSION, isDurable, type EventBody, type NightshiftEvent } from './events.js';

export class JournalError extends Error {}
/** No journal where one was expected: a usage mistake (wrong --out, never started), not corruption. */
export class JournalMissing extends JournalError {}

export interface ReadResult {
  events: NightshiftEvent[];
  /** A partial last line (a crash mid-write) was found and ignored. */
  torn: boolean;
  /** Byte length of the well-formed prefix. */
  validBytes: number;
  /** Hash of the last whole line (the next line's `prev`); null when there is none. */
  lastHash: string | null;
}

/** Reads and validates a journal. Throws JournalError (one paragraph, with the line number) on corruption. */
export function readJournal(path: string): ReadResult {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new JournalMissing(`No journal at ${path}: this campaign has not been started with this --out directory. Start it with \`nightshift run\`, or pass the --out you used.`);
    }
    throw err;
  }
  const events: NightshiftEvent[] = [];
  let offset = 0;
  let lineNo = 0;
  let torn = false;
  let last: string | null = null;
  while (offset < text.length) {
    const nl = text.indexOf('\n', offset);
    lineNo++;
    if (nl < 0) {
      // No newline at the end: the writer died mid-line (or is writing it right now).
      torn = true;
      break;
    }
    const line = text.slice(offset, nl);
    if (line.trim() !== '') {
      let e: NightshiftEvent;
      try {
        e = JSON.parse(line);
      } catch {
        throw new JournalError(
          `${path}, line ${lineNo}, is not valid JSON (${JSON.stringify(line.slice(0, 60))}…). The journal is append-only and nightshift never rewrites a line, so it was edited by hand or the disk is damaged. Restore the file from a backup or remove that line, then run the command again.`,
        );
      }
      if (typeof e !== 'object' || e === null || typeof e.type !== 'string' || typeof e.seq !== 'number') {
        throw new JournalError(`${path}, line ${lineNo}, is not a nightshift event (it needs "type" and "seq"). Remove that line or restore the journal from a backup.`);
      }
      if (e.v > JOURNAL_VERSION) {
        throw new JournalError(`${path} was written by a newer nightshift (journal version ${e.v}; this one reads ${JOURNAL_VERSION}). Upgrade nightshift to read it.`);
      }
      events.push(e);
      last = line;
    }
    offset = nl + 1;
  }
  return { events, torn, validBytes: Buffer.byteLength(text.slice(0, offset), 'utf8'), lastHash: last === null ? null : lineHash(last) };
}

/** How long a written decision may wait for its fsync (group commit). */
const SYNC_WINDOW_MS = 20;

export class Journal {
  private fd: number;
  private seq: number;
  private syncTimer: NodeJS.Timeout | null = null;
  /** A group commit is running on the thread pool; decisions written meanwhile need another one. */
  private syncing = false;
  private syncAgain = false;
  /** A failed group commit (disk gone) surfaces on the next append, where the engine handles it. */
  private syncError: Error | null = null;

  private constructor(readonly path: string, fd: number, seq: number, private readonly clock: () => number, private prev: string) {
    this.fd = fd;
    this.seq = seq;
  }

  /** Creates a new journal; refuses to overwrite one. */
  static create(path: string, clock: () => number = Date.now): Journal {
    const fd = fs.openSync(path, 'wx');
    return new Journal(path, fd, 0, clock, GENESIS_HASH);
  }

  /** Opens an existing journal for appending after a replay; cuts a torn last line first. */
  static reopen(path: string, read: ReadResult, clock: () => number = Date.now): Journal {
    if (read.torn) fs.truncateSync(path, read.validBytes);
    const fd = fs.openSync(path, 'a');
    const last = read.events.length ? read.events[read.events.length - 1].seq : 0;
    return new Journal(path, fd, last, clock, read.lastHash ?? GENESIS_HASH);
  }

  append(body: EventBody): NightshiftEvent {
    if (this.syncError) throw this.syncError;
    const event = { v: JOURNAL_VERSION, seq: ++this.seq, t: this.clock(), prev: this.prev, ...body } as NightshiftEvent;
    // A body copied from a replayed event must not carry that event's prev into the chain.
    event.prev = this.prev;
    const line = JSON.stringify(event);
    // One write per line keeps lines whole for concurrent readers (report, export) in practice.
    fs.writeSync(this.fd, line + '\n');
    this.prev = lineHash(line);
    if (isDurable(body)) this.scheduleSync();
    return event;
  }

  private scheduleSync(): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    if (this.syncTimer) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      if (this.fd < 0) return;
      this.syncing = true;
      fs.fsync(this.fd, (err) => {
        this.syncing = false;
        // EBADF: closed meanwhile, and close() synced.
        if (err && err.code !== 'EBADF') this.syncError = err;
        if (this.syncAgain && this.fd >= 0) {
          this.syncAgain = false;
          this.scheduleSync();
        }
      });
    }, SYNC_WINDOW_MS);
    // close() syncs what is left; a pending group commit must not keep the process alive.
    this.syncTimer.unref();
  }

  sync(): void {
    fs.fsyncSync(this.fd);
  }

  close(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    if (this.fd >= 0) {
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = -1;
    }
  }
}
