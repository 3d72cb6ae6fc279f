// The active proposer's health (failures in a row with the last error, exhaustion), its requests to
// hand over to the other side (params ⇄ code), and what its calls cost.
import type { EventOf } from '../events.js';
import { logOperator } from './operator.js';
import { HEALTHY } from './rules.js';
import type { Handlers, UsageTotals } from './shape.js';

export const proposerEvents = {
  'proposer.escalated': (s, e) => {
    if (e.to === undefined) return { ...s, operator_log: logOperator(s, e.t, e.type, escalationText(e)) };
    return { ...s, proposer: e.to, ...HEALTHY, active_reason: `escalated: ${e.reason}`, ask: null, operator_log: logOperator(s, e.t, e.type, escalationText(e)) };
  },

  'proposer.fell_back': (s, e) => ({
    ...s,
    proposer: e.to,
    ...HEALTHY,
    active_reason: `fell back: ${e.reason}`,
    operator_log: logOperator(s, e.t, e.type, `proposer fell back ${e.from} → ${e.to}: ${e.reason}`),
  }),

  // Dispatch pauses; the operator's switch or resume answers.
  'proposer.ask': (s, e) => ({ ...s, paused: true, ask: e.reason, operator_log: logOperator(s, e.t, e.type, `paused, asking the operator: ${e.reason}`) }),

  'proposer.usage': (s, e) => ({ ...s, usage: { ...s.usage, [e.proposer]: addSpend(s.usage[e.proposer], e) } }),

  'proposer.failed': (s, e) => ({
    ...s,
    proposer_failures: s.proposer_failures + 1,
    proposer_error: e.error,
    warnings: [...s.warnings.slice(-19), `proposer ${e.proposer} failed: ${e.error}`],
  }),

  // Kept apart from proposer.usage, never added to it: both describe the same calls. llm.call is
  // journaled as each call returns, failed propose() calls included, so it is what the USD budget
  // counts for proposers that use the client (state/spend.ts picks one source per proposer).
  'llm.call': (s, e) => ({ ...s, llm: { ...s.llm, [e.proposer]: addSpend(s.llm[e.proposer], e, e.estimated === true) } }),

  'proposer.exhausted': (s) => ({ ...s, proposer_failures: 0, proposer_exhausted: true }),
} satisfies Handlers;

/** How a switch request reads in the operator log and the headless output. */
export function escalationText(e: Pick<EventOf<'proposer.escalated'>, 'from' | 'to' | 'side' | 'reason'>): string {
  if (e.to === undefined) return `proposer ${e.from} asked for a ${e.side ?? 'different'} proposer, but none is configured: ${e.reason}`;
  return `proposer escalated ${e.from} → ${e.to}: ${e.reason}`;
}

/** Adds one call's spend to a running total (proposer.usage, or llm.call which also counts estimates). */
function addSpend(u: UsageTotals | undefined, e: { tokens_in: number; tokens_out: number; usd: number; model: string }, estimated?: boolean): UsageTotals {
  const sum: UsageTotals = {
    calls: (u?.calls ?? 0) + 1,
    tokens_in: (u?.tokens_in ?? 0) + e.tokens_in,
    tokens_out: (u?.tokens_out ?? 0) + e.tokens_out,
    usd: (u?.usd ?? 0) + e.usd,
    model: e.model,
  };
  if (estimated !== undefined) sum.estimated = (u?.estimated ?? 0) + (estimated ? 1 : 0);
  return sum;
}
