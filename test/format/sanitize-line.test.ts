// Trial output is untrusted: what reaches the terminal has no control or escape sequences left.
import { describe, expect, it } from 'vitest';
import { sanitizeLine } from '../../src/format/sanitize.js';

const ESC = '\x1b';
const BEL = '\x07';

const cases: Array<[string, string, string]> = [
  ['plain text is unchanged', 'step=3 loss=0.25', 'step=3 loss=0.25'],
  ['non-ASCII text and astral characters stay', 'naïve — 日本 🚀 ✓', 'naïve — 日本 🚀 ✓'],
  ['tab stays', 'a\tb', 'a\tb'],
  ['SGR colour', `${ESC}[32mloss=0.5${ESC}[0m`, 'loss=0.5'],
  ['SGR with many params', `${ESC}[1;38;5;196mred${ESC}[m`, 'red'],
  ['private-mode CSI (hide cursor, alt screen)', `${ESC}[?25l${ESC}[?1049hx`, 'x'],
  ['cursor movement and erase', `a${ESC}[2J${ESC}[H${ESC}[10;20Hb${ESC}[K`, 'ab'],
  ['CSI with intermediate byte', `a${ESC}[2 qb`, 'ab'],
  ['OSC title ended by BEL', `${ESC}]0;pwned${BEL}after`, 'after'],
  ['OSC title ended by ST', `${ESC}]2;pwned${ESC}\\after`, 'after'],
  ['OSC 8 hyperlink keeps its text', `${ESC}]8;;http://evil${ESC}\\click${ESC}]8;;${ESC}\\`, 'click'],
  ['OSC 52 clipboard write', `${ESC}]52;c;ZXZpbA==${BEL}x`, 'x'],
  ['unterminated OSC runs to the end', `ok${ESC}]0;title never ends`, 'ok'],
  ['OSC aborted by another ESC sequence', `${ESC}]0;t${ESC}[31mred`, 'red'],
  ['DCS string', `${ESC}Pq#0;2;0;0;0${ESC}\\x`, 'x'],
  ['APC / PM / SOS strings', `${ESC}_apc${ESC}\\${ESC}^pm${ESC}\\${ESC}Xsos${ESC}\\x`, 'x'],
  ['charset switch ESC ( 0', `${ESC}(0lqk${ESC}(B`, 'lqk'],
  ['two-byte ESC sequences (save, reset)', `${ESC}7a${ESC}8${ESC}cb`, 'ab'],
  ['lone ESC at the end', `a${ESC}`, 'a'],
  ['8-bit CSI', `\u009b31mred`, 'red'],
  ['8-bit OSC ended by 8-bit ST', `\u009d0;title\u009cx`, 'x'],
  ['other C1 controls', `a\u0085b\u008dc`, 'abc'],
  ['C0 controls but tab', `a\x00b\x07c\x08d\x0be\x0cf\x0dg\x0eh\x0fi\x7fj`, 'abcdefghij'],
  ['carriage return and newline inside a line', 'a\rb\nc', 'abc'],
  ['lone high surrogate', 'a\ud800b', 'a\uFFFDb'],
  ['lone low surrogate', 'a\udc00b', 'a\uFFFDb'],
  ['high surrogate at the end', 'a\ud83d', 'a\uFFFD'],
  ['bidi overrides and isolates', 'a\u202eb\u2066c\u2069d\u202ae', 'abcde'],
  ['other format characters stay (ZWJ emoji)', '👩\u200d💻', '👩\u200d💻'],
  ['empty', '', ''],
];

describe('sanitizeLine', () => {
  it.each(cases)('%s', (_what, input, expected) => {
    expect(sanitizeLine(input)).toBe(expected);
  });

  const bytes: Array<[string, number[], string]> = [
    ['valid UTF-8', [0x63, 0x61, 0x66, 0xc3, 0xa9], 'café'],
    ['invalid bytes become U+FFFD', [0x61, 0xff, 0xfe, 0x62], 'a\uFFFD\uFFFDb'],
    ['a truncated sequence becomes U+FFFD', [0x61, 0xe2, 0x82], 'a\uFFFD'],
    ['escape bytes are stripped after decoding', [0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x78], 'x'],
    ['UTF-8-encoded C1 CSI is stripped', [0xc2, 0x9b, 0x32, 0x4a, 0x78], 'x'],
  ];
  it.each(bytes)('bytes: %s', (_what, input, expected) => {
    expect(sanitizeLine(Uint8Array.from(input))).toBe(expected);
  });

  it('leaves nothing below U+0020 (but tab) or in U+007F–U+009F for any byte soup', () => {
    // Every single byte and every ESC-prefixed pair: the output never holds a control character.
    const bad = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;
    const out: string[] = [];
    for (let a = 0; a < 256; a++) {
      out.push(sanitizeLine(Uint8Array.from([0x41, a, 0x42])));
      for (let b = 0; b < 256; b++) out.push(sanitizeLine(String.fromCharCode(0x41, 0x1b, a, b, 0x42)));
    }
    expect(out.find((x) => bad.test(x))).toBeUndefined();
  });
});
