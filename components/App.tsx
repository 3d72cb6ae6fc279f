// The full-screen supervisor. It reads the store (throttled snapshots) and sends commands to the
// engine; it holds no campaign state of its own, only UI state (selection, mode, dialogs), which
// the keys change (use-keys.ts). This file lays the panels out.
import React, { useEffect, useMemo, useState } from 'react';
import { Box, Text, useStdout } from 'ink';
import { bestScore, getTrial, hostRows } from '../src/state.js';
import { HostsLine } from './HostsLine.js';
import { orderedTrials } from './rows.js';
import { cursorIn, useKeys } from './use-keys.js';
import type { Controls, QuitChoice } from './controls.js';
import { useCampaign, useNow, type ThrottledSnapshots } from './use-campaign.js';
import { Header } from './Header.js';
import { TrialTable } from './TrialTable.js';
import { Curves } from './Curves.js';
import { BudgetBar } from './BudgetBar.js';
import { DiffPanel } from './DiffPanel.js';
import { Detail, detailMaxScroll, detailRows } from './Detail.js';
import { Help, helpMaxScroll } from './Help.js';
import { dialogRows } from './Dialogs.js';
import type { PrunerSettings } from '../src/engine/pruner.js';
import { StatusLine } from './StatusLine.js';
import { askRows } from './Header.js';
import { awaitsApproval, pendingTrial } from './pending.js';
import { pendingCodeRows } from './DiffPanel.js';
import { editText, runAsIs, type Suspend } from './editor.js';

export type { Controls, QuitChoice } from './controls.js';

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
  /** Hands the terminal over while $EDITOR runs (the full-screen entry leaves the alternate screen). */
  suspend?: Suspend;
}

const WIDE = 110;
/** Below this the panels cannot be laid out readably; a message says so instead. */
const MIN_COLUMNS = 60;
const MIN_ROWS = 15;

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

export function App({ source, engine, pruner, name, onQuit, columns, rows, clock, suspend = runAsIs }: AppProps) {
  const s = useCampaign(source);
  const now = useNow(1000, clock);
  const size = useTerminalSize({ columns, rows });
  const proposers = engine.availableProposers();
  const { write } = useStdout();
  // Back from the editor, ink redraws the whole frame (its last one is gone with the screen).
  const edit = (text: string, file: string) => {
    const r = editText(text, file, suspend);
    write('');
    return r;
  };
  const { ui, visible, scrollMax, pendingMax } = useKeys({ s, engine, proposers, edit, onQuit, all: orderedTrials(s) });
  const side = engine.proposerSide(s.proposer);
  const cursor = cursorIn(ui, visible);
  const selected = visible[cursor];
  const best = bestScore(s);
  // The completed curves change only when a trial is decided; the engine caches them.
  const completed = useMemo(() => engine.completed(), [s.counts, engine]);

  // Layout: the root is one row shorter than the terminal (a full-height frame makes ink repaint).
  const width = size.columns;
  const height = Math.max(3, size.rows - 1);
  const dialog = dialogRows({ ui, width, running: s.running.length, proposers, active: s.proposer });
  // The dialog takes the rows it needs; the panels above give them up (but keep a few).
  const footerH = Math.max(1, Math.min(dialog?.length ?? 1, height - 4));
  // The hosts line: only for a campaign with `hosts:` (remote hosts reported themselves).
  const hosts = useMemo(() => hostRows(s), [s.hosts, s.running]);
  const headerH = 1 + askRows(s, width, side).length + (hosts.length ? 1 : 0);
  const mainH = height - headerH - footerH;
  const wide = width >= WIDE;
  const tableW = wide ? Math.floor(width * 0.62) : width;
  const sideW = wide ? width - tableW - 1 : width;
  const budgetH = [s.budget.trials, s.budget.wall_ms, s.budget.usd, s.budget.patience].filter((x) => x !== undefined).length || 1;
  let tableH: number, curveH: number, pendingH: number;
  // A code proposal in the pending panel gets room for its diff (more when it awaits review).
  const pending = pendingTrial(s);
  const code = pending?.proposal.kind === 'code';
  if (wide) {
    tableH = mainH;
    pendingH = code ? Math.max(8, Math.floor(mainH * 0.45)) : Math.min(8, Math.max(2, Math.floor(mainH * 0.25)));
    curveH = Math.max(6, mainH - pendingH - budgetH);
  } else if (code) {
    // Awaiting review, the diff is what the operator reads: half the room.
    pendingH = Math.max(4, Math.floor((mainH - budgetH) * (awaitsApproval(s, pending) ? 0.5 : 0.4)));
    tableH = Math.max(4, Math.floor((mainH - budgetH - pendingH) * 0.5));
    curveH = Math.max(3, mainH - tableH - budgetH - pendingH);
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
    const pendingScroll = pending && ui.pending.for === pending.id ? ui.pending.scroll : 0;
    pendingMax.current = pending && code ? pendingCodeRows(s, pending, sideW, pendingH, pendingScroll).maxScroll : 0;
    const table = <TrialTable s={s} rows={visible} cursor={cursor} height={tableH} width={tableW} now={now} bestScore={best} filter={ui.filter} hosts={hosts.length > 0} />;
    const side = (
      <Box flexDirection="column" width={sideW}>
        <Curves s={s} selected={selected} completed={completed} width={sideW} height={curveH} pruner={pruner} />
        <BudgetBar s={s} now={now} width={sideW} />
        <DiffPanel s={s} width={sideW} height={pendingH} scroll={pendingScroll} />
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
      <Header s={s} now={now} width={width} name={name} side={side} />
      {hosts.length ? <HostsLine rows={hosts} width={width} /> : null}
      <Box height={mainH} flexDirection="column" overflow="hidden">
        {main}
      </Box>
      {dialog ? dialog.slice(-footerH) : <StatusLine message={ui.message} width={width} filter={ui.filter} />}
    </Box>
  );
}

