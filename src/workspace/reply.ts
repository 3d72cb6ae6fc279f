// Reading a model's reply into proposals. The reply format we ask for:
//
//   ### Proposal 1
//   Hypothesis: one sentence.
//   <edits>
//   ### Proposal 2
//   ...
//
// and a reply without `Proposal` headings is one proposal. Edits are any mix of a ```diff block
// (unified diff), aider-style SEARCH/REPLACE blocks with the path on the line before, and a
// whole-file rewrite: a fenced block whose preceding line is just a path.

export type Edit =
  | { kind: 'diff'; text: string }
  | { kind: 'search_replace'; path: string; search: string; replace: string }
  | { kind: 'rewrite'; path: string; content: string };

export interface Proposal {
  hypothesis: string;
  edits: Edit[];
}

export type ParsedReply =
  | { ok: true; proposals: Proposal[]; rejected: { hypothesis: string; reason: string }[] }
  | { ok: false; reason: string };

// `### Proposal 2`, `**Proposal 2**`, `Proposal 2: ...` start a proposal; prose that merely
// mentions a proposal does not.
const HEADING = /^\s*(?:#{1,6}\s*\**\s*proposal\b.*|\*\*\s*proposal\s+\d+\b.*|proposal\s+\d+\s*(?:[:.)\-–—].*)?)$/i;
const HYPOTHESIS = /^\s*[*_]*\s*hypothesis\s*[*_]*\s*:\s*[*_]*\s*(.*)$/i;
const FENCE = /^\s*(`{3,}|~{3,})\s*([\w+-]*)/;
const SEARCH = /^\s*<{5,9}\s*SEARCH\s*$/;
const DIVIDER = /^\s*={5,9}\s*$/;
const REPLACE = /^\s*>{5,9}\s*REPLACE\s*$/;

/** A line that is only a file path, perhaps decorated: `train.py`, **model/a.py**, File: x.py: */
export function pathOnLine(line: string): string | undefined {
  let s = line.trim();
  s = s.replace(/^#+\s*/, '').replace(/^(?:file(?:name)?|path)\s*:\s*/i, '');
  s = s.replace(/^[*_`]+|[*_`]+$/g, '').replace(/:$/, '').replace(/^[*_`]+|[*_`]+$/g, '');
  if (s === '' || !/^[\w.\-/\\~]+$/.test(s)) return undefined;
  if (!s.includes('.') && !s.includes('/')) return undefined;
  // Prose that looks like a path: "e.g.", "etc.", a version number.
  if (/^[\d.]+$/.test(s) || s.endsWith('.') || s.endsWith('/')) return undefined;
  return s;
}

function splitProposals(lines: string[]): { heading: string; body: string[] }[] {
  const sections: { heading: string; body: string[] }[] = [];
  let inFence = false;
  let current: { heading: string; body: string[] } | undefined;
  for (const line of lines) {
    if (FENCE.test(line)) inFence = !inFence;
    if (!inFence && HEADING.test(line)) {
      current = { heading: line, body: [] };
      sections.push(current);
      continue;
    }
    if (current) current.body.push(line);
  }
  if (sections.length === 0) return [{ heading: '', body: lines }];
  return sections;
}

function hypothesisOf(heading: string, body: string[]): string {
  for (const line of body) {
    const m = HYPOTHESIS.exec(line);
    if (m && m[1].trim() !== '') return m[1].replace(/[*_]+$/, '').trim();
  }
  // No `Hypothesis:` line: the heading's own words, else the first line of prose.
  const after = heading.replace(/^\s*#*\s*\**\s*proposal\s*\d*\s*\**\s*[:.)\-–—]*\s*/i, '').replace(/\*+$/, '').trim();
  if (after) return after;
  let inFence = false;
  for (const line of body) {
    if (FENCE.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (!inFence && line.trim() !== '' && !pathOnLine(line) && !SEARCH.test(line)) return line.trim();
  }
  return '';
}

/** SEARCH/REPLACE blocks in `lines`; `fallbackPath` is the path named before an enclosing fence. */
function searchReplaceBlocks(lines: string[], fallbackPath: string | undefined, out: Edit[]): void {
  let path = fallbackPath;
  for (let i = 0; i < lines.length; i++) {
    const named = pathOnLine(lines[i]);
    if (named && i + 1 < lines.length && (SEARCH.test(lines[i + 1]) || FENCE.test(lines[i + 1]))) path = named;
    if (!SEARCH.test(lines[i])) continue;
    const search: string[] = [];
    const replace: string[] = [];
    let j = i + 1;
    while (j < lines.length && !DIVIDER.test(lines[j])) search.push(lines[j++]);
    j++;
    while (j < lines.length && !REPLACE.test(lines[j])) replace.push(lines[j++]);
    if (path !== undefined && j <= lines.length) {
      out.push({ kind: 'search_replace', path, search: search.join('\n'), replace: replace.join('\n') });
    }
    i = j;
  }
}

function editsOf(body: string[]): Edit[] {
  const edits: Edit[] = [];
  let i = 0;
  let lastPath: string | undefined;
  const loose: string[] = [];
  const flushLoose = (): void => {
    if (loose.some((l) => SEARCH.test(l))) searchReplaceBlocks(loose, lastPath, edits);
    loose.length = 0;
  };
  while (i < body.length) {
    const open = FENCE.exec(body[i]);
    if (!open) {
      const named = pathOnLine(body[i]);
      if (named) lastPath = named;
      loose.push(body[i]);
      i++;
      continue;
    }
    flushLoose();
    const marker = open[1];
    const lang = open[2].toLowerCase();
    // The path sits on the nearest non-blank line before the fence.
    let k = i - 1;
    while (k >= 0 && body[k].trim() === '') k--;
    const pathBefore = k >= 0 ? pathOnLine(body[k]) : undefined;
    const content: string[] = [];
    let j = i + 1;
    while (j < body.length && !(body[j].trim().startsWith(marker) && body[j].trim().replace(/[`~]/g, '') === '')) {
      content.push(body[j++]);
    }
    i = j + 1;
    const first = content.find((l) => l.trim() !== '') ?? '';
    if (content.some((l) => SEARCH.test(l))) {
      searchReplaceBlocks(content, pathBefore ?? lastPath, edits);
    } else if (lang === 'diff' || lang === 'patch' || /^(diff --git |--- |@@ )/.test(first)) {
      edits.push({ kind: 'diff', text: content.join('\n') + '\n' });
    } else if (pathBefore) {
      edits.push({ kind: 'rewrite', path: pathBefore, content: content.join('\n') + '\n' });
    }
    if (pathBefore) lastPath = pathBefore;
  }
  flushLoose();
  return edits;
}

export function parseReply(text: string): ParsedReply {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const proposals: Proposal[] = [];
  const rejected: { hypothesis: string; reason: string }[] = [];
  for (const section of splitProposals(lines)) {
    const hypothesis = hypothesisOf(section.heading, section.body);
    const edits = editsOf(section.body);
    if (edits.length > 0) proposals.push({ hypothesis, edits });
    else rejected.push({ hypothesis, reason: noEditReason(section.body) });
  }
  if (proposals.length === 0) {
    return { ok: false, reason: rejected[0]?.reason ?? noEditReason(lines) };
  }
  return { ok: true, proposals, rejected };
}

function noEditReason(body: string[]): string {
  const hasFence = body.some((l) => FENCE.test(l));
  const why = hasFence
    ? 'its code blocks are neither a ```diff block, SEARCH/REPLACE blocks, nor a file rewrite with the file path on the line before the block'
    : 'it has no ```diff block, no SEARCH/REPLACE block and no file rewrite';
  return `the reply contains no edit: ${why}.`;
}
