// Re-checks a journal's hash chain line by line, from the file's raw bytes, and says which line
// broke and how: a line edited after it was written, lines deleted, inserted or moved. Lines written
// before version 3 carry no `prev`: they are "not chained", which is not a break.
import { GENESIS_HASH, lineHash } from '../chain.js';
import { JOURNAL_VERSION, type NightshiftEvent } from '../events.js';

export type ChainStatus = 'intact' | 'broken' | 'unchained' | 'empty';

export interface ChainReport {
  status: ChainStatus;
  /** Parsed events, in file order (lines that are not JSON left out). */
  events: NightshiftEvent[];
  /** Whole non-blank lines. */
  lines: number;
  /** Lines before the first chained one (written by an older nightshift). */
  unchained: number;
  /** A partial last line (a crash mid-write, or a write in progress): ignored, not a break. */
  torn: boolean;
  /** Hash of the last whole line: keep it elsewhere to notice a later change of the tail. */
  head: string | null;
  /** One paragraph per broken link. */
  problems: string[];
  /** Where the chain first broke, as a phrase ("at line 12 (seq 12, trial.decided)"). */
  firstBreak: string | null;
}

/** At most this many broken links are described; the count of the rest is given. */
const MAX_PROBLEMS = 20;

interface Line {
  no: number;
  hash: string;
  event: NightshiftEvent | null;
}

function splitLines(buf: Buffer): { lines: Line[]; torn: boolean } {
  const lines: Line[] = [];
  let start = 0;
  let no = 0;
  for (;;) {
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0) return { lines, torn: start < buf.length };
    no++;
    const bytes = buf.subarray(start, nl);
    start = nl + 1;
    if (bytes.toString('utf8').trim() === '') continue;
    let event: NightshiftEvent | null = null;
    try {
      const e = JSON.parse(bytes.toString('utf8'));
      if (typeof e === 'object' && e !== null && typeof e.type === 'string' && typeof e.seq === 'number') event = e;
    } catch {
      // Reported below, with its line number.
    }
    lines.push({ no, hash: lineHash(bytes), event });
  }
}

const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
const describe = (l: Line) => (l.event ? `line ${l.no} (seq ${l.event.seq}, ${l.event.type})` : `line ${l.no}`);

/** Why line `cur` does not follow `before`: what its `prev` names instead, read as an edit, deletion, insertion or move. */
function diagnose(cur: Line, before: Line | null, prev: string, byHash: Map<string, Line>): string {
  const named = byHash.get(prev);
  const expected = before ? before.hash : GENESIS_HASH;
  const head = `${cap(describe(cur))} breaks the hash chain: its prev is ${prev}, expected ${expected} (the hash of ${before ? `line ${before.no}` : 'the genesis string, as it is the first line'}).`;
  if (named && named.no > cur.no) return `${head} It names ${describe(named)}, which comes after it, as its predecessor: lines were reordered.`;
  if (named && before && named.no < before.no) {
    const between = named.no + 1 === before.no ? `line ${before.no} was` : `lines ${named.no + 1} to ${before.no} were`;
    return `${head} It follows ${describe(named)} in the chain: ${between} inserted or moved here.`;
  }
  if (named && !before) return `${head} It follows ${describe(named)} in the chain: lines were reordered.`;
  const seq = cur.event?.seq;
  const beforeSeq = before?.event?.seq;
  if (seq !== undefined && beforeSeq !== undefined && seq > beforeSeq + 1) {
    return `${head} The seq jumps from ${beforeSeq} to ${seq}: ${seq - beforeSeq - 1} line(s) were deleted before line ${cur.no}.`;
  }
  if (seq !== undefined && beforeSeq !== undefined && seq <= beforeSeq) return `${head} The seq goes from ${beforeSeq} to ${seq}: lines were reordered or copied.`;
  if (!before) return `${head} The first line(s) of the journal were deleted or replaced.`;
  return `${head} ${cap(describe(before))} was changed after it was written.`;
}

export function checkChain(buf: Buffer): ChainReport {
  const { lines, torn } = splitLines(buf);
  const byHash = new Map<string, Line>();
  for (const l of lines) if (!byHash.has(l.hash)) byHash.set(l.hash, l);
  const problems: string[] = [];
  let broken = 0;
  let unchained = 0;
  let chained = false;
  let before: Line | null = null;
  let firstBreak: string | null = null;
  let cur: Line | null = null;
  const fail = (text: string) => {
    if (firstBreak === null && cur) firstBreak = `at ${describe(cur)}`;
    broken++;
    if (problems.length < MAX_PROBLEMS) problems.push(text);
  };
  for (const l of lines) {
    cur = l;
    const e = l.event;
    if (!e) {
      fail(`Line ${l.no} is not a nightshift event (not valid JSON, or no "type" and "seq"): it was edited by hand or the disk is damaged.`);
    } else if (typeof e.prev !== 'string') {
      // Older lines may only come first: once the chain has begun, or in a version-3 line, no prev is a break.
      if (chained || e.v >= 3) fail(`${cap(describe(l))} carries no prev (the hash of the line before it), but it ${chained ? 'follows chained lines' : `says it was written by journal version ${e.v}`}: it was written or rewritten by hand.`);
      else unchained++;
    } else {
      chained = true;
      if (e.prev !== (before ? before.hash : GENESIS_HASH)) fail(diagnose(l, before, e.prev, byHash));
    }
    if (e && e.v > JOURNAL_VERSION) fail(`${cap(describe(l))} says journal version ${e.v}, newer than this nightshift (${JOURNAL_VERSION}): upgrade nightshift to verify it.`);
    before = l;
  }
  if (broken > problems.length) problems.push(`…and ${broken - problems.length} more broken link(s) after these.`);
  const status: ChainStatus = lines.length === 0 ? 'empty' : broken ? 'broken' : chained ? 'intact' : 'unchained';
  return { status, events: lines.flatMap((l) => (l.event ? [l.event] : [])), lines: lines.length, unchained, torn, head: before ? before.hash : null, problems, firstBreak };
}
