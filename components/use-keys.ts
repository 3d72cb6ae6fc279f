// Key routing. A key goes to the open dialog or overlay first, then to the table (the layers in
// keymap.ts); the command it names is checked against the state (does it need a trial under the
// cursor, is it disabled and why, does it ask first) and then run by its handler here.
import { useMemo, useReducer, useRef, type MutableRefObject } from 'react';
import { useInput, type Key } from 'ink';
import { getTrial, type CampaignState, type TrialState } from '../src/state.js';
import type { CommandResult } from '../src/engine/engine.js';
import { BY_ID, route, type CommandId, type TableCommandId } from './keymap.js';
import { initialUi, uiReducer, type UiAction, type UiState } from './ui-state.js';
import type { Controls, QuitChoice } from './controls.js';
import { applyFilter } from './rows.js';
import { pendingTrial, reviewTarget } from './pending.js';
import type { Edited } from './editor.js';
import { NOTE_MAX } from '../src/engine/review.js';
import type { ProposerSide } from '../src/types.js';

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
  /** How far the pending diff can scroll, as last laid out. */
  pendingMax: number;
  /** Edits a text in $EDITOR (the terminal handed over meanwhile). */
  edit(text: string, fileName: string): Edited;
  sideOf(name: string): ProposerSide;
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
const reviewed = (e: Env) => reviewTarget(e.s, e.rows[e.cursor]);
const scrollPending = (delta: number) => (e: Env) => {
  const t = pendingTrial(e.s);
  if (t?.proposal.kind === 'code') e.act({ type: 'pendingScroll', id: t.id, delta, max: e.pendingMax });
};
const typed = (e: Env, text: string) => {
  if (e.ui.input) e.act({ type: 'input', input: { ...e.ui.input, text: text.slice(0, NOTE_MAX) } });
};
const switchSide = (drop: boolean) => (e: Env) => {
  toTable(e);
  e.say(e.engine.switchSide(drop, 'operator key S'));
};

/** e: the diff in $EDITOR; saved changes replace the proposal's diff. */
function editProposal(e: Env): void {
  const t = reviewed(e);
  if (!t || t.proposal.kind !== 'code') return;
  const r = e.edit(t.proposal.diff, `nightshift-trial-${t.id}.diff`);
  if (r.kind === 'changed') e.say(e.engine.editDiff(t.id, r.text, 'edited in $EDITOR'));
  else if (r.kind === 'unchanged') e.act({ type: 'message', message: { text: `#${t.id}: the diff is unchanged`, tone: 'normal' } });
  else e.say({ ok: false, message: r.message });
}

/** S: asks whether the other side's queued proposals stay, unless there are none. */
function askSide(e: Env): void {
  const side = e.sideOf(e.s.proposer);
  const to = side === 'code' ? 'params' : 'code';
  const target = e.proposers.find((p) => e.sideOf(p) === to);
  if (!target) return;
  const queued = e.s.queue.filter((id) => getTrial(e.s, id)?.proposer !== target).length;
  if (queued === 0) return switchSide(false)(e);
  e.act({ type: 'side', side: { question: `Switch to the ${to} side (${target}) for the next proposal? ${queued} queued proposal(s) are not ${target}'s:` } });
}
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
  approve: (e) => {
    const t = reviewed(e);
    if (t) e.say(e.engine.approve(t.id, 'operator key a'));
  },
  reject: (e) => {
    const t = reviewed(e);
    if (t) e.act({ type: 'input', input: { kind: 'reject', id: t.id, text: '' } });
  },
  edit: editProposal,
  pendingUp: scrollPending(-1),
  pendingDown: scrollPending(1),
  note: (e) => e.act({ type: 'input', input: { kind: 'note', text: '' } }),
  review: (e) => e.say(e.engine.setReview(e.s.review === 'manual' ? 'auto' : 'manual')),
  side: askSide,
  'input.apply': (e) => {
    const input = e.ui.input;
    toTable(e);
    if (input?.kind === 'note') e.say(e.engine.addNote(input.text));
    else if (input?.kind === 'reject' && input.id !== undefined) e.say(e.engine.reject(input.id, input.text));
  },
  'input.cancel': toTable,
  'input.erase': (e) => typed(e, (e.ui.input?.text ?? '').slice(0, -1)),
  'input.type': (e) => typed(e, (e.ui.input?.text ?? '') + e.input),
  'side.keep': switchSide(false),
  'side.drop': switchSide(true),
  'side.cancel': toTable,
  'scroll.up': scroll(-1),
  'scroll.down': scroll(1),
  'scroll.pageUp': scroll(-PAGE),
  'scroll.pageDown': scroll(PAGE),
};

export interface KeysInput {
  s: CampaignState;
  engine: Controls;
  proposers: readonly string[];
  edit(text: string, fileName: string): Edited;
  onQuit(choice: QuitChoice): void;
  /** Every row of the table, in order, before the filter. */
  all: TrialState[];
}

export interface Keys {
  ui: UiState;
  /** The rows the filter in force lets through. */
  visible: TrialState[];
  scrollMax: MutableRefObject<number>;
  pendingMax: MutableRefObject<number>;
}

/** The UI state, and the key handling that changes it. */
export function useKeys({ s, engine, proposers, edit, onQuit, all }: KeysInput): Keys {
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
  const pendingMax = useRef(0);
  const sideOf = (name: string) => engine.proposerSide(name);
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
    const why = b.disabled?.({ s, ui: u, t, proposers, sideOf }) ?? null;
    if (why) return say({ ok: false, message: why });
    if (b.confirm && t) {
      return act({ type: 'confirm', confirm: { command: id as TableCommandId, id: t.id, question: b.confirm({ s, ui: u, t, proposers }) } });
    }
    HANDLERS[id]({ s, ui: u, engine, proposers, rows, cursor, target: t?.id, input, scrollMax: scrollMax.current, pendingMax: pendingMax.current, edit, sideOf, act, say, onQuit });
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

  return { ui, visible, scrollMax, pendingMax };
}
