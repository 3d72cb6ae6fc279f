// The pure reducer: state = events.reduce(fold, initialState()). The TUI, the headless printer,
// `report` and `export` all read this; nothing else holds campaign state that matters.
//
// Each domain folds its own events (src/state/): campaign.ts (lifecycle), trials.ts (a trial's
// life), operator.ts (operator commands), budget.ts (what the budget counts), proposer.ts (the
// proposer's health, switch requests and spend), hosts.ts (host.up/down). A new event type gets
// its handler in the domain file it belongs to; the table below fails to compile until it has one.
import type { EventType, NightshiftEvent } from './events.js';
import { activeMs, budgetEvents } from './state/budget.js';
import { campaignEvents } from './state/campaign.js';
import { hostEvents } from './state/hosts.js';
import { operatorEvents } from './state/operator.js';
import { proposerEvents } from './state/proposer.js';
import { initialState, type CampaignState, type Handler } from './state/shape.js';
import { trialEvents } from './state/trials.js';

export type { CampaignState, HostState, OperatorEntry, RunState, TrialState, UsageTotals } from './state/shape.js';
export { hostRows, type HostRow } from './state/hosts.js';
export { initialState } from './state/shape.js';
export { allTrials, bestScore, elapsedMs, getTrial, runState, trialView } from './state/access.js';
export { escalationText } from './state/proposer.js';
export { gpuHours, llmUsd, spend, spendByProposer, type Spend } from './state/spend.js';

const HANDLERS: { [T in EventType]: Handler<T> } = {
  ...campaignEvents,
  ...trialEvents,
  ...operatorEvents,
  ...budgetEvents,
  ...proposerEvents,
  ...hostEvents,
};

/** Folds one event into the state. Pure: never mutates `s`. */
export function fold(s: CampaignState, e: NightshiftEvent): CampaignState {
  const next: CampaignState = { ...s, seq: e.seq, active_ms: activeMs(s, e), last_event_at: e.t };
  const handler = HANDLERS[e.type] as Handler<EventType> | undefined;
  // An event type this version does not know (a newer writer) changes nothing rather than break replay.
  return handler ? handler(next, e) : next;
}

/** Replays events from scratch. */
export function replay(events: Iterable<NightshiftEvent>): CampaignState {
  let s = initialState();
  for (const e of events) s = fold(s, e);
  return s;
}
