// Components on synthetic campaign states, at two widths.
import { describe, expect, it } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import chalk from 'chalk';
import { DIFF, T0, campaign, idleControls } from './fixture.js';
import { TrialTable } from '../../components/TrialTable.js';
import { BudgetBar } from '../../components/BudgetBar.js';
import { DiffPanel } from '../../components/DiffPanel.js';
import { Help } from '../../components/Help.js';
import { StatusLine } from '../../components/StatusLine.js';
import { KEYMAP } from '../../components/keymap.js';
import { orderedTrials } from '../../components/rows.js';
import { paintRuns } from '../../components/Line.js';
import { colorDiff } from '../../src/format/diff.js';
import { statusGlyph } from '../../src/format/status.js';

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
    const help = frame(<Help width={width} height={60} />);
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
    const ui = renderApp(new Store(campaign()), idleControls(), { columns: 40, rows: 12 });
    const f = ui.frame();
    ui.unmount();
    expect(f).toMatch(/demo\s+RUNNING/); // on 40 columns the name and state come before the brand
    expect(f).toMatch(/needs at least\s+60×16/);
    expect(f).toContain('q quit');
  });
});
