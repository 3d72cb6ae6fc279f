// A small unified-diff reader and hunk applier. Models write diffs with wrong line counts and
// stale line numbers, so counts are ignored (a hunk runs to the next header) and each hunk is
// placed by its context, nearest to where its header says, at any offset.

import { closestLines } from './search-replace.js';

export interface Hunk {
  header: string;
  oldStart: number;
  lines: string[]; // each begins with ' ', '-' or '+'
}

export interface FilePatch {
  oldPath: string | null; // null: /dev/null, a new file
  newPath: string | null; // null: /dev/null, a deleted file
  hunks: Hunk[];
}

const HUNK = /^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@/;

function stripPrefix(p: string): string | null {
  const name = p.replace(/\t.*$/, '').trim();
  if (name === '/dev/null') return null;
  return name.replace(/^[ab]\//, '');
}

export function parseUnifiedDiff(text: string): FilePatch[] | string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const patches: FilePatch[] = [];
  let current: FilePatch | undefined;
  let hunk: Hunk | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')) {
      current = { oldPath: stripPrefix(line.slice(4)), newPath: stripPrefix(lines[i + 1].slice(4)), hunks: [] };
      patches.push(current);
      hunk = undefined;
      i++;
      continue;
    }
    if (line.startsWith('diff --git ') || line.startsWith('index ') || /^(new|deleted) file mode/.test(line)) {
      hunk = undefined;
      continue;
    }
    if (line.startsWith('@@')) {
      if (!current) return `the diff has a hunk (${line.trim()}) before any "--- a/file" / "+++ b/file" header.`;
      const m = HUNK.exec(line);
      hunk = { header: line.trim(), oldStart: m ? Number(m[1]) : 0, lines: [] };
      current.hunks.push(hunk);
      continue;
    }
    if (!hunk) continue;
    if (line.startsWith('\\')) continue; // "\ No newline at end of file"
    if (line === '') hunk.lines.push(' '); // an editor or model dropped the context line's space
    else if (' -+'.includes(line[0])) hunk.lines.push(line);
    else hunk = undefined; // prose after the diff
  }
  // Blank lines between a hunk and what follows it are separators, not context.
  for (const h of patches.flatMap((p) => p.hunks)) {
    while (h.lines.length > 0 && h.lines[h.lines.length - 1] === ' ') h.lines.pop();
  }
  if (patches.length === 0) return 'the diff block has no "--- a/file" / "+++ b/file" header.';
  return patches;
}

/** The match nearest `near`, never before `floor` (the end of the previous hunk's change). */
function findBlock(file: string[], block: string[], near: number, floor: number, eq: (a: string, b: string) => boolean): number {
  const last = file.length - block.length;
  const matchesAt = (at: number): boolean => block.every((l, j) => eq(file[at + j], l));
  for (let d = 0; d <= Math.max(near, last - near) + 1; d++) {
    for (const at of d === 0 ? [near] : [near - d, near + d]) {
      if (at >= floor && at <= last && matchesAt(at)) return at;
    }
  }
  return -1;
}

const exact = (a: string, b: string): boolean => a === b;
const loose = (a: string, b: string): boolean => a.trimEnd() === b.trimEnd();

export type HunkResult = { ok: true; lines: string[] } | { ok: false; reason: string; feedback: string };

/** Apply a file's hunks to its lines (no trailing '' for the final newline). */
export function applyHunks(path: string, fileLines: string[], hunks: Hunk[]): HunkResult {
  let out = fileLines.slice();
  let shift = 0; // how far earlier hunks moved later lines
  let floor = 0; // hunks apply in order: a later one never lands inside an earlier one's change
  for (let n = 0; n < hunks.length; n++) {
    const h = hunks[n];
    const before = h.lines.filter((l) => l[0] !== '+').map((l) => l.slice(1));
    const after = h.lines.filter((l) => l[0] !== '-').map((l) => l.slice(1));
    const near = Math.max(floor, Math.min(out.length, h.oldStart - 1 + shift));
    let at = before.length === 0 ? (h.oldStart === 0 ? 0 : near) : findBlock(out, before, near, floor, exact);
    if (at < 0) at = findBlock(out, before, near, floor, loose);
    if (at < 0) {
      const reason = `hunk ${n + 1} of ${hunks.length} for ${path} (${h.header}) did not match the file: its context and removed lines are not in ${path}.`;
      const near = closestLines(out, before);
      const shown = near.text.map((l, j) => `${String(near.line + j).padStart(4)} | ${l}`).join('\n');
      const feedback =
        `${reason}\nThe hunk expected these lines:\n${before.join('\n')}\n` +
        `The closest lines of ${path} (lines ${near.line}-${near.line + near.text.length - 1}) are:\n${shown}\n` +
        'Copy context lines exactly from the current file, or use a SEARCH/REPLACE block.';
      return { ok: false, reason, feedback };
    }
    out = [...out.slice(0, at), ...after, ...out.slice(at + before.length)];
    shift = at + after.length - (h.oldStart - 1 + before.length);
    floor = at + after.length;
  }
  return { ok: true, lines: out };
}
