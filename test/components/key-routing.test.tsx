// Key routing, table-driven: an open dialog or overlay handles a key first and consumes the ones
// it does not know; a disabled command says why instead of acting; a confirmed command acts on the
// trial the question named. Keys are pressed as commands (their bytes come from the key map).
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store.js';
import { getTrial } from '../../src/state.js';
import { BY_ID, LAYERS, KEY_BYTES, type CommandId } from '../../components/keymap.js';
import { initialUi } from '../../components/ui-state.js';
import type { Controls } from '../../components/App.js';
import { campaign } from './fixture.js';
import { renderApp, type Rendered } from './render.js';

const PROPOSERS = ['random', 'tpe'];

/** Controls that record what the keys asked of the engine. */
function recording(calls: string[], proposers: string[]): Controls {
  const rec = (call: string) => {
    calls.push(call);
    return { ok: true, message: `done: ${call}` };
  };
  return {
    pause: (r) => rec(`pause ${r}`),
    resumeDispatch: (r) => rec(`resume ${r}`),
    stopTrial: (id, mode, r) => rec(`stop #${id} ${mode} ${r}`),
    promote: (id, r) => rec(`promote #${id} ${r}`),
    reorder: (id, d, r) => rec(`reorder #${id} ${d} ${r}`),
    drop: (id, r) => rec(`drop #${id} ${r}`),
    switchProposer: (n, r) => rec(`switch ${n} ${r}`),
    approve: (id, r) => rec(`approve #${id} ${r}`),
    reject: (id, note) => rec(`reject #${id} ${JSON.stringify(note)}`),
    editDiff: (id, diff, r) => rec(`edit #${id} ${r}`),
    addNote: (text) => rec(`note ${JSON.stringify(text)}`),
    setReview: (mode) => rec(`review ${mode}`),
    switchSide: (drop, r) => rec(`side ${drop ? 'drop' : 'keep'} ${r}`),
    availableProposers: () => proposers,
    proposerSide: (name) => (name.includes('code') ? 'code' : 'params'),
    tail: () => [],
    completed: () => [],
  };
}

let ui: Rendered | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

const flat = (f: string) => f.replace(/\s+/g, ' ');
// Rows in the fixture: 7 8 (running) 9 10 (queued) 6 5 4 3 2 1 (finished, newest first).
const down = (n: number): CommandId[] => Array(n).fill('down');

interface Case {
  name: string;
  before: CommandId[];
  press: CommandId;
  shows?: string;
  hides?: string;
  calls: string[];
  quits?: string[];
  proposers?: string[];
}

const CASES: Case[] = [
  // Dialogs and overlays consume keys they do not know.
  { name: 'a confirmation consumes pause', before: ['prune'], press: 'pause', shows: 'Prune #7?', calls: [] },
  { name: 'the quit dialog consumes kill', before: ['quit'], press: 'kill', shows: '[l] leave them running', calls: [] },
  { name: 'the switch dialog consumes drop', before: ['switch'], press: 'drop', shows: 'switch proposer', calls: [] },
  { name: 'the help consumes prune', before: ['help'], press: 'prune', shows: 'Steer the campaign', hides: 'Prune #7?', calls: [] },
  { name: 'the filter prompt takes p as text, not pause', before: ['filter'], press: 'pause', shows: 'any text; Enter apply, Esc cancel): p▏', calls: [] },
  // A layer's own commands act; the detail view hands q on to the table's quit.
  { name: 'the detail view passes quit on', before: ['detail'], press: 'quit', shows: '2 trial(s) running', calls: [] },
  { name: 'yes prunes the trial the question named', before: ['prune', 'down'], press: 'confirm.yes', hides: 'Prune #7?', calls: ['stop #7 prune operator key x'] },
  { name: 'no closes the question and does nothing', before: ['kill'], press: 'confirm.no', hides: 'Kill #7', calls: [] },
  { name: 'Enter in the switch dialog switches', before: ['switch', 'switch.down'], press: 'switch.apply', shows: 'done: switch tpe operator key s', calls: ['switch tpe operator key s'] },
  { name: 'leave quits and leaves trials running', before: ['quit'], press: 'quit.leave', calls: [], quits: ['leave'] },
  { name: 'promote of a queued trial asks first', before: down(2), press: 'promote', shows: 'Run queued #9 next, ahead of the queue? [y/N]', calls: [] },
  // A disabled command says why, and nothing reaches the engine.
  { name: 'prune of a queued trial says why', before: down(2), press: 'prune', shows: 'prune needs a running trial under the cursor (#9 is queued)', calls: [] },
  { name: 'kill of a finished trial says why', before: down(4), press: 'kill', shows: 'kill needs a running trial under the cursor (#6 is timeout)', calls: [] },
  { name: 'promote of a crashed trial says why', before: down(7), press: 'promote', shows: 'promote needs a queued or scored trial (#3 is crash)', calls: [] },
  { name: 'switch with one proposer says why', before: [], press: 'switch', shows: 'only random is configured: list several under proposer: to switch', calls: [], proposers: ['random'] },
];

describe('key routing', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const calls: string[] = [];
    const proposers = c.proposers ?? PROPOSERS;
    ui = renderApp(new Store(campaign({ proposers })), recording(calls, proposers), { columns: 100, rows: 30 });
    for (const cmd of c.before) await ui.press(cmd);
    await ui.press(c.press);
    const f = flat(ui.frame());
    if (c.shows) expect(f).toContain(c.shows);
    if (c.hides) expect(f).not.toContain(c.hides);
    expect(calls).toEqual(c.calls);
    expect(ui.quits).toEqual(c.quits ?? []);
  });
});

describe('the key map as data', () => {
  it('gives every command of every layer its bytes, and no two commands of a layer one key', () => {
    for (const [mode, layer] of Object.entries(LAYERS)) {
      const printable = layer.commands.flatMap((b) => b.keys.filter((k) => k.length === 1));
      expect(new Set(printable).size, mode).toBe(printable.length);
      for (const b of layer.commands) expect(KEY_BYTES[b.id], b.id).toBeDefined();
    }
  });

  it('says why a command is disabled from the state alone', () => {
    const s = campaign();
    const ctx = (id: number, proposers = PROPOSERS) => ({ s, ui: initialUi, t: getTrial(s, id), proposers });
    const cases: Array<[CommandId, number, string | null]> = [
      ['prune', 7, null],
      ['prune', 9, 'prune needs a running trial under the cursor (#9 is queued)'],
      ['kill', 1, 'kill needs a running trial under the cursor (#1 is keep)'],
      ['promote', 9, null],
      ['promote', 2, null],
      ['promote', 5, 'promote needs a queued or scored trial (#5 is pruned)'],
      ['pause', 5, null],
    ];
    for (const [id, trial, why] of cases) expect(BY_ID[id].disabled?.(ctx(trial)) ?? null, `${id} on #${trial}`).toBe(why);
    expect(BY_ID.prune.disabled!({ ...ctx(7), t: undefined })).toBe('prune needs a running trial under the cursor');
    expect(BY_ID.switch.disabled!(ctx(1, ['random']))).toBe('only random is configured: list several under proposer: to switch');
  });

  it('asks the dangerous commands first, with the question for the trial', () => {
    const s = campaign();
    const ask = (id: CommandId, trial: number) => BY_ID[id].confirm!({ s, ui: initialUi, t: getTrial(s, trial)!, proposers: PROPOSERS });
    for (const b of Object.values(BY_ID)) expect(Boolean(b.confirm), b.id).toBe(Boolean(b.danger));
    expect(ask('promote', 4)).toBe('Plot #4 (loss=0.3) as the incumbent until a new best? Proposers and keep/discard still go by the best.');
    expect(ask('kill', 8)).toBe('Kill #8 now? SIGKILL to its process group; it is recorded as killed.');
  });
});
