// A running trial as the engine watches it: its output lines become metric points, batched into one
// journal event per flush (METRIC_FLUSH_MS), and the pruner's verdict waits to see whether the trial
// is still running before it is carried out.
import type { CampaignConfig } from '../config/types.js';
import { MetricParser } from '../metrics.js';
import type { RunningTrial } from '../runner.js';
import type { TrialState } from '../state.js';
import type { CancelIntent } from '../state/rules.js';
import { CompletedCurves, CurveTracker } from './incremental.js';
import { MetricBatch } from './metric-batch.js';
import { judgeMedian } from './pruner.js';

/** Metric points are batched into one journal event per trial at most this often. */
export const METRIC_FLUSH_MS = 250;
/**
 * A pruner verdict is carried out only if the trial is still running this long after it: a trial
 * that printed its last step and is exiting is judged by its exit and final metrics, not pruned.
 */
export const PRUNE_CONFIRM_MS = 1000;

export type Points = Record<string, Array<[number, number]>>;

export interface LiveTrial {
  id: number;
  slot: number;
  /** Null until started, and again once decided (a late line callback must not keep it alive). */
  handle: RunningTrial | null;
  parser: MetricParser;
  pending: MetricBatch;
  /** On re-attach, points at or before this step were journaled already. */
  skipThroughStep: number | null;
  lastLine: string;
  /** The pruner's view of the curve, fed only new points. */
  curve: CurveTracker;
  /** Set only when the stop reached a trial still running; journaled before it was delivered. */
  cancel: CancelIntent | null;
  /** The pruner's verdict, waiting to see whether the trial is still running (PRUNE_CONFIRM_MS). */
  prunePending: { intent: CancelIntent; at: number } | null;
  timeout: NodeJS.Timeout | null;
  startedAt: number;
}

export function makeLive(config: CampaignConfig, id: number, slot: number, startedAt: number): LiveTrial {
  return {
    id,
    slot,
    handle: null,
    parser: new MetricParser({ primary: config.metric.name, pattern: config.metric.pattern }),
    pending: new MetricBatch(config.metric.name),
    skipThroughStep: null,
    lastLine: '',
    curve: new CurveTracker(config.metric.goal),
    cancel: null,
    prunePending: null,
    timeout: null,
    startedAt,
  };
}

/** One output line: parsed into pending metric points (metric-batch.ts bounds what a flood costs). */
export function onLine(live: LiveTrial, line: string): void {
  live.lastLine = line;
  const points = live.parser.parse(line);
  for (const p of points) {
    if (live.skipThroughStep !== null && p.step <= live.skipThroughStep) continue;
    live.pending.add(p);
  }
}

/** The points waiting to be journaled, or null; the batch starts empty again. */
export function takePending(live: LiveTrial): Points | null {
  if (live.pending.size === 0) return null;
  return live.pending.take();
}

/** Asks the median pruner about a trial whose curve just grew; a verdict waits in prunePending. */
export function considerPrune(live: LiveTrial, t: TrialState | undefined, config: CampaignConfig, completed: CompletedCurves, now: number): void {
  const p = config.pruner;
  if (p.type !== 'median' || live.cancel || live.prunePending) return;
  if (!t || t.curve.length === 0) return;
  const verdict = judgeMedian(live.curve.update(t.curve), completed.count, completed.peersAt, config.metric.goal, p, config.metric.name);
  if (verdict.prune) live.prunePending = { intent: { by: 'pruner', mode: 'prune', reason: `median pruner: ${verdict.reason}` }, at: now };
}

/** The pruner's intent once it has waited long enough with the trial still running, else null. */
export function confirmedPrune(live: LiveTrial, now: number): CancelIntent | null {
  const pending = live.prunePending;
  if (!pending || live.cancel) return null;
  if (!live.handle || live.handle.ended()) {
    live.prunePending = null;
    return null;
  }
  if (now - pending.at < PRUNE_CONFIRM_MS) return null;
  live.prunePending = null;
  return pending.intent;
}
