// The full-screen supervisor. It reads the store (throttled snapshots) and sends commands to the
// engine; it holds no campaign state of its own, only UI state (selection, mode, dialogs).
import React, { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { Box, Text, useInput, useStdout, type Key } from 'ink';
import { bestScore, getTrial, type TrialState } from '../src/state.js';
import type { CommandResult } from '../src/engine/engine.js';
import { commandFor, type CommandId } from './keymap.js';
import { applyFilter, orderedTrials } from './rows.js';
import { initialUi, uiReducer, type Confirm, type UiAction, type UiState } from './ui-state.js';
import { useCampaign, useNow, type ThrottledSnapshots } from './use-campaign.js';
import { Header } from './Header.js';
import { TrialTable } from './TrialTable.js';
import { Curves } from './Curves.js';
import { BudgetBar } from './BudgetBar.js';
import { DiffPanel } from './DiffPanel.js';
import { Detail, detailMaxScroll, detailRows } from './Detail.js';
import { Help, helpMaxScroll } from './Help.js';
import { dialogRows } from './Dialogs.js';
import { formatScore } from './format/cells.js';
import type { PrunerSettings } from '../src/engine/pruner.js';
import { StatusLine } from './StatusLine.js';

/** What the TUI may ask of the engine. */
export interface Controls {
  pause(reason?: string): CommandResult;
  resumeDispatch(reason?: string): CommandResult;
  stopTrial(id: number, mode: 'prune' | 'kill', reason?: string): CommandResult;
  promote(id: number, reason?: string): CommandResult;
  reorder(id: number, delta: number, reason?: string): CommandResult;
  drop(id: number, reason?: string): CommandResult;
  switchProposer(name: string, reason?: string): CommandResult;
  availableProposers(): string[];
  tail(id: number, n?: number): string[];
  completed(): Array<ReadonlyMap<number, number>>;
}

export type QuitChoice = 'stop' | 'leave' | 'finished';

export interface AppProps {
  source: ThrottledSnapshots;
  engine: Controls;
  /** The median pruner's settings (the curves draw its threshold when it can act), or null. */
  pruner: PrunerSettings | null;
  /** The campaign's name from its file, shown until the journal's first event names it. */
  name?: string;
  onQuit: (choice: QuitChoice) => void;
  /** Fixed size (tests); otherwise the terminal's, following resizes. */
  columns?: number;
  rows?: number;
  clock?: () => number;
}

const WIDE = 110;
/** Below this the panels cannot be laid out readably; a message says so instead. */
const MIN_COLUMNS = 60;
const MIN_ROWS = 15;
const PAGE = 10;

function useTerminalSize(fixed?: { columns?: number; rows?: number }): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: fixed?.columns ?? stdout.columns ?? 80, rows: fixed?.rows ?? stdout.rows ?? 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed?.columns && fixed?.rows) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

export function App({ source, engine, pruner, name, onQuit, columns, rows, clock }: AppProps) {
  const s = useCampaign(source);
  const now = useNow(1000, clock);
  const size = useTerminalSize({ columns, rows });
  const [ui, dispatch] = useReducer(uiReducer, initialUi);
  // Keys are handled against the newest UI state, not the last rendered one: tmux and fast
  // typists deliver several keys in one chunk ("gX" must kill the trial `g` selected).
  const uiRef = useRef(ui);
  // How far the help or detail view can scroll, as last laid out (keys clamp to it).
  const scrollMax = useRef(0);
  uiRef.current = ui;
  const act = (a: UiAction) => {
    uiRef.current = uiReducer(uiRef.current, a);
    dispatch(a);
  };

  const all = orderedTrials(s);
  const visibleFor = (filter: string) => (filter === ui.filter ? visible : applyFilter(all, filter));
  const visible = useMemo(() => applyFilter(all, ui.filter), [all, ui.filter]);
  const cursorIn = (u: UiState, rowsNow: TrialState[]) => Math.max(0, u.selected === null ? 0 : rowsNow.findIndex((t) => t.id === u.selected));
  const cursor = cursorIn(ui, visible);
  const selected = visible[cursor];
  const best = bestScore(s);
  const proposers = engine.availableProposers();
  // The completed curves change only when a trial is decided; the engine caches them.
  const completed = useMemo(() => engine.completed(), [s.counts, engine]);

  const say = (r: CommandResult) => act({ type: 'message', message: { text: r.message, tone: r.ok ? 'good' : 'bad' } });

  const ask = (confirm: Confirm) => act({ type: 'confirm', confirm });

  function run(cmd: CommandId): void {
    const rowsNow = visibleFor(uiRef.current.filter);
    const cursor = cursorIn(uiRef.current, rowsNow);
    const t = rowsNow[cursor];
    const moveTo = (i: number) => {
      const target = rowsNow[Math.max(0, Math.min(rowsNow.length - 1, i))];
      if (target) act({ type: 'select', id: target.id });
    };
    switch (cmd) {
      case 'up':
        return moveTo(cursor - 1);
      case 'down':
        return moveTo(cursor + 1);
      case 'pageUp':
        return moveTo(cursor - PAGE);
      case 'pageDown':
        return moveTo(cursor + PAGE);
      case 'top':
        return moveTo(0);
      case 'bottom':
        return moveTo(rowsNow.length - 1);
      case 'detail':
        if (t) act({ type: 'mode', mode: 'detail' });
        return;
      case 'back':
        act({ type: 'message', message: null });
        return;
      case 'help':
        return act({ type: 'mode', mode: 'help' });
      case 'filter':
        return act({ type: 'mode', mode: 'filter' });
      case 'pause':
        return say(s.paused ? engine.resumeDispatch('operator key p') : engine.pause('operator key p'));
      case 'prune':
      case 'kill':
        if (!t || t.status !== 'running') return say({ ok: false, message: `${cmd} needs a running trial under the cursor${t ? ` (#${t.id} is ${t.status})` : ''}` });
        return ask({
          command: cmd,
          id: t.id,
          question:
            cmd === 'kill'
              ? `Kill #${t.id} now? SIGKILL to its process group; it is recorded as killed. [y/N]`
              : `Prune #${t.id}? It gets a cooperative stop (control file + SIGTERM) and is recorded as pruned. [y/N]`,
        });
      case 'promote':
        if (!t) return;
        if (t.status === 'queued') return ask({ command: 'promote', id: t.id, question: `Run queued #${t.id} next, ahead of the queue? [y/N]` });
        if (t.status === 'keep' || t.status === 'discard')
          return ask({
            command: 'promote',
            id: t.id,
            question: `Plot #${t.id} (${s.metric}=${formatScore(t.score)}) as the incumbent until a new best? Proposers and keep/discard still go by the best. [y/N]`,
          });
        return say({ ok: false, message: `promote needs a queued or scored trial (#${t.id} is ${t.status})` });
      case 'queueUp':
      case 'queueDown':
        if (!t) return;
        return say(engine.reorder(t.id, cmd === 'queueUp' ? -1 : 1, 'operator key'));
      case 'drop':
        if (!t) return;
        return say(engine.drop(t.id, 'operator key d'));
      case 'switch':
        if (proposers.length < 2) return say({ ok: false, message: `only ${proposers[0] ?? 'one proposer'} is configured: list several under proposer: to switch` });
        act({ type: 'switchIndex', index: Math.max(0, proposers.indexOf(s.proposer)) });
        return act({ type: 'mode', mode: 'switch' });
      case 'quit':
        if (s.finished || s.running.length === 0) return onQuit(s.finished ? 'finished' : 'stop');
        return act({ type: 'mode', mode: 'quit' });
    }
  }

  function confirmYes(c: Confirm): void {
    act({ type: 'mode', mode: 'table' });
    if (c.command === 'promote') say(engine.promote(c.id, 'operator key +'));
    else say(engine.stopTrial(c.id, c.command, 'operator key ' + (c.command === 'kill' ? 'X' : 'x')));
  }

  function onKey(input: string, key: Key): void {
    const u = uiRef.current;
    const ctrlC = key.ctrl && input === 'c';
    switch (u.mode) {
      case 'confirm':
        if (input === 'y' || input === 'Y') return confirmYes(u.confirm!);
        if (input === 'n' || input === 'N' || key.escape || key.return || ctrlC) return act({ type: 'mode', mode: 'table' });
        return;
      case 'quit':
        if (input === 's' || ctrlC) return onQuit('stop');
        if (input === 'l') return onQuit('leave');
        if (key.escape || input === 'n' || input === 'c') return act({ type: 'mode', mode: 'table' });
        return;
      case 'switch':
        if (key.upArrow || input === 'k') return act({ type: 'switchIndex', index: Math.max(0, u.switchIndex - 1) });
        if (key.downArrow || input === 'j') return act({ type: 'switchIndex', index: Math.min(proposers.length - 1, u.switchIndex + 1) });
        if (key.return) {
          act({ type: 'mode', mode: 'table' });
          return say(engine.switchProposer(proposers[u.switchIndex], 'operator key s'));
        }
        if (key.escape || ctrlC) return act({ type: 'mode', mode: 'table' });
        return;
      case 'filter':
        if (key.return) return act({ type: 'applyFilter' });
        if (key.escape || ctrlC) return act({ type: 'mode', mode: 'table' });
        if (key.backspace || key.delete) return act({ type: 'draft', text: u.draft.slice(0, -1) });
        if (input && !key.ctrl && !key.meta) return act({ type: 'draft', text: u.draft + input });
        return;
      case 'help':
      case 'detail': {
        if (u.mode === 'help' && (key.escape || input === '?' || input === 'q')) return act({ type: 'mode', mode: 'table' });
        if (u.mode === 'detail' && (key.escape || key.return)) return act({ type: 'mode', mode: 'table' });
        const max = scrollMax.current;
        if (key.upArrow || input === 'k') return act({ type: 'scroll', delta: -1, max });
        if (key.downArrow || input === 'j') return act({ type: 'scroll', delta: 1, max });
        if (key.pageDown) return act({ type: 'scroll', delta: PAGE, max });
        if (key.pageUp) return act({ type: 'scroll', delta: -PAGE, max });
        if (u.mode === 'detail' && (input === 'q' || ctrlC)) return run('quit');
        return;
      }
      case 'table': {
        if (ctrlC) return run('quit');
        const cmd = commandFor(input, key);
        if (cmd) run(cmd);
      }
    }
  }

  useInput((input: string, key: Key) => {
    // Several printable keys in one chunk: handle them one by one, in order.
    if (input.length > 1 && !key.ctrl && !key.meta) {
      for (const ch of input) onKey(ch, { ...key, return: ch === '\r', backspace: ch === '\x7f' || ch === '\b', escape: false });
    } else onKey(input, key);
  });

  // Layout: the root is one row shorter than the terminal (a full-height frame makes ink repaint).
  const width = size.columns;
  const height = Math.max(3, size.rows - 1);
  const dialog = dialogRows({ ui, width, running: s.running.length, proposers, active: s.proposer });
  // The dialog takes the rows it needs; the panels above give them up (but keep a few).
  const footerH = Math.max(1, Math.min(dialog?.length ?? 1, height - 4));
  const mainH = height - 1 - footerH;
  const wide = width >= WIDE;
  const tableW = wide ? Math.floor(width * 0.62) : width;
  const sideW = wide ? width - tableW - 1 : width;
  const budgetH = [s.budget.trials, s.budget.wall_ms, s.budget.patience].filter((x) => x !== undefined).length || 1;
  let tableH: number, curveH: number, pendingH: number;
  if (wide) {
    tableH = mainH;
    pendingH = Math.min(8, Math.max(2, Math.floor(mainH * 0.25)));
    curveH = Math.max(6, mainH - pendingH - budgetH);
  } else {
    pendingH = 2;
    tableH = Math.max(4, Math.floor((mainH - budgetH - pendingH) * 0.5));
    curveH = Math.max(4, mainH - tableH - budgetH - pendingH);
  }

  let main: React.ReactNode;
  if (width < MIN_COLUMNS || height < MIN_ROWS) {
    main = (
      <Text wrap="wrap">
        The terminal is {size.columns}×{size.rows}; the supervisor screen needs at least {MIN_COLUMNS}×{MIN_ROWS + 1}. The campaign keeps
        running: enlarge the window, or press q.
      </Text>
    );
  } else if (ui.mode === 'help') {
    scrollMax.current = helpMaxScroll(width, mainH);
    main = <Help width={width} height={mainH} scroll={ui.scroll} />;
  } else if (ui.mode === 'detail' && selected) {
    const rows = detailRows(s, getTrial(s, selected.id) ?? selected, engine.tail(selected.id, 60), width);
    scrollMax.current = detailMaxScroll(rows.length, mainH);
    main = <Detail rows={rows} width={width} height={mainH} scroll={ui.scroll} />;
  } else {
    const table = <TrialTable s={s} rows={visible} cursor={cursor} height={tableH} width={tableW} now={now} bestScore={best} filter={ui.filter} />;
    const side = (
      <Box flexDirection="column" width={sideW}>
        <Curves s={s} selected={selected} completed={completed} width={sideW} height={curveH} pruner={pruner} />
        <BudgetBar s={s} now={now} width={sideW} />
        <DiffPanel s={s} width={sideW} height={pendingH} />
      </Box>
    );
    main = wide ? (
      <Box flexDirection="row">
        {table}
        <Box width={1} />
        {side}
      </Box>
    ) : (
      <Box flexDirection="column">
        {table}
        {side}
      </Box>
    );
  }

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Header s={s} now={now} width={width} name={name} />
      <Box height={mainH} flexDirection="column" overflow="hidden">
        {main}
      </Box>
      {dialog ? dialog.slice(-footerH) : <StatusLine message={ui.message} width={width} filter={ui.filter} />}
    </Box>
  );
}

