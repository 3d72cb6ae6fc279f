// SEARCH/REPLACE: exact match first; then a match that ignores indentation and runs of
// whitespace, with the replacement re-indented to the file's indentation; and when neither
// matches, the closest lines of the file, so the model can copy them exactly next time.

export type ReplaceResult = { ok: true; content: string } | { ok: false; reason: string; feedback: string };

const squash = (l: string): string => l.trim().replace(/\s+/g, ' ');
const indentOf = (l: string): string => /^[ \t]*/.exec(l)![0];

function trimBlankEnds(lines: string[]): string[] {
  let a = 0;
  let b = lines.length;
  while (a < b && lines[a].trim() === '') a++;
  while (b > a && lines[b - 1].trim() === '') b--;
  return lines.slice(a, b);
}

function split(text: string): { lines: string[]; eol: boolean } {
  const eol = text.endsWith('\n');
  const lines = text.split('\n');
  if (eol) lines.pop();
  return { lines, eol };
}

/** Where `block` occurs: the first two places at most (two means the SEARCH is ambiguous). */
function findLines(file: string[], block: string[], eq: (a: string, b: string) => boolean): number[] {
  const found: number[] = [];
  for (let at = 0; at + block.length <= file.length && found.length < 2; at++) {
    if (block.every((l, j) => eq(file[at + j], l))) found.push(at);
  }
  return found;
}

function ambiguous(path: string, at: number[]): ReplaceResult {
  const reason = `the SEARCH text of a SEARCH/REPLACE block occurs more than once in ${path} (at lines ${at[0] + 1} and ${at[1] + 1}).`;
  return { ok: false, reason, feedback: `${reason} Include enough surrounding lines in SEARCH to pick one place.` };
}

/** Character-bigram similarity of two lines, 0..1, whitespace squashed. */
function similarity(a: string, b: string): number {
  const x = squash(a);
  const y = squash(b);
  if (x === y) return 1;
  if (x.length < 2 || y.length < 2) return 0;
  const grams = new Map<string, number>();
  for (let i = 0; i < x.length - 1; i++) grams.set(x.slice(i, i + 2), (grams.get(x.slice(i, i + 2)) ?? 0) + 1);
  let common = 0;
  for (let i = 0; i < y.length - 1; i++) {
    const g = y.slice(i, i + 2);
    const n = grams.get(g) ?? 0;
    if (n > 0) {
      common++;
      grams.set(g, n - 1);
    }
  }
  return (2 * common) / (x.length - 1 + (y.length - 1));
}

/** The window of the file most like `block`: 1-based first line and its text. */
export function closestLines(file: string[], block: string[]): { line: number; text: string[]; score: number } {
  const size = Math.max(1, Math.min(block.length, file.length));
  let best = { line: 1, text: file.slice(0, size), score: -1 };
  for (let at = 0; at + size <= file.length; at++) {
    let s = 0;
    for (let j = 0; j < size; j++) s += similarity(file[at + j], block[j] ?? '');
    s /= size;
    if (s > best.score) best = { line: at + 1, text: file.slice(at, at + size), score: s };
  }
  return best;
}

/** Match non-blank lines only (whitespace squashed); the file span [from, to) they cover. */
function findIgnoringBlanks(file: string[], block: string[]): { from: number; to: number } | undefined {
  const want = block.filter((l) => l.trim() !== '').map(squash);
  const idx = file.map((l, i) => [squash(l), i] as const).filter(([l]) => l !== '');
  if (want.length === 0) return undefined;
  const spans: { from: number; to: number }[] = [];
  for (let a = 0; a + want.length <= idx.length && spans.length < 2; a++) {
    if (want.every((w, j) => idx[a + j][0] === w)) spans.push({ from: idx[a][1], to: idx[a + want.length - 1][1] + 1 });
  }
  // Two places is ambiguous: leave it to the closest-lines feedback rather than guess.
  return spans.length === 1 ? spans[0] : undefined;
}

/**
 * Shift the replacement by the difference between the SEARCH's indentation and the file's, so
 * relative indentation inside the replacement (a dedented `def` after a body) survives.
 */
function reindent(replace: string[], fromIndent: string, toIndent: string): string[] {
  if (fromIndent === toIndent) return replace;
  return replace.map((l) => {
    if (l.trim() === '') return '';
    if (toIndent.startsWith(fromIndent)) return toIndent.slice(fromIndent.length) + l;
    if (fromIndent.startsWith(toIndent)) {
      const drop = fromIndent.length - toIndent.length;
      const have = indentOf(l).length;
      return l.slice(Math.min(drop, have));
    }
    // Tabs against spaces: swap the prefix where it is there, leave other lines alone.
    return l.startsWith(fromIndent) ? toIndent + l.slice(fromIndent.length) : l;
  });
}

export function applySearchReplace(path: string, content: string | null, search: string, replace: string): ReplaceResult {
  const rep = split(replace.endsWith('\n') || replace === '' ? replace : replace + '\n').lines;
  if (search.trim() === '') {
    if (content === null) return { ok: true, content: rep.join('\n') + (rep.length ? '\n' : '') };
    const reason = `a SEARCH/REPLACE block for ${path} has an empty SEARCH section, but ${path} exists.`;
    return { ok: false, reason, feedback: `${reason} Put the lines to change in the SEARCH section.` };
  }
  if (content === null) {
    const reason = `a SEARCH/REPLACE block names ${path}, which does not exist.`;
    return { ok: false, reason, feedback: `${reason} To create a file, leave the SEARCH section empty.` };
  }
  const { lines: file, eol } = split(content);
  const want = trimBlankEnds(split(search).lines);
  const join = (out: string[]): string => out.join('\n') + (eol ? '\n' : '');

  let found = findLines(file, want, (a, b) => a === b);
  if (found.length > 1) return ambiguous(path, found);
  let at = found.length === 1 ? found[0] : -1;
  if (at >= 0) return { ok: true, content: join([...file.slice(0, at), ...trimBlankEnds(rep), ...file.slice(at + want.length)]) };

  found = findLines(file, want, (a, b) => squash(a) === squash(b));
  if (found.length > 1) return ambiguous(path, found);
  at = found.length === 1 ? found[0] : -1;
  if (at >= 0) {
    const first = want.findIndex((l) => l.trim() !== '');
    const fixed = reindent(trimBlankEnds(rep), indentOf(want[first]), indentOf(file[at + first]));
    return { ok: true, content: join([...file.slice(0, at), ...fixed, ...file.slice(at + want.length)]) };
  }

  // Last, ignore blank lines on both sides: models often drop or add an empty line.
  const span = findIgnoringBlanks(file, want);
  if (span) {
    const first = want.findIndex((l) => l.trim() !== '');
    const fixed = reindent(trimBlankEnds(rep), indentOf(want[first]), indentOf(file[span.from]));
    return { ok: true, content: join([...file.slice(0, span.from), ...fixed, ...file.slice(span.to)]) };
  }

  const near = closestLines(file, want);
  const reason = `the SEARCH text of a SEARCH/REPLACE block was not found in ${path}.`;
  const shown = near.text.map((l, j) => `${String(near.line + j).padStart(4)} | ${l}`).join('\n');
  const feedback =
    `${reason}\nThe closest lines of ${path} (lines ${near.line}-${near.line + near.text.length - 1}) are:\n${shown}\n` +
    'The SEARCH section must copy the file\'s lines exactly.';
  return { ok: false, reason, feedback };
}
