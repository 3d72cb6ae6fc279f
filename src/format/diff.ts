// Unified diffs to toned lines, and their size. Hunk headers are parsed so that a removed line
// starting with `--` (a SQL comment, a Lua comment) is still a deletion, not a file header.
import { sanitize } from './sanitize.js';
import { truncate, type Run, type Tone } from './text.js';
import { breakWord } from './wrap.js';

export interface DiffOptions {
  /** Tab stops every this many cells. */
  tabSize?: number;
  ascii?: boolean;
}

export interface DiffStats {
  files: number;
  added: number;
  removed: number;
}

const DEFAULT_TAB = 4;
const HUNK_HEADER = /^@@+ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;
const FILE_HEADER = /^(diff --git |diff --cc |index |--- |\+\+\+ |new file mode|deleted file mode|old mode|new mode|similarity index|dissimilarity index|rename from|rename to|copy from|copy to|Binary files )/;

type Kind = 'file' | 'hunk' | 'add' | 'del' | 'context' | 'note' | 'other';

const TONES: Record<Kind, Tone> = {
  file: 'file',
  hunk: 'hunk',
  add: 'add',
  del: 'del',
  context: 'normal',
  note: 'dim',
  other: 'normal',
};

function splitLines(diff: string): string[] {
  const lines = diff.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Classifies each line. Inside a hunk whose header gives line counts, lines are body lines until
 * both counts are used up; without counts (a hand-written `@@`), `+`/`-` lines are body lines and
 * `---`/`+++` are headers.
 */
function classify(lines: ReadonlyArray<string>): Kind[] {
  const kinds: Kind[] = [];
  let oldLeft = 0;
  let newLeft = 0;
  let counted = false;
  let inHunk = false;
  for (const line of lines) {
    const inCountedBody = inHunk && counted && (oldLeft > 0 || newLeft > 0);
    if (inCountedBody) {
      const c = line[0];
      if (c === '+') {
        newLeft--;
        kinds.push('add');
        continue;
      }
      if (c === '-') {
        oldLeft--;
        kinds.push('del');
        continue;
      }
      if (c === ' ' || line === '') {
        oldLeft--;
        newLeft--;
        kinds.push('context');
        continue;
      }
      if (c === '\\') {
        kinds.push('note');
        continue;
      }
      // Anything else means the counts lied; fall through and classify on its own.
    }
    const hunk = HUNK_HEADER.exec(line);
    if (hunk || line.startsWith('@@')) {
      inHunk = true;
      counted = hunk !== null;
      oldLeft = hunk ? Number(hunk[1] ?? 1) : 0;
      newLeft = hunk ? Number(hunk[2] ?? 1) : 0;
      kinds.push('hunk');
      continue;
    }
    if (FILE_HEADER.test(line)) {
      inHunk = false;
      kinds.push('file');
      continue;
    }
    if (line.startsWith('\\')) kinds.push('note');
    else if (inHunk && line.startsWith('+')) kinds.push('add');
    else if (inHunk && line.startsWith('-')) kinds.push('del');
    else if (inHunk && line.startsWith(' ')) kinds.push('context');
    else if (!inHunk && line.startsWith('+')) kinds.push('add');
    else if (!inHunk && line.startsWith('-')) kinds.push('del');
    else kinds.push('other');
  }
  return kinds;
}

function expandTabs(line: string, tabSize: number): string {
  if (!line.includes('\t')) return line;
  let out = '';
  let col = 0;
  for (const ch of line) {
    if (ch === '\t') {
      const n = tabSize - (col % tabSize);
      out += ' '.repeat(n);
      col += n;
    } else {
      out += ch;
      col++;
    }
  }
  return out;
}

/**
 * One line of runs per diff line, toned by kind (`add`, `del`, `hunk`, `file`, context `normal`,
 * `\ No newline` `dim`), tabs expanded, control characters shown as `?`, cut to `width` cells with
 * `…`. Lines are not padded.
 */
export function colorDiff(diff: string, width: number, opts: DiffOptions = {}): Run[][] {
  const tab = Math.max(1, Math.floor(opts.tabSize ?? DEFAULT_TAB));
  const lines = splitLines(diff);
  const kinds = classify(lines);
  return lines.map((line, i) => {
    const text = truncate(sanitize(expandTabs(line, tab)), width, opts.ascii);
    return text === '' ? [] : [{ text, tone: TONES[kinds[i]] }];
  });
}

/**
 * Like colorDiff, but a line wider than `width` continues on the next rows (same tone) instead of
 * being cut: the detail view shows every character of the change.
 */
export function wrapDiff(diff: string, width: number, opts: DiffOptions = {}): Run[][] {
  const w = Math.max(1, Math.floor(width));
  return colorDiff(diff, Infinity, opts).flatMap((runs) => (runs.length === 0 ? [runs] : breakWord(runs[0].text, w).map((text) => [{ text, tone: runs[0].tone }])));
}

/** Files touched and lines added/removed (headers are not counted). */
export function diffStats(diff: string): DiffStats {
  const lines = splitLines(diff);
  const kinds = classify(lines);
  let files = 0;
  let plusFiles = 0;
  let added = 0;
  let removed = 0;
  lines.forEach((line, i) => {
    const k = kinds[i];
    if (k === 'add') added++;
    else if (k === 'del') removed++;
    else if (k === 'file') {
      if (line.startsWith('diff --git ') || line.startsWith('diff --cc ')) files++;
      else if (line.startsWith('+++ ')) plusFiles++;
    }
  });
  // A plain `diff -u` has no `diff --git` lines: count its `+++` headers instead.
  return { files: files || plusFiles, added, removed };
}
