// Text from a trial (or a proposer, or an LLM) made safe to show on a terminal. A trial is
// untrusted: its bytes must not move the cursor, set the window title or colours, switch character
// sets or scramble the screen, in the TUI (Ink), the headless printer or `report`. One scanner, two
// policies for the controls that are not part of a sequence:
//   - sanitizeLine() deletes them. Every output line goes through it where it enters the supervisor
//     (runners/logtail.ts) and where a finished trial's log is read back (readTail in runners/local-exec.ts), so the
//     metric parser, the crash reason, the detail view and the journal all see the same clean text.
//   - stripControls() shows each as one `?`: the TUI's last line of defence for everything it draws,
//     where a visible mark says "something was here" (cleanOutputLine adds what a terminal does
//     with CR and tabs).
//
// What is removed: escape sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL|ST` such as the
// title-setting `ESC ]0;title BEL`, DCS/SOS/PM/APC strings `ESC P|X|^|_ … ST`, and two- or
// three-byte `ESC …` sequences), their 8-bit C1 forms (U+009B CSI, U+009D OSC, U+0090/98/9E/9F
// strings). Deleted or shown as `?`: every other C0 control but tab (NUL, BEL, BS, CR, LF, …), DEL
// and the C1 range U+0080–U+009F, and the bidi overrides and isolates U+202A–U+202E, U+2066–U+2069
// (they reorder the text that follows, on the rest of the screen line). Undecodable input becomes
// U+FFFD: bytes that are not UTF-8 (when given bytes) and lone UTF-16 surrogates. Everything else,
// including non-ASCII text, stays. Pure.

const ESC = 0x1b;
const BEL = 0x07;
const ST_C1 = 0x9c;
const REPLACEMENT = '\uFFFD';

/** Anything that needs the slow path: C0 but tab, DEL, C1, bidi controls, or a surrogate (paired or not). */
const NEEDS_WORK = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]/;

const decoder = new TextDecoder('utf-8'); // fatal: false, so bad bytes become U+FFFD

/**
 * Returns `input` with terminal control and escape sequences removed and undecodable bytes or
 * lone surrogates replaced by U+FFFD. Pure; a line with nothing to remove is returned as is.
 */
export function sanitizeLine(input: string | Uint8Array): string {
  return scrub(typeof input === 'string' ? input : decoder.decode(input), '');
}

/** `text` with escape sequences removed and other control characters shown as `?`. Tabs stay. */
export function stripControls(text: string): string {
  return scrub(text, '?');
}

/** What the TUI draws for text it did not write: `stripControls`. */
export const sanitize = stripControls;

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

/** Sequences removed, other controls replaced by `control`, lone surrogates by U+FFFD. */
function scrub(s: string, control: string): string {
  if (!NEEDS_WORK.test(s)) return s;
  let out = '';
  let keepFrom = 0; // start of the run of plain text not yet copied to out
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) {
      i++;
      continue;
    }
    if (c === 0x09 || (c > 0x9f && (c < 0xd800 || c > 0xdfff) && !isBidiControl(c))) {
      i++;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i += 2; // a valid pair: an astral character
        continue;
      }
    }
    out += s.slice(keepFrom, i);
    if (c >= 0xd800 && c <= 0xdfff) {
      out += REPLACEMENT;
      i++;
    } else if (c === ESC) {
      i = skipEscape(s, i + 1);
    } else if (c === 0x9b) {
      i = skipCsi(s, i + 1);
    } else if (c === 0x9d || c === 0x90 || c === 0x98 || c === 0x9e || c === 0x9f) {
      i = skipString(s, i + 1);
    } else {
      out += control; // any other C0/C1 control, DEL or bidi control
      i++;
    }
    keepFrom = i;
  }
  return out + s.slice(keepFrom);
}

function isBidiControl(c: number): boolean {
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/** After ESC: returns the index just past the sequence it starts. */
function skipEscape(s: string, i: number): number {
  if (i >= s.length) return i;
  const c = s.charCodeAt(i);
  if (c === 0x5b /* [ */) return skipCsi(s, i + 1);
  // OSC ] ; DCS P, SOS X, PM ^, APC _ : a string up to the terminator.
  if (c === 0x5d || c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f) return skipString(s, i + 1);
  // nF / Fp / Fe / Fs: intermediates 0x20–0x2F, then one final byte 0x30–0x7E (ESC ( B, ESC 7, ESC c …).
  while (i < s.length && s.charCodeAt(i) >= 0x20 && s.charCodeAt(i) <= 0x2f) i++;
  if (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x7e) i++;
  return i;
}

/** After CSI: parameter bytes 0x30–0x3F, intermediates 0x20–0x2F, one final byte 0x40–0x7E. */
function skipCsi(s: string, i: number): number {
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x3f) i++;
  while (i < s.length && s.charCodeAt(i) >= 0x20 && s.charCodeAt(i) <= 0x2f) i++;
  if (i < s.length && s.charCodeAt(i) >= 0x40 && s.charCodeAt(i) <= 0x7e) i++;
  return i;
}

/** After OSC/DCS/SOS/PM/APC: up to and including BEL, ESC \ or U+009C; an unterminated one runs to the end. */
function skipString(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === BEL || c === ST_C1) return i + 1;
    // ST is ESC \; any other ESC aborts the string and starts a sequence of its own.
    if (c === ESC) return s.charCodeAt(i + 1) === 0x5c /* \ */ ? i + 2 : i;
    i++;
  }
  return i;
}
