// Text a trial (or a proposer, or an LLM) wrote, made safe to draw. A trial's output may hold
// escape sequences (set the title, the colours, move the cursor, switch screens) or raw binary:
// either reaching ink scrambles the screen. Escape sequences are removed whole; any other control
// character, and a lone surrogate from undecodable bytes, becomes one visible `?`. Pure.
//
// Local to the TUI for now: the supervisor is getting a shared sanitiser where output lines enter
// it; this one stays as the last line of defence for everything the TUI draws.

/* eslint-disable no-control-regex */
const SEQUENCES = new RegExp(
  [
    // CSI: ESC [ or 8-bit 0x9b, parameters, intermediates, one final byte.
    '(?:\\x1b\\[|\\x9b)[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]?',
    // OSC (title, hyperlinks, clipboard): up to BEL or ST, or to the end when unterminated.
    '(?:\\x1b\\]|\\x9d)[^\\x07\\x9c\\x1b]*(?:\\x07|\\x9c|\\x1b\\\\)?',
    // DCS, SOS, PM, APC: up to ST.
    '(?:\\x1b[PX^_]|[\\x90\\x98\\x9e\\x9f])[^\\x9c\\x1b]*(?:\\x9c|\\x1b\\\\)?',
    // Any other escape: intermediates then one final byte (ESC c resets the terminal).
    '\\x1b[\\x20-\\x2f]*[\\x30-\\x7e]?',
  ].join('|'),
  'g',
);
/** C0 (except tab), DEL, C1; bidi overrides and isolates, which reorder what follows them. */
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/* eslint-enable no-control-regex */

/** `text` with escape sequences removed and other control characters shown as `?`. Tabs stay. */
export function stripControls(text: string): string {
  // The common case (plain printable text) costs one test.
  if (!/[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]/.test(text)) return text;
  return text.replace(SEQUENCES, '').replace(CONTROLS, '?').replace(LONE_SURROGATE, '\ufffd');
}

/**
 * One line of a trial's output as a terminal would have left it: a carriage return (a progress
 * bar redrawing itself) keeps what was written after it, tabs go to the next stop of `tabSize`,
 * then `stripControls`.
 */
export function cleanOutputLine(line: string, tabSize = 8): string {
  let s = line.endsWith('\r') ? line.slice(0, -1) : line;
  const cr = s.lastIndexOf('\r');
  if (cr >= 0) s = s.slice(cr + 1);
  s = stripControls(s);
  if (!s.includes('\t')) return s;
  let out = '';
  for (const ch of s) out += ch === '\t' ? ' '.repeat(tabSize - (out.length % tabSize)) : ch;
  return out;
}
