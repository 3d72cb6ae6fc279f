// The key map is the truth: help, footer and README are generated from it or checked against it.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KEYMAP, KEY_BYTES, commandFor } from '../../components/keymap.js';
import { ROOT } from '../helpers.js';

const noKey = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false };

describe('key map', () => {
  it('has no two commands on one key', () => {
    const printable = KEYMAP.flatMap((b) => b.keys.filter((k) => k.length === 1));
    expect(new Set(printable).size).toBe(printable.length);
  });

  it('maps every printable key back to its command', () => {
    for (const b of KEYMAP) {
      for (const k of b.keys.filter((x) => x.length === 1 && x !== '↑' && x !== '↓')) expect(commandFor(k, noKey as never)).toBe(b.id);
      expect(KEY_BYTES[b.id]).toBeDefined();
    }
  });

  it('is listed in the README', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const b of KEYMAP.filter((x) => x.category === 'steer')) expect(readme).toContain(`\`${b.keys[0]}\``);
    for (const b of KEYMAP.filter((x) => x.danger)) expect(readme).toMatch(new RegExp(`\`${b.keys[0].replace(/[+[\]]/g, '\\$&')}\`.*asks first`));
  });
});
