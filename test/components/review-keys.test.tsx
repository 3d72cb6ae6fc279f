// The operator's review keys on the real engine (in-memory runner, a scripted code proposer):
// approve, reject with a note, edit in a real $EDITOR process, a note, the review toggle, the
// params ⇄ code key with keep and drop, the pending diff's scroll, and the header's side, reason
// and ask line. Each key's effect is checked in the journal and on screen, at 140×45 and 80×24.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { codeCampaign, type CodeCampaignOptions } from '../fakes/code-campaign.js';
import { getTrial } from '../../src/state.js';
import { cellWidth } from '../../src/format/text.js';
import type { Engine } from '../../src/engine/engine.js';
import { renderApp, type Rendered } from './render.js';
import { build, campaignEvents, idleControls } from './fixture.js';
import { Store } from '../../src/store.js';
import type { EventBody } from '../../src/events.js';

let engine: Engine | null = null;
let ui: Rendered | null = null;
const savedEnv = { EDITOR: process.env.EDITOR, VISUAL: process.env.VISUAL };

beforeEach(() => {
  delete process.env.VISUAL;
});
afterEach(async () => {
  ui?.unmount();
  ui = null;
  await engine?.interrupt(true);
  engine = null;
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const flat = (f: string) => f.replace(/\s+/g, ' ');

function expectFits(frame: string, columns: number, rows: number): void {
  const lines = frame.replace(/\n$/, '').split('\n');
  expect(lines.length).toBeLessThanOrEqual(rows - 1);
  for (const l of lines) expect(cellWidth(l)).toBeLessThanOrEqual(columns);
}

async function open(opts: CodeCampaignOptions = {}, size = { columns: 140, rows: 45 }) {
  const c = await codeCampaign(opts);
  engine = c.engine;
  ui = renderApp(c.store, c.engine, size);
  await ui.waitForFrame((f) => f.includes('RUNNING'), 'the first frame');
  return { ...c, ui };
}

describe.each([
  [140, 45],
  [80, 24],
])('review keys at %i×%i', (columns, rows) => {
  const size = { columns, rows };

  it('v sets review manual: the pending panel shows the proposal awaiting approval; a approves it', async () => {
    const { ui, s, journal } = await open({ first: 'code' }, size);
    await ui.press('review');
    expect(s().review).toBe('manual');
    const id = s().queue[0];
    let f = await ui.waitForFrame((x) => x.includes('awaits approval'), 'the approval marker');
    expectFits(f, columns, rows);
    expect(flat(f)).toContain(`awaiting review #${id} scripted-code · review manual awaits approval: a approve · r reject · e edit`);
    expect(f).toContain(`+lr_0 = 0.0${id}`);
    await ui.press('approve');
    expect(getTrial(s(), id)!.approved).toBe(true);
    f = await ui.waitForFrame((x) => x.includes(`approved #${id}`), 'the message');
    // The next one awaiting review takes its place in the panel.
    expect(flat(f)).toContain(`awaiting review #${s().queue[1]} scripted-code`);
    expect(journal().map((e) => e.type)).toEqual(['operator.review', 'operator.approve']);
    await ui.press('review');
    expect(s().review).toBe('auto');
  });

  it('r asks for a note and rejects with it; Esc in the note leaves the proposal alone', async () => {
    const { ui, s, journal } = await open({ first: 'code' }, size);
    const [a, b] = s().queue;
    await ui.press('reject');
    let f = ui.frame();
    expectFits(f, columns, rows);
    expect(flat(f)).toContain(`reject #${a} with a note for the model (may be empty) (Enter save, Esc cancel): ▏`);
    await ui.type('never touch the optimizer');
    expect(flat(ui.frame())).toContain('never touch the optimizer▏');
    await ui.press('input.apply');
    expect(getTrial(s(), a)!.status).toBe('dropped');
    expect(s().notes.at(-1)).toMatch(/rejected the proposal ".*": never touch the optimizer$/);
    f = await ui.waitForFrame((x) => x.includes(`rejected #${a}; the note goes into the next prompts`), 'the message');
    await ui.press('reject');
    await ui.press('input.cancel');
    expect(getTrial(s(), b)!.status).toBe('queued');
    // An empty note rejects too.
    await ui.press('reject');
    await ui.press('input.apply');
    expect(getTrial(s(), b)!.status).toBe('dropped');
    expect(journal()).toMatchObject([{ type: 'operator.reject', id: a, reason: 'never touch the optimizer' }, { type: 'operator.reject', id: b }]);
  });

  it('e edits the diff in $EDITOR (a real process); the saved diff is journaled and marked; no change does nothing', async () => {
    const { ui, s, journal } = await open({ first: 'code' }, size);
    const id = s().queue[0];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-editor-'));
    const script = path.join(dir, 'edit.sh');
    fs.writeFileSync(script, `#!/bin/sh\necho "$1" > ${dir}/seen\nsed -i 's/^+lr_0 = .*/+lr_0 = 0.005/' "$1"\n`, { mode: 0o755 });
    process.env.EDITOR = script;
    await ui.press('edit');
    const t = getTrial(s(), id)!;
    expect(t.edited).toBe(true);
    expect(t.proposal.kind === 'code' && t.proposal.diff).toContain('+lr_0 = 0.005\n');
    expect(fs.readFileSync(path.join(dir, 'seen'), 'utf8')).toMatch(new RegExp(`nightshift-trial-${id}\\.diff`));
    expect(journal()).toMatchObject([{ type: 'operator.edit', id, reason: 'edited in $EDITOR' }]);
    const f = await ui.waitForFrame((x) => x.includes('edited by the operator'), 'the edited marker');
    expectFits(f, columns, rows);
    expect(f).toContain('+lr_0 = 0.005');
    // An editor that saves nothing new: no event.
    process.env.EDITOR = 'true';
    await ui.press('edit');
    await ui.waitForFrame((x) => x.includes(`#${id}: the diff is unchanged`), 'the unchanged message');
    // An editor that fails: no event, and the reason on the status line.
    process.env.EDITOR = 'false';
    await ui.press('edit');
    await ui.waitForFrame((x) => x.includes('the editor (false) exited with 1: nothing changed'), 'the failure message');
    expect(journal()).toHaveLength(1);
  });

  it('n takes a note for the proposers', async () => {
    const { ui, s, journal } = await open({}, size);
    await ui.press('note');
    expect(flat(ui.frame())).toContain('note for every later prompt of the LLM proposers (Enter save, Esc cancel)');
    await ui.type('lr ≤ 3e-3');
    await ui.press('input.apply');
    expect(s().notes).toEqual(['lr ≤ 3e-3']);
    expect(journal()).toMatchObject([{ type: 'operator.note', text: 'lr ≤ 3e-3' }]);
    await ui.waitForFrame((x) => x.includes('note added (1 in every later prompt)'), 'the message');
  });

  it('S switches params ⇄ code: k keeps the queue, d drops the other side; the header says the side and why', async () => {
    const { ui, s, journal } = await open({}, size);
    let f = ui.frame();
    // At 80 columns the proposer's name gives way; its side stays.
    expect(f).toMatch(columns >= 140 ? /proposer random \(params\)/ : /params side/);
    const queued = [...s().queue];
    await ui.press('side');
    f = ui.frame();
    expectFits(f, columns, rows);
    expect(flat(f)).toContain("Switch to the code side (scripted-code) for the next proposal? 3 queued proposal(s) are not scripted-code's:");
    expect(flat(f)).toContain('[k] switch, and keep the queued proposals (they run first)');
    expect(flat(f)).toContain('[d] switch, and drop the queued proposals of the side left');
    await ui.press('side.keep');
    expect(s().proposer).toBe('scripted-code');
    for (const id of queued) expect(getTrial(s(), id)!.status).toBe('queued');
    f = await ui.waitForFrame((x) => (columns >= 140 ? x.includes('proposer scripted-code (code)') : x.includes('code side')), 'the code side in the header');
    if (columns >= 140) expect(f).toContain('— switched by the operator');
    // Back to params, dropping what is queued that is not random's (none here but the three kept ones are random's).
    await ui.press('side');
    expect(flat(ui.frame())).not.toContain('Switch to the params side'); // nothing queued of the code side: no question
    expect(s().proposer).toBe('random');
    await ui.press('side');
    await ui.press('side.drop');
    expect(s().proposer).toBe('scripted-code');
    for (const id of queued) expect(getTrial(s(), id)!.status).toBe('dropped');
    expect(journal().filter((e) => e.type === 'operator.switch')).toMatchObject([
      { proposer: 'scripted-code', reason: 'operator key S' },
      { proposer: 'random' },
      { proposer: 'scripted-code', drop_queued: true },
    ]);
  });

  it('J and K scroll a long pending diff', async () => {
    const { ui, s } = await open({ first: 'code', lines: 30 }, size);
    const id = s().queue[0];
    // 62 rows: the file, the hunk header, a context line, 30 removed and 30 added.
    let f = await ui.waitForFrame((x) => /J\/K scroll · rows 1–\d+ of 63/.test(x), 'the scroll hint');
    expectFits(f, columns, rows);
    expect(f).toMatch(/^.*train\.py\s*$/m);
    await ui.press('pendingDown');
    await ui.press('pendingDown');
    f = ui.frame();
    expect(f).toMatch(/rows 3–\d+ of 63/);
    expect(f).not.toMatch(/^.*train\.py\s*$/m);
    await ui.type('J'.repeat(70));
    expect(ui.frame()).toMatch(/rows \d+–63 of 63/);
    expect(ui.frame()).toContain(`+lr_29 = 0.0${id}`);
    await ui.press('pendingUp');
    expect(ui.frame()).not.toMatch(/rows \d+–63 of 63/);
  });

  it('the hybrid asking shows a highlighted line with the reason and the keys; p answers it', async () => {
    const { ui, s, engine } = await open({}, size);
    engine.emit({ type: 'proposer.ask', reason: 'params stalled 15 trials and code failed 3 in a row' });
    const f = await ui.waitForFrame((x) => x.includes('paused, asking you'), 'the ask line');
    expectFits(f, columns, rows);
    expect(f).toContain('paused, asking you: params stalled 15 trials');
    expect(f).toContain('answer: S switch to the code side · s choose a proposer · p resume');
    await ui.press('pause');
    expect(s()).toMatchObject({ paused: false, ask: null });
    await ui.waitForFrame((x) => !x.includes('paused, asking you'), 'the ask line to go');
  });
});

describe('the review keys with nothing to act on', () => {
  it('a, r, e say why; S with no code proposer says why', async () => {
    const { ui, journal } = await open({ proposers: 'random, grid' });
    for (const [cmd, why] of [
      ['approve', 'approve: no code proposal is queued'],
      ['reject', 'reject: no code proposal is queued'],
      ['edit', 'edit: no code proposal is queued'],
      ['side', 'no code proposer is configured (have: random (params), grid (params))'],
    ] as const) {
      await ui.press(cmd);
      expect(flat(ui.frame())).toContain(why);
    }
    expect(journal()).toEqual([]);
  });

  it('a under review auto says so', async () => {
    const { ui } = await open({ first: 'code' });
    await ui.press('approve');
    expect(flat(ui.frame())).toContain('review is auto: code proposals run without approval (v switches to manual)');
  });
});

describe('the detail view of a code trial', () => {
  it.each([
    [80, 24],
    [140, 45],
  ])('at %i×%i shows the hypothesis, the commit, the edit marker and the whole diff, long lines wrapped', async (columns, rows) => {
    const long = `+x = compute(${'a, '.repeat(60)}END_OF_LONG_LINE)`;
    const diff = `diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1,2 +1,2 @@\n import math\n-x = 1\n${long}\n`;
    const events = [
      ...campaignEvents(),
      { type: 'operator.review', mode: 'manual' },
      { type: 'operator.edit', id: 9, diff, reason: 'edited in $EDITOR' },
      { type: 'trial.prepared', id: 9, commit: '0123456789abcdef0123', base: 'fedcba9876543210fedc', workdir: '/tmp/wt/9' },
    ] as EventBody[];
    ui = renderApp(new Store(build(events)), idleControls(), { columns, rows });
    for (let i = 0; i < 2; i++) await ui.press('down'); // rows: 7 8 9 → #9 (queued code)
    await ui.press('detail');
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) {
      const f = ui.frame();
      expectFits(f, columns, rows);
      seen.push(f);
      await ui.press('down');
    }
    const text = seen.join('\n');
    expect(flat(text)).toContain('hypothesis a smaller learning rate converges better');
    expect(flat(text)).toContain('awaits approval (a approve · r reject · e edit) · diff edited by the operator');
    expect(flat(text)).toContain('diff · 1 file(s), +1 −1 · commit 01234567 on fedcba98');
    expect(text).toContain('-x = 1');
    // Wrapped, not cut: the end of the long line is on screen, and nothing was replaced by an ellipsis.
    expect(text).toContain('END_OF_LONG_LINE)');
  });
});
