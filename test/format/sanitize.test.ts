import { describe, expect, it } from 'vitest';
import { cleanOutputLine, stripControls } from '../../src/format/sanitize.js';

describe('stripControls', () => {
  it.each([
    ['plain text', 'plain text'],
    ['\x1b[31mred\x1b[0m', 'red'],
    ['\x1b[2J\x1b[H\x1b[?1049lcleared', 'cleared'],
    ['title\x1b]0;pwned\x07 after', 'title after'],
    ['link \x1b]8;;http://x\x1b\\text\x1b]8;;\x1b\\', 'link text'],
    ['unterminated \x1b]0;title to the end', 'unterminated '],
    ['dcs \x1bPq#0;2;0;0;0\x1b\\done', 'dcs done'],
    ['reset \x1bc now', 'reset  now'],
    ['8-bit \x9b31mcsi', '8-bit csi'],
    ['bell\x07 nul\x00 bs\x08 del\x7f', 'bell? nul? bs? del?'],
    ['cr\rlf\n', 'cr?lf?'],
    ['tab\tkept', 'tab\tkept'],
    ['rtl \u202eevil', 'rtl ?evil'],
    ['bad \ud800 surrogate', 'bad \ufffd surrogate'],
    ['emoji 👍 and 漢字 stay', 'emoji 👍 and 漢字 stay'],
  ])('%j → %j', (input, want) => {
    expect(stripControls(input)).toBe(want);
  });

  it('leaves nothing a terminal would act on, whatever the bytes', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256);
    for (let n = 0; n < 200; n++) {
      const bytes = Buffer.from(Array.from({ length: 200 }, rnd));
      const out = stripControls(bytes.toString('utf8'));
      // eslint-disable-next-line no-control-regex
      expect(out).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/);
    }
  });
});

describe('cleanOutputLine', () => {
  it.each([
    ['step=1 loss=0.5', 'step=1 loss=0.5'],
    [' 10%|#   |\r 50%|#####|\r100%|########|', '100%|########|'],
    ['ends in cr\r', 'ends in cr'],
    ['a\tb\tc', 'a       b       c'],
    ['\x1b[1mbold\x1b[0m\tx', 'bold    x'],
  ])('%j → %j', (input, want) => {
    expect(cleanOutputLine(input)).toBe(want);
  });
});
