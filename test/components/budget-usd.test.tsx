// The budget panel's dollar line: model calls (llm.call, estimated ones included) plus GPU time at
// budget.gpu_hour_usd, against budget.usd, with a forecast; the same sum the engine stops on.
import React from 'react';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { BudgetBar } from '../../components/BudgetBar.js';
import { spend } from '../../src/state.js';
import type { EventBody } from '../../src/events.js';
import { build, fp } from './fixture.js';

const call = (usd: number, estimated = false): EventBody => ({
  type: 'llm.call', proposer: 'llm-params', model: 'm', prompt_sha256: 'x', tokens_in: 1000, tokens_out: 100, usd, latency_ms: 5, outcome: 'ok', attempts: 1, file: 'llm/1.json', ...(estimated ? { estimated: true } : {}),
});

describe('budget panel dollars', () => {
  it('shows LLM spend plus GPU time against budget.usd with a forecast, beside trials and wall', () => {
    const s = build([
      { type: 'campaign.started', name: 'd', goal: 'minimize', metric: 'loss', seed: 0, proposer: 'llm-params', proposers: ['llm-params'], config_file: 'x', config_hash: 'h', frozen: {}, budget: { trials: 20, wall_ms: 3_600_000, usd: 5, gpu_hour_usd: 2 }, parallel: 1 },
      call(0.5),
      call(0.25, true),
      // Usage of the same calls: never added to llm.call's.
      { type: 'proposer.usage', proposer: 'llm-params', model: 'm', tokens_in: 2000, tokens_out: 200, usd: 0.75 },
      { type: 'trial.proposed', id: 1, proposer: 'llm-params', proposal: { kind: 'params', params: { x: 1 } } },
      { type: 'trial.started', id: 1, slot: 0, host: 'vm:0', pid: 1, dir: '/x', fingerprint: fp },
      { type: 'trial.finished', id: 1, exit_code: 0, signal: null, duration_ms: 1_800_000, metrics: { loss: 1 }, score: 1 },
    ]);
    const m = spend(s, 2);
    expect(m).toEqual({ llm_usd: 0.75, gpu_hours: 0.5, gpu_usd: 1, total_usd: 1.75 });
    expect(s.llm['llm-params']).toMatchObject({ calls: 2, estimated: 1 });
    const r = render(<BudgetBar s={s} now={s.last_event_at + 1000} width={80} />);
    const f = r.lastFrame() ?? '';
    r.unmount();
    expect(f).toMatch(/trials .*\/20 trials/);
    expect(f).toMatch(/wall .*\/1:00:00/);
    expect(f).toMatch(/cost .*\$1\.75\/\$5 .*left/);
  });
});
