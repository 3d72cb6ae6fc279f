// The short account of a trial's output a proposer reads (TrialView.summary): a failure label or the
// tail of what it printed, de-duplicated, a few lines, free of escape sequences and control bytes.
// An LLM proposer pastes it into a prompt, so it must stay small and plain whatever the trial wrote.
// Pure; built from what the state holds (nothing is read from disk).
import { sanitizeLine } from './format/sanitize.js';

/** Lines kept, newest last, and characters per line. */
export const SUMMARY_LINES = 3;
export const SUMMARY_LINE_CHARS = 160;

/** Controls, escapes and surrogates: a reason with none of these (and no newline) is used as it is. */
// eslint-disable-next-line no-control-regex
const NEEDS_WORK = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]/;

/** One line as a terminal would have left it: after the last carriage return, through sanitizeLine. */
function cleanLine(line: string): string {
  let s = line.endsWith('\r') ? line.slice(0, -1) : line;
  const cr = s.lastIndexOf('\r');
  if (cr >= 0) s = s.slice(cr + 1);
  s = sanitizeLine(s).replace(/\t/g, ' ').trim();
  if (s.length <= SUMMARY_LINE_CHARS) return s;
  // Never cut between the two halves of a surrogate pair (an emoji, say): a lone half is not text.
  let cut = SUMMARY_LINE_CHARS - 1;
  const last = s.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return `${s.slice(0, cut)}…`;
}

/**
 * The summary of `texts` (oldest first; each may hold several lines): blank lines dropped, a line
 * repeated keeps only its last occurrence, the last SUMMARY_LINES lines joined by newlines.
 */
export function summarizeOutput(texts: readonly string[]): string {
  // The common case, one short plain reason, costs one test (the engine builds a view per trial).
  if (texts.length === 1 && texts[0].length <= SUMMARY_LINE_CHARS && !NEEDS_WORK.test(texts[0])) return texts[0].trim();
  const kept: string[] = [];
  const lines = texts.flatMap((t) => t.split('\n'));
  for (let i = lines.length - 1; i >= 0 && kept.length < SUMMARY_LINES; i--) {
    const line = cleanLine(lines[i]);
    if (line && !kept.includes(line)) kept.push(line);
  }
  return kept.reverse().join('\n');
}
