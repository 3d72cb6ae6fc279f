// The App against a real engine running samples/quickstart: every steering key changes what the
// engine does, and the journal records it.
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openNew, type Session } from '../../src/session.js';
import { allTrials, getTrial } from '../../src/state.js';
import type { EventOf } from '../../src/events.js';
import { ROOT, events, processesWithEnv, waitFor } from '../helpers.js';
import { renderApp, type Rendered } from './render.js';
import { KEYMAP } from '../../components/keymap.js';
import { statusGlyph } from '../../src/format/status.js';

const RUNNING = `${statusGlyph('running').glyph} running`;
const KEEP = `${statusGlyph('keep').glyph} keep`;

let session: Session | null = null;
let ui: Rendered | null = null;

afterEach(async () => {
  ui?.unmount();
  ui = null;
  if (session) {
    await session.engine.interrupt(true);
    session.release();
    session = null;
  }
});

/** samples/quickstart in a temp dir, slowed down so trials are running while we press keys. */
function quickstart(edit: (yaml: string) => string = (y) => y): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-app-'));
  fs.cpSync(path.join(ROOT, 'samples', 'quickstart'), dir, { recursive: true, filter: (src) => !src.includes('.nightshift') });
  const file = path.join(dir, 'campaign.yaml');
  const yaml = fs.readFileSync(file, 'utf8').replace(/^command: (.*)$/m, 'command: $1 --step-seconds 0.15');
  fs.writeFileSync(file, edit(yaml));
  return file;
}

async function start(file: string, size = { columns: 140, rows: 40 }) {
  session = await openNew(file, {});
  ui = renderApp(session.store, session.engine, size);
  void session.begin();
  return { s: session, ui };
}

const running = () => session!.store.getState().running;

describe('App against a real engine', () => {
  it('pause: the header says PAUSED and no new trial starts; p again resumes', async () => {
    const { ui } = await start(quickstart());
    await ui.waitForFrame((f) => f.includes('RUNNING') && f.includes(RUNNING), 'running trials on screen');
    await ui.press('pause');
    await ui.waitForFrame((f) => f.includes('PAUSED'), 'PAUSED in the header');
    const counted = session!.store.getState().counted;
    await waitFor(() => running().length === 0, 20_000, 'running trials to finish');
    await new Promise((r) => setTimeout(r, 500));
    expect(session!.store.getState().counted).toBe(counted);
    await ui.press('pause');
    await ui.waitForFrame((f) => f.includes('RUNNING'), 'RUNNING again');
    await waitFor(() => session!.store.getState().counted > counted, 10_000, 'a new trial to start');
    const types = events(session!.outDir).map((e) => e.type);
    expect(types).toContain('operator.pause');
    expect(types).toContain('operator.resume');
  });

  it('kill: asks first, then the process group dies and the table and journal say killed', async () => {
    const { ui } = await start(quickstart((y) => y.replace('--step-seconds 0.15', '--step-seconds 0.5')));
    await ui.waitForFrame((f) => f.includes(RUNNING), 'a running trial');
    // The cursor starts on the first row: a running trial.
    const id = running()[0];
    const dir = getTrial(session!.store.getState(), id)!.locator!.dir;
    expect(processesWithEnv(`NIGHTSHIFT_TRIAL_DIR=${dir}\0`).length).toBeGreaterThan(0);
    // Two keys in one chunk (as tmux or a fast typist sends them): `g` selects the top row, `X` acts on it.
    await ui.press('down');
    await ui.type('gX');
    await ui.waitForFrame((f) => f.includes(`Kill #${id} now?`), 'the confirmation');
    expect(getTrial(session!.store.getState(), id)!.status).toBe('running'); // nothing yet
    await ui.type('y');
    await waitFor(() => getTrial(session!.store.getState(), id)!.status === 'killed', 10_000, 'killed');
    await ui.waitForFrame((f) => new RegExp(`#${id}\\s+\\S+ killed`).test(f), 'killed in the table');
    // Every process of the trial is gone (zombies waiting for their reaper do not count).
    expect(processesWithEnv(`NIGHTSHIFT_TRIAL_DIR=${dir}\0`)).toEqual([]);
    const evs = events(session!.outDir);
    expect(evs.some((e) => e.type === 'operator.kill' && e.id === id && e.mode === 'kill')).toBe(true);
    expect(evs.some((e) => e.type === 'trial.decided' && e.id === id && e.status === 'killed')).toBe(true);
  });

  it('prune: cooperative stop, status pruned', async () => {
    const { ui } = await start(quickstart((y) => y.replace('--step-seconds 0.15', '--step-seconds 0.5')));
    await ui.waitForFrame((f) => f.includes(RUNNING), 'a running trial');
    const id = running()[0];
    await ui.press('prune');
    await ui.waitForFrame((f) => f.includes(`Prune #${id}?`), 'the confirmation');
    await ui.type('y');
    await waitFor(() => getTrial(session!.store.getState(), id)!.status === 'pruned', 10_000, 'pruned');
    expect(getTrial(session!.store.getState(), id)!.reason).toContain('pruned by the operator');
  });

  it('promote: a queued trial moves to the head of the queue and starts next', async () => {
    const { ui } = await start(quickstart((y) => y.replace('parallel: 2', 'parallel: 1\nqueue_ahead: 3').replace('--step-seconds 0.15', '--step-seconds 0.3')));
    // The layout this test steers through (one running row, then the queued ones) must be on screen
    // before the keys: under load the first trial's start raced the presses (seen in CI).
    await waitFor(() => session!.store.getState().queue.length === 3 && session!.store.getState().running.length === 1, 10_000, 'one running, three queued');
    const last = session!.store.getState().queue[2];
    await ui.waitForFrame((f) => f.includes(`#${last} `) && f.includes('▸ running'), 'the running row and the queued rows on screen');
    // Rows: 1 running, then 3 queued: the last queued one is the 4th row.
    for (let i = 0; i < 3; i++) await ui.press('down');
    await ui.press('promote');
    await ui.waitForFrame((f) => f.includes(`Run queued #${last} next`), 'the confirmation');
    await ui.type('y');
    expect(session!.store.getState().queue[0]).toBe(last);
    await waitFor(() => getTrial(session!.store.getState(), last)!.status !== 'queued', 15_000, 'the promoted trial to start');
    const starts = events(session!.outDir).filter((e): e is EventOf<'trial.started'> => e.type === 'trial.started').map((e) => e.id);
    expect(starts[1]).toBe(last);
    expect(events(session!.outDir).some((e) => e.type === 'operator.promote' && e.id === last)).toBe(true);
  });

  it('reorder and drop queued trials with [ ] d', async () => {
    const { ui } = await start(quickstart((y) => y.replace('parallel: 2', 'parallel: 1\nqueue_ahead: 3').replace('--step-seconds 0.15', '--step-seconds 1')));
    // The layout this test steers through (one running row, then the queued ones) must be on screen.
    await waitFor(() => session!.store.getState().queue.length === 3 && session!.store.getState().running.length === 1, 10_000, 'one running, three queued');
    const [a, b, c] = session!.store.getState().queue;
    await ui.waitForFrame((f) => f.includes(`#${c} `) && f.includes('▸ running'), 'the running row and the queued rows on screen');
    await ui.press('down'); // first queued row (a)
    await ui.press('queueDown');
    expect(session!.store.getState().queue.slice(0, 3)).toEqual([b, a, c]);
    await ui.press('queueUp');
    expect(session!.store.getState().queue.slice(0, 3)).toEqual([a, b, c]);
    await ui.press('drop');
    expect(session!.store.getState().queue).not.toContain(a);
    expect(getTrial(session!.store.getState(), a)!.status).toBe('dropped');
    const types = events(session!.outDir).map((e) => e.type);
    expect(types.filter((t) => t === 'operator.reorder')).toHaveLength(2);
    expect(types).toContain('operator.drop');
  });

  it('switch proposer: the next proposal comes from the chosen one', async () => {
    const { ui } = await start(quickstart((y) => y.replace('proposer: random', 'proposer: [random, grid]')));
    await ui.waitForFrame((f) => f.includes('proposer random'), 'random active');
    await ui.press('switch');
    await ui.waitForFrame((f) => f.includes('switch proposer') && f.includes('grid'), 'the proposer list');
    await ui.press('down');
    await ui.press('detail'); // Enter
    await ui.waitForFrame((f) => f.includes('proposer grid'), 'grid active in the header');
    const evs = events(session!.outDir);
    const at = evs.findIndex((e) => e.type === 'operator.switch');
    expect(at).toBeGreaterThan(0);
    await waitFor(() => events(session!.outDir).slice(at).some((e) => e.type === 'trial.proposed'), 15_000, 'a proposal after the switch');
    const next = events(session!.outDir).slice(at).find((e): e is EventOf<'trial.proposed'> => e.type === 'trial.proposed')!;
    expect(next.proposer).toBe('grid');
  });

  it('detail view, filter and help overlay', async () => {
    const { ui } = await start(quickstart());
    await waitFor(() => allTrials(session!.store.getState()).some((t) => t.status === 'keep'), 20_000, 'a kept trial');
    await ui.press('filter');
    await ui.type('keep\r'); // typed and Enter in one chunk, as tmux sends it
    await ui.waitForFrame((f) => f.includes('[filter: keep]') && f.includes(KEEP) && !f.includes(RUNNING), 'only kept rows');
    await ui.press('detail');
    await ui.waitForFrame((f) => f.includes('reason: baseline') || f.includes('reason: improved'), 'the detail view');
    const f = ui.frame();
    expect(f).toContain('params');
    expect(f).toMatch(/lr = /);
    expect(f).toContain('output (last');
    expect(f).toMatch(/step=\d+ loss=/);
    await ui.press('back');
    await ui.press('help');
    const help = await ui.waitForFrame((x) => x.includes('Steer the campaign'), 'help');
    for (const b of KEYMAP) expect(help).toContain(b.description.slice(0, 30));
    await ui.press('back');
    await ui.waitForFrame((x) => x.includes('id') && x.includes('status'), 'the table again');
  });

  it('quit with running trials asks, and the choice reaches the caller', async () => {
    const { ui } = await start(quickstart((y) => y.replace('--step-seconds 0.15', '--step-seconds 0.5')));
    await ui.waitForFrame((f) => f.includes(RUNNING), 'a running trial');
    await ui.press('quit');
    await ui.waitForFrame((f) => f.includes('[l] leave them running'), 'the quit dialog');
    await ui.type('l');
    expect(ui.quits).toEqual(['leave']);
    // The App itself stops nothing: the caller decides (tui.tsx detaches the engine).
    expect(running().length).toBeGreaterThan(0);
    expect(processesWithEnv(session!.outDir).length).toBeGreaterThan(0);
  });
});
