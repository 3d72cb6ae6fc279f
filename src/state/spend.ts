// What the campaign has spent, in dollars: model calls plus GPU time priced by budget.gpu_hour_usd.
// One function for the engine's budget stop, the TUI's budget panel and `report`, so they agree.
//
// The rules:
// - LLM spend per proposer comes from one source, never both: the llm.call records when the
//   proposer's calls went through the model client (journaled as each call returns, so they include
//   the calls of a propose() that failed or was thrown away), else its proposer.usage totals (a
//   proposer that prices its own calls). A reply without token usage was priced from its text length
//   by the client and is flagged `estimated`; it is counted like any other.
// - GPU time is the sum of finished trials' durations (trial.finished duration_ms, whatever the
//   verdict: a crashed or pruned trial held its GPU too), one GPU per trial: a slot holds one device
//   (gpus: gives each slot one id) and, without gpus:, gpu_hour_usd is the price of one slot-hour.
//   Running trials count once they finish.
import { allTrials } from './access.js';
import type { CampaignState, UsageTotals } from './shape.js';

/** Tokens and dollars per proposer, as `report` and the budget count them. */
export function spendByProposer(s: CampaignState): Record<string, UsageTotals> {
  const out: Record<string, UsageTotals> = {};
  for (const name of new Set([...Object.keys(s.usage), ...Object.keys(s.llm)])) {
    out[name] = s.llm[name] ?? s.usage[name];
  }
  return out;
}

export function llmUsd(s: CampaignState): number {
  let usd = 0;
  for (const u of Object.values(spendByProposer(s))) usd += u.usd;
  return usd;
}

/** GPU-hours of finished trials (one GPU each). */
export function gpuHours(s: CampaignState): number {
  let ms = 0;
  for (const t of allTrials(s)) ms += t.duration_ms ?? 0;
  return ms / 3_600_000;
}

export interface Spend {
  llm_usd: number;
  gpu_hours: number;
  gpu_usd: number;
  total_usd: number;
}

/** Dollars spent so far; GPU time costs only when a price per GPU-hour is given. */
export function spend(s: CampaignState, gpuHourUsd: number | undefined): Spend {
  const llm_usd = llmUsd(s);
  const gpu_hours = gpuHourUsd !== undefined ? gpuHours(s) : 0;
  const gpu_usd = gpuHourUsd !== undefined ? gpu_hours * gpuHourUsd : 0;
  return { llm_usd, gpu_hours, gpu_usd, total_usd: llm_usd + gpu_usd };
}
