// Small things the operator sees: the first frame, an empty filter result, when the prune
// threshold is drawn, a finished campaign's forecast, the next-up precision, and whole words in
// the header and footer at 80 columns.
import { afterEach, describe, expect, it } from 'vitest';
import React from 'react';
import { render } from 'ink-testing-library';
import { Store } from '../../src/store.js';
import { initialState, type CampaignState } from '../../src/state.js';
import type { EventBody } from '../../src/events.js';
import { Curves } from '../../components/Curves.js';
import { BudgetBar } from '../../components/BudgetBar.js';
import { DiffPanel } from '../../components/DiffPanel.js';
import { Header } from '../../components/Header.js';
import { StatusLine } from '../../components/StatusLine.js';
import { KEYMAP } from '../../components/keymap.js';
import { T0, build, campaign, campaignEvents, fp, idleControls } from './fixture.js';
import { PRUNER, renderApp, type Rendered } from './render.js';

let ui: Rendered | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

function frame(node: React.ReactElement): string {
  const r = render(node);
  const f = r.lastFrame() ?? '';
  r.unmount();
  return f;
}

describe('the first frame, before the journal has its first event', () => {
  it('shows the campaign name from its file and no elapsed time from 1970', () => {
    ui = renderApp(new Store(initialState()), idleControls(), { columns: 120, rows: 30 }, { name: 'quickstart' });
    const f = ui.frame();
    expect(f).toContain('nightshift quickstart');
    expect(f).not.toMatch(/\d+d\d\dh/);
    expect(f).not.toMatch(/\d{3,}:\d\d:\d\d/); // the wall budget line neither
  });
});

describe('a filter that matches nothing', () => {
  it('says so, not that there are no trials yet', async () => {
    ui = renderApp(new Store(campaign()), idleControls(), { columns: 100, rows: 30 });
    await ui.press('filter');
    await ui.type('nothing-like-this\r');
    const f = ui.frame();
    expect(f).not.toContain('no trials yet');
    expect(f).toContain('no trial matches the filter');
  });
});

/** Three completed trials reporting steps 1..10, and running trial #4 at `step`. */
function pruning(step: number, completedTrials = 3): { s: CampaignState; completed: Array<ReadonlyMap<number, number>> } {
  const b: EventBody[] = [campaignEvents()[0]];
  const curve = (k: number) => Array.from({ length: 10 }, (_, i) => [i + 1, 1 / (i + 1) + k * 0.01] as [number, number]);
  for (let id = 1; id <= completedTrials; id++) {
    b.push({ type: 'trial.proposed', id, proposer: 'random', proposal: { kind: 'params', params: { lr: id } } });
    b.push({ type: 'trial.started', id, slot: 0, host: 'vm:0', pid: 1, dir: '/x', fingerprint: fp });
    b.push({ type: 'trial.metric', id, points: { loss: curve(id) } });
    b.push({ type: 'trial.finished', id, exit_code: 0, signal: null, duration_ms: 1000, metrics: { loss: 0.1 }, score: 0.1 });
    b.push({ type: 'trial.decided', id, status: 'discard', reason: 'r', score: 0.1, best: false });
  }
  const id = completedTrials + 1;
  b.push({ type: 'trial.proposed', id, proposer: 'random', proposal: { kind: 'params', params: { lr: 9 } } });
  b.push({ type: 'trial.started', id, slot: 0, host: 'vm:0', pid: 1, dir: '/x', fingerprint: fp });
  b.push({ type: 'trial.metric', id, points: { loss: Array.from({ length: step }, (_, i) => [i + 1, 2] as [number, number]) } });
  const s = build(b);
  const completed = Array.from({ length: completedTrials }, (_, k) => new Map(curve(k + 1)));
  return { s, completed };
}

describe('the prune threshold', () => {
  const draw = (step: number, completedTrials = 3) => {
    const { s, completed } = pruning(step, completedTrials);
    const t = s.trials[0][completedTrials];
    return frame(<Curves s={s} selected={t} completed={completed} width={70} height={14} pruner={PRUNER} />);
  };

  it('is drawn where the pruner judges: past the warmup, with enough completed trials at the step', () => {
    expect(draw(7)).toContain('prune threshold');
  });

  it('is not drawn within the warmup', () => {
    expect(draw(3)).not.toContain('prune threshold');
  });

  it('is not drawn before min_trials trials completed', () => {
    expect(draw(7, 2)).not.toContain('prune threshold');
  });
});

describe('a finished campaign', () => {
  it('forecasts no time left on any budget', () => {
    const s = build([...campaignEvents(), { type: 'campaign.finished', reason: 'stopped by the operator' }]);
    const f = frame(<BudgetBar s={s} now={s.last_event_at + 10_000} width={80} />);
    expect(f).toMatch(/wall/);
    expect(f).not.toMatch(/left/);
  });
});

describe('the next-up panel', () => {
  it('prints sampled floats to a few significant digits', () => {
    const b = campaignEvents();
    const s = build([...b, { type: 'trial.proposed', id: 11, proposer: 'random', proposal: { kind: 'params', params: { lr: 0.001789413660548108, width: 52, dropout: 0.20957617205567658 } } }]);
    const f = frame(<DiffPanel s={{ ...s, queue: [11] }} width={100} height={4} />);
    expect(f).toContain('lr=0.001789 width=52 dropout=0.2096');
    expect(f).not.toContain('0.0017894136');
  });
});

describe('at 80 columns', () => {
  it('the header leaves parts out whole instead of cutting words', () => {
    const s = campaign();
    const f = frame(<Header s={{ ...s, name: 'quickstart-long-name' }} now={T0 + 3_725_000} width={80} />);
    const line = f.split('\n')[0];
    expect(line).not.toContain('…');
    expect(line.length).toBeLessThanOrEqual(80);
    expect(line).toMatch(/^nightshift quickstart-long-name\s+RUNNING/);
    expect(line).toContain('best loss=0.3 #4');
    expect(line).toMatch(/elapsed \d+h\d\dm$/);
  });

  it('the footer shows whole hints only', () => {
    const all = new Set(KEYMAP.map((b) => `${b.keys[0]} ${b.label}`));
    for (const width of [60, 70, 80]) {
      const f = frame(<StatusLine message={null} width={width} filter="" />).trimEnd();
      expect(f.length).toBeLessThanOrEqual(width);
      for (const hint of f.split(/ {2,}/)) expect(all, `${hint} at ${width}`).toContain(hint);
    }
  });
});

describe('text a trial wrote', () => {
  // Sequences that set the title, clear the screen, switch screens, ring, or are raw binary.
  const EVIL = 'A\x1b]0;pwned\x07B\x1b[2J\x1b[?1049lC\x00\x01\x7f\x9bD\x1bcE\ud800F';
  const FORBIDDEN = [/\x1b\]/, /\x1b\[2J/, /\x1b\[\?1049/, /[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]/, /\x9b/, /\x1bc/, /\ud800/];

  function evilCampaign(): CampaignState {
    const b = campaignEvents().map((e) => (e.type === 'trial.decided' && e.id === 3 ? { ...e, reason: `exit code 1: ${EVIL}` } : e));
    b.push({ type: 'trial.proposed', id: 11, proposer: 'llm-code', proposal: { kind: 'code', hypothesis: `hypothesis ${EVIL}`, diff: `--- a/x\n+++ b/x\n@@ -1 +1 @@\n-${EVIL}\n+ok\n` } });
    return build(b);
  }

  it('reaches the table, the detail view and the next-up panel without escape sequences or control bytes', async () => {
    const s = evilCampaign();
    const binary = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256)).toString('utf8');
    ui = renderApp(new Store({ ...s, queue: [11, ...s.queue] }), idleControls({ tail: () => [`out ${EVIL}`, binary, 'last line'] }), { columns: 100, rows: 40 });
    const frames = [ui.frame()];
    for (let i = 0; i < 9; i++) await ui.press('down'); // rows: 7 8 11 9 10 6 5 4 3 → #3 (crash)
    frames.push(ui.frame());
    await ui.press('detail');
    frames.push(ui.frame());
    for (let i = 0; i < 10; i++) await ui.press('down');
    frames.push(ui.frame());
    const all = frames.join('\n');
    expect(all).toContain('ABC'); // the text around the sequences is kept
    expect(all).toContain('last line');
    // ink-testing-library frames hold no styling of their own: any escape left came from the trial.
    for (const bad of FORBIDDEN) expect(all).not.toMatch(bad);
  });
});
