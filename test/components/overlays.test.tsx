// Every overlay and dialog fits the screen at 80×24 (the smallest usual terminal) and at 140×45:
// each help entry and each dialog's full choices are on screen, and the detail view keeps every
// line when one wraps. The App runs on a synthetic state with controls that do nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store.js';
import { KEYMAP } from '../../components/keymap.js';
import { cellWidth } from '../../src/format/text.js';
import { build, campaign, campaignEvents, idleControls } from './fixture.js';
import { renderApp, type Rendered } from './render.js';

let ui: Rendered | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

/** Whitespace (and line breaks of wrapped text) collapsed, so wrapped sentences read whole. */
const flat = (frame: string) => frame.replace(/\s+/g, ' ');

function expectFits(frame: string, columns: number, rows: number): void {
  const lines = frame.replace(/\n$/, '').split('\n');
  expect(lines.length).toBeLessThanOrEqual(rows - 1);
  for (const l of lines) expect(cellWidth(l)).toBeLessThanOrEqual(columns);
}

const PROPOSERS = ['random', 'grid', 'tpe', 'cmaes', 'llm-params', 'llm-code', 'hybrid'];

describe.each([
  [80, 24],
  [140, 45],
])('at %i×%i', (columns, rows) => {
  const open = (s = campaign({ proposers: PROPOSERS }), tail?: (id: number) => string[]) =>
    (ui = renderApp(new Store(s), idleControls({ proposers: PROPOSERS, tail }), { columns, rows }));

  it('the help overlay shows every key with its description, nothing cut or merged', async () => {
    const ui = open();
    await ui.press('help');
    // At 80×24 the help scrolls: every frame fits, and every entry is whole in one of them.
    const frames: string[] = [];
    for (let i = 0; i < 40; i++) {
      const f = ui.frame();
      expectFits(f, columns, rows);
      frames.push(f);
      if (!/rows \d+–(\d+) of \1\b/.test(f) && /rows \d+–\d+ of/.test(f)) await ui.press('down');
      else break;
    }
    const text = flat(frames.join('\n'));
    for (const title of ['Navigate', 'Steer the campaign', 'Code proposals', 'View']) expect(text).toContain(title);
    for (const b of KEYMAP) {
      expect(text).toContain(b.keys.join(' '));
      expect(text.includes(flat(b.description)) || text.includes(`${b.keys.join(' ')} ${b.label}`), `${b.id}: ${b.description}`).toBe(true);
    }
    await ui.press('back');
    expect(ui.frame()).not.toContain('Steer the campaign');
  });

  it('the prune and kill confirmations show the whole question and [y/N]', async () => {
    const ui = open();
    // The cursor starts on the first row: running trial #7.
    await ui.press('prune');
    let f = ui.frame();
    expectFits(f, columns, rows);
    expect(flat(f)).toContain('Prune #7? It gets a cooperative stop (control file + SIGTERM) and is recorded as pruned. [y/N]');
    await ui.press('back');
    await ui.press('kill');
    f = ui.frame();
    expectFits(f, columns, rows);
    expect(flat(f)).toContain('Kill #7 now? SIGKILL to its process group; it is recorded as killed. [y/N]');
  });

  it('the promote confirmation of a finished trial shows its choices', async () => {
    const ui = open();
    for (let i = 0; i < 6; i++) await ui.press('down'); // rows: 7 8 9 10 6 5 4 → #4 (keep)
    await ui.press('promote');
    const f = ui.frame();
    expectFits(f, columns, rows);
    expect(flat(f)).toMatch(/#4 .*\[y\/N\]/);
  });

  it('the quit dialog shows all three choices', async () => {
    const ui = open();
    await ui.press('quit');
    const f = ui.frame();
    expectFits(f, columns, rows);
    const text = flat(f);
    expect(text).toContain('2 trial(s) running');
    expect(text).toContain('[s] stop them cooperatively and quit (re-queued for resume)');
    expect(text).toContain('[l] leave them running and quit (resume re-attaches)');
    expect(text).toContain('[Esc] stay');
  });

  it('the proposer switch lists every proposer', async () => {
    const ui = open();
    await ui.press('switch');
    const f = ui.frame();
    expectFits(f, columns, rows);
    for (const p of PROPOSERS) expect(f).toContain(p);
    expect(f).toContain('Enter');
  });

  it('the filter prompt shows how to apply and cancel', async () => {
    const ui = open();
    await ui.press('filter');
    await ui.type('crash,timeout,pruned');
    const f = ui.frame();
    expectFits(f, columns, rows);
    expect(flat(f)).toContain('Enter apply, Esc cancel');
    expect(f).toContain('crash,timeout,pruned');
  });

  it('the detail view keeps every line when one wraps, and its key hint stays on screen', async () => {
    const long = 'exit code 1: Traceback (most recent call last): File "train.py", line 12, in <module> ' + 'ValueError: shapes (3,4) and (5,6) do not match '.repeat(4) + 'END-OF-REASON';
    const events = campaignEvents({ proposers: PROPOSERS }).map((e) => (e.type === 'trial.decided' && e.id === 3 ? { ...e, reason: long } : e));
    const tail = Array.from({ length: 40 }, (_, i) => `out-line-${i + 1}` + (i % 7 === 3 ? ' ' + 'x'.repeat(150) + ' wrapped-end' : ''));
    const ui = open(build(events), () => tail);
    for (let i = 0; i < 7; i++) await ui.press('down'); // rows: 7 8 9 10 6 5 4 3 → #3 (crash)
    await ui.press('detail');
    let f = ui.frame();
    expect(flat(f)).toContain(flat(`reason: ${long}`));
    const seen = new Set<string>();
    let wrappedEnds = 0;
    for (let i = 0; i < 80; i++) {
      f = ui.frame();
      expectFits(f, columns, rows);
      expect(f).toContain('Esc back');
      for (const m of f.matchAll(/out-line-(\d+)\b/g)) seen.add(m[1]);
      wrappedEnds += (f.match(/wrapped-end/g) ?? []).length;
      if (f.includes('out-line-40')) break;
      await ui.press('down');
    }
    expect([...seen].map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(wrappedEnds).toBeGreaterThan(0); // a long output line wraps instead of being cut
  });
});

describe('on the smallest screen the supervisor draws (60×16)', () => {
  it('the help scrolls, and every entry can be reached', async () => {
    ui = renderApp(new Store(campaign()), idleControls(), { columns: 60, rows: 16 });
    await ui.press('help');
    const seen: string[] = [];
    for (let i = 0; i < 45; i++) {
      const f = ui.frame();
      expectFits(f, 60, 16);
      expect(f).toMatch(/↑\/↓ scroll · rows \d+–\d+ of \d+/);
      seen.push(f);
      await ui.press('down');
    }
    const text = flat(seen.join('\n'));
    for (const b of KEYMAP) expect(text).toContain(b.keys.join(' '));
    // Scrolling stops at the end: one press up moves back at once.
    const bottom = ui.frame();
    await ui.press('up');
    expect(ui.frame()).not.toBe(bottom);
  });
});
