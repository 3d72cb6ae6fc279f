// Components on synthetic campaign states, at two widths.
import { describe, expect, it } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import chalk from 'chalk';
import { fold, initialState, type CampaignState } from '../../src/state.js';
import type { EventBody, NightshiftEvent } from '../../src/events.js';
import { TrialTable } from '../../components/TrialTable.js';
import { BudgetBar } from '../../components/BudgetBar.js';
import { DiffPanel } from '../../components/DiffPanel.js';
import { Help } from '../../components/Help.js';
import { StatusLine } from '../../components/StatusLine.js';
import { KEYMAP } from '../../components/keymap.js';
import { orderedTrials } from '../../components/rows.js';
import { paintRuns } from '../../components/Line.js';
import { colorDiff } from '../../components/format/diff.js';
import { statusGlyph } from '../../components/format/cells.js';

const T0 = 1_700_000_000_000;

function build(bodies: EventBody[]): CampaignState {
  let s = initialState();
  bodies.forEach((b, i) => (s = fold(s, { v: 1, seq: i + 1, t: T0 + i * 1000, ...b } as NightshiftEvent)));
  return s;
}

const fp = { key: 'k', host: 'vm', hardware: 'hw', budget: '{}' };
const DIFF = `diff --git a/train.py b/train.py
--- a/train.py
+++ b/train.py
@@ -1,3 +1,3 @@
 import math
-lr = 0.1
+lr = 0.03
 print(lr)
`;

/** 6 finished trials (keep, discard, crash, pruned, timeout), 2 running, 2 queued (one a code diff). */
function campaign(): CampaignState {
  const b: EventBody[] = [
    { type: 'campaign.started', name: 'demo', goal: 'minimize', metric: 'loss', seed: 0, proposer: 'random', proposers: ['random'], config_file: 'x', config_hash: 'h', frozen: {}, budget: { trials: 20, wall_ms: 3_600_000, patience: 5 }, parallel: 2 },
  ];
  const outcomes: Array<[string, number | null, string]> = [
    ['keep', 0.5, 'baseline: first scored trial'],
    ['discard', 0.7, 'loss 0.7 is not better than 0.5 (#1)'],
    ['crash', null, 'exit code 1: ValueError: shapes do not match'],
    ['keep', 0.3, 'improved loss 0.5 → 0.3 (was #1)'],
    ['pruned', null, 'median pruner: loss 2 at step 5 is worse than the median 1'],
    ['timeout', null, 'exceeded trial_timeout 300s'],
  ];
  outcomes.forEach(([status, score, reason], i) => {
    const id = i + 1;
    b.push({ type: 'trial.proposed', id, proposer: 'random', proposal: { kind: 'params', params: { lr: 0.001 * id, width: 16 * id } } });
    b.push({ type: 'trial.started', id, slot: 0, host: 'vm:0', pid: 1, dir: '/x', fingerprint: fp });
    b.push({ type: 'trial.metric', id, points: { loss: [[1, 1], [2, score ?? 2]] } });
    b.push({ type: 'trial.finished', id, exit_code: 0, signal: null, duration_ms: 1500, metrics: score === null ? {} : { loss: score }, score });
    b.push({ type: 'trial.decided', id, status: status as 'keep', reason, score, best: status === 'keep' });
  });
  for (const id of [7, 8]) {
    b.push({ type: 'trial.proposed', id, proposer: 'random', proposal: { kind: 'params', params: { lr: 0.01, width: 32 } } });
    b.push({ type: 'trial.started', id, slot: id - 7, host: `vm:${id - 7}`, pid: 1, dir: '/x', fingerprint: fp });
    b.push({ type: 'trial.metric', id, points: { loss: [[3, 0.4]] } });
  }
  b.push({ type: 'trial.proposed', id: 9, proposer: 'llm-code', proposal: { kind: 'code', hypothesis: 'a smaller learning rate converges better', diff: DIFF } });
  b.push({ type: 'trial.proposed', id: 10, proposer: 'random', proposal: { kind: 'params', params: { lr: 0.02, width: 64 } } });
  return build(b);
}

function frame(node: React.ReactElement): string {
  const r = render(node);
  const f = r.lastFrame() ?? '';
  r.unmount();
  return f;
}

describe.each([80, 140])('at %i columns', (width) => {
  const s = campaign();
  const rows = orderedTrials(s);

  it('orders the table running, queued, then finished newest first, with glyphs and reasons', () => {
    expect(rows.map((t) => t.id)).toEqual([7, 8, 9, 10, 6, 5, 4, 3, 2, 1]);
    const f = frame(<TrialTable s={s} rows={rows} cursor={0} height={14} width={width} now={T0 + 60_000} bestScore={0.3} />);
    const lines = f.split('\n');
    expect(lines[0]).toMatch(/^id\s+status/);
    const order = lines.slice(1).map((l) => /^#(\d+)/.exec(l)?.[1]).filter(Boolean).map(Number);
    expect(order).toEqual([7, 8, 9, 10, 6, 5, 4, 3, 2, 1]);
    for (const status of ['running', 'queued', 'keep', 'discard', 'crash', 'pruned', 'timeout']) {
      expect(f).toContain(`${statusGlyph(status).glyph} ${status}`);
    }
    expect(f).toContain('a smaller learning rate'); // the hypothesis of the code proposal
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(width);
    if (width >= 140) {
      expect(lines[0]).toContain('proposer');
      expect(f).toContain('ValueError'); // the crash reason beside its params
    } else {
      expect(lines[0]).not.toContain('host'); // narrow: low-priority columns drop first
      expect(lines[0]).toMatch(/Δbest/);
    }
  });

  it('draws a bar per budget limit with a forecast', () => {
    const f = frame(<BudgetBar s={s} now={s.last_event_at + 1000} width={width > 100 ? 60 : width} />);
    expect(f).toMatch(/trials .*8\/20 trials/);
    expect(f).toMatch(/wall .*\/1:00:00/);
    expect(f).toMatch(/patience/);
    expect(f).toMatch(/left|done/);
  });

  it('shows the next code proposal with its hypothesis and diff', () => {
    const withCodeFirst = { ...s, queue: [9, 10] };
    const f = frame(<DiffPanel s={withCodeFirst} width={Math.min(width, 70)} height={12} />);
    expect(f).toContain('next up');
    expect(f).toContain('#9');
    expect(f).toContain('1 file(s), +1 −1');
    expect(f).toContain('-lr = 0.1');
    expect(f).toContain('+lr = 0.03');
  });

  it('generates help and footer hints from the key map', () => {
    const help = frame(<Help width={width} height={40} />);
    for (const b of KEYMAP) expect(help).toContain(b.description.slice(0, Math.min(30, width - 12)));
    const footer = frame(<StatusLine message={null} width={width} filter="" />);
    expect(footer).toContain('? help');
    expect(footer).toContain('q quit');
  });
});

describe('diff colouring', () => {
  it('paints added lines green and removed lines red', () => {
    const level = chalk.level;
    chalk.level = 1;
    try {
      const lines = colorDiff(DIFF, 60).map(paintRuns);
      const add = lines.find((l) => l.includes('+lr = 0.03'))!;
      const del = lines.find((l) => l.includes('-lr = 0.1'))!;
      expect(add).toContain('\u001B[32m'); // green
      expect(del).toContain('\u001B[31m'); // red
      expect(lines.find((l) => l.includes('@@'))).toContain('\u001B[36m'); // cyan hunk header
    } finally {
      chalk.level = level;
    }
  });
});

describe('App on a terminal too small for the panels', () => {
  it('says so instead of drawing a broken layout, and still shows the header and keys', async () => {
    const { renderApp } = await import('./render.js');
    const { Store } = await import('../../src/store.js');
    const idle = { ok: false, message: '' };
    const controls = {
      pause: () => idle, resumeDispatch: () => idle, stopTrial: () => idle, promote: () => idle, reorder: () => idle,
      drop: () => idle, switchProposer: () => idle, availableProposers: () => ['random'], tail: () => [], completed: () => [],
    };
    const ui = renderApp(new Store(campaign()), controls, { columns: 40, rows: 12 });
    const f = ui.frame();
    ui.unmount();
    expect(f).toMatch(/demo\s+RUNNING/); // on 40 columns the name and state come before the brand
    expect(f).toMatch(/needs at least\s+60×16/);
    expect(f).toContain('q quit');
  });
});
