// Key routing. A key goes to the open dialog or overlay first, then to the table (the layers in
// keymap.ts); the command it names is checked against the state (does it need a trial under the
// cursor, is it disabled and why, does it ask first) and then run by its handler here.
import { useMemo, useReducer, useRef, type MutableRefObject } from 'react';
import { useInput, type Key } from 'ink';
import type { CampaignState, TrialState } from '../src/state.js';
import type { CommandResult } from '../src/engine/engine.js';
import { BY_ID, route, type CommandId, type TableCommandId } from './keymap.js';
import { initialUi, uiReducer, type UiAction, type UiState } from './ui-state.js';
import type { Controls, QuitChoice } from './controls.js';
import { applyFilter } from './rows.js';

/** Rows a page key moves the cursor, or the help and detail views scroll. */
export const PAGE = 10;

/** Where the cursor is in `rows`: the selected trial's row, else the first. */
export const cursorIn = (u: UiState, rows: readonly TrialState[]): number =>
  Math.max(0, u.selected === null ? 0 : rows.findIndex((t) => t.id === u.selected));

/** What a handler acts on: the state when the key arrived, and the ways to change things. */
interface Env {
  s: CampaignState;
  ui: UiState;
  engine: Controls;
  proposers: readonly string[];
  rows: readonly TrialState[];
  cursor: number;
  /** The trial the command acts on: under the cursor, or the one a confirmation named. */
  target: number | undefined;
  input: string;
  /** How far the help or detail view can scroll, as last laid out. */
  scrollMax: number;
  act(a: UiAction): void;
  say(r: CommandResult): void;
  onQuit(choice: QuitChoice): void;
}

const moveTo = (e: Env, i: number) => {
  const t = e.rows[Math.max(0, Math.min(e.rows.length - 1, i))];
  if (t) e.act({ type: 'select', id: t.id });
};
const toTable = (e: Env) => e.act({ type: 'mode', mode: 'table' });
const scroll = (delta: number) => (e: Env) => e.act({ type: 'scroll', delta, max: e.scrollMax });

/** What each command does once it may act (a dangerous one: once confirmed). */
const HANDLERS: Readonly<Record<CommandId, (e: Env) => void>> = {
  up: (e) => moveTo(e, e.cursor - 1),
  down: (e) => moveTo(e, e.cursor + 1),
  pageUp: (e) => moveTo(e, e.cursor - PAGE),
  pageDown: (e) => moveTo(e, e.cursor + PAGE),
  top: (e) => moveTo(e, 0),
  bottom: (e) => moveTo(e, e.rows.length - 1),
  detail: (e) => e.act({ type: 'mode', mode: 'detail' }),
  back: (e) => e.act({ type: 'message', message: null }),
  help: (e) => e.act({ type: 'mode', mode: 'help' }),
  filter: (e) => e.act({ type: 'mode', mode: 'filter' }),
  pause: (e) => e.say(e.s.paused ? e.engine.resumeDispatch('operator key p') : e.engine.pause('operator key p')),
  prune: (e) => e.say(e.engine.stopTrial(e.target!, 'prune', 'operator key x')),
  kill: (e) => e.say(e.engine.stopTrial(e.target!, 'kill', 'operator key X')),
  promote: (e) => e.say(e.engine.promote(e.target!, 'operator key +')),
  queueUp: (e) => e.say(e.engine.reorder(e.target!, -1, 'operator key')),
  queueDown: (e) => e.say(e.engine.reorder(e.target!, 1, 'operator key')),
  drop: (e) => e.say(e.engine.drop(e.target!, 'operator key d')),
  switch: (e) => {
    e.act({ type: 'switchIndex', index: Math.max(0, e.proposers.indexOf(e.s.proposer)) });
    e.act({ type: 'mode', mode: 'switch' });
  },
  quit: (e) => {
    // Nothing running: there is nothing to choose about.
    if (e.s.finished || e.s.running.length === 0) return e.onQuit(e.s.finished ? 'finished' : 'stop');
    e.act({ type: 'mode', mode: 'quit' });
  },
  'confirm.yes': (e) => {
    const c = e.ui.confirm;
    toTable(e);
    if (c) HANDLERS[c.command]({ ...e, target: c.id });
  },
  'confirm.no': toTable,
  'quit.stop': (e) => e.onQuit('stop'),
  'quit.leave': (e) => e.onQuit('leave'),
  'quit.stay': toTable,
  'switch.up': (e) => e.act({ type: 'switchIndex', index: Math.max(0, e.ui.switchIndex - 1) }),
  'switch.down': (e) => e.act({ type: 'switchIndex', index: Math.min(e.proposers.length - 1, e.ui.switchIndex + 1) }),
  'switch.apply': (e) => {
    toTable(e);
    e.say(e.engine.switchProposer(e.proposers[e.ui.switchIndex], 'operator key s'));
  },
  'switch.cancel': toTable,
  'filter.apply': (e) => e.act({ type: 'applyFilter' }),
  'filter.cancel': toTable,
  'filter.erase': (e) => e.act({ type: 'draft', text: e.ui.draft.slice(0, -1) }),
  'filter.type': (e) => e.act({ type: 'draft', text: e.ui.draft + e.input }),
  'help.close': toTable,
  'detail.close': toTable,
  'scroll.up': scroll(-1),
  'scroll.down': scroll(1),
  'scroll.pageUp': scroll(-PAGE),
  'scroll.pageDown': scroll(PAGE),
};

export interface KeysInput {
  s: CampaignState;
  engine: Controls;
  proposers: readonly string[];
  onQuit(choice: QuitChoice): void;
  /** Every row of the table, in order, before the filter. */
  all: TrialState[];
}

export interface Keys {
  ui: UiState;
  /** The rows the filter in force lets through. */
  visible: TrialState[];
  scrollMax: MutableRefObject<number>;
}

/** The UI state, and the key handling that changes it. */
export function useKeys({ s, engine, proposers, onQuit, all }: KeysInput): Keys {
  const [ui, dispatch] = useReducer(uiReducer, initialUi);
  const visible = useMemo(() => applyFilter(all, ui.filter), [all, ui.filter]);
  // A key can change the filter and act on its rows in one chunk ("/crash\rx").
  const rowsFor = (filter: string) => (filter === ui.filter ? visible : applyFilter(all, filter));
  // Keys are handled against the newest UI state, not the last rendered one: tmux and fast
  // typists deliver several keys in one chunk ("gX" must kill the trial `g` selected).
  const uiRef = useRef(ui);
  uiRef.current = ui;
  // How far the help or detail view can scroll, as last laid out (keys clamp to it).
  const scrollMax = useRef(0);
  const act = (a: UiAction) => {
    uiRef.current = uiReducer(uiRef.current, a);
    dispatch(a);
  };
  const say = (r: CommandResult) => act({ type: 'message', message: { text: r.message, tone: r.ok ? 'good' : 'bad' } });

  function press(id: CommandId, input: string): void {
    const u = uiRef.current;
    const rows = rowsFor(u.filter);
    const cursor = cursorIn(u, rows);
    const t = rows[cursor];
    const b = BY_ID[id];
    if (b.needsTrial && !t) return;
    const why = b.disabled?.({ s, ui: u, t, proposers }) ?? null;
    if (why) return say({ ok: false, message: why });
    if (b.confirm && t) {
      return act({ type: 'confirm', confirm: { command: id as TableCommandId, id: t.id, question: b.confirm({ s, ui: u, t, proposers }) } });
    }
    HANDLERS[id]({ s, ui: u, engine, proposers, rows, cursor, target: t?.id, input, scrollMax: scrollMax.current, act, say, onQuit });
  }

  function onKey(input: string, key: Key): void {
    const id = route(uiRef.current.mode, input, key);
    if (id) press(id, input);
  }

  useInput((input: string, key: Key) => {
    // Several printable keys in one chunk: handle them one by one, in order.
    if (input.length > 1 && !key.ctrl && !key.meta) {
      for (const ch of input) onKey(ch, { ...key, return: ch === '\r', backspace: ch === '\x7f' || ch === '\b', escape: false });
    } else onKey(input, key);
  });

  return { ui, visible, scrollMax };
}
