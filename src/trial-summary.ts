// The short account of a trial's output a proposer reads (TrialView.summary): a failure label or the
// tail of what it printed, de-duplicated, a few lines, free of escape sequences and control bytes.
// An LLM proposer pastes it into a prompt, so it must stay small and plain whatever the trial wrote.
// Pure; built from what the state holds (nothing is read from disk).

/** Lines kept, newest last, and characters per line. */
export const SUMMARY_LINES = 3;
export const SUMMARY_LINE_CHARS = 160;

/* eslint-disable no-control-regex */
/** ESC/CSI/OSC sequences, whole (a colour code or a title change is noise, not text). */
const SEQUENCE = /(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?|(?:\x1b\]|\x9d)[^\x07\x9c\x1b]*(?:\x07|\x9c|\x1b\\)?|\x1b[\x20-\x2f]*[\x30-\x7e]?/g;
/** Other C0/C1 controls except newline and tab, and bidi overrides (they reorder what follows). */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const NEEDS_WORK = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
/* eslint-enable no-control-regex */

/** One line as a terminal would have left it: after the last carriage return, controls shown as `?`. */
function cleanLine(line: string): string {
  let s = line.endsWith('\r') ? line.slice(0, -1) : line;
  const cr = s.lastIndexOf('\r');
  if (cr >= 0) s = s.slice(cr + 1);
  s = s.replace(SEQUENCE, '').replace(CONTROL, '?').replace(/\t/g, ' ').trim();
  return s.length > SUMMARY_LINE_CHARS ? `${s.slice(0, SUMMARY_LINE_CHARS - 1)}…` : s;
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
