// A trial's life in the state: proposed (queued), started (running), its metric batches, a stop asked
// for, finished, and decided (its verdict, and the cohort's best).
import type { DecisionStatus, EventOf } from '../events.js';
import { Series } from '../series.js';
import { bump, getTrial, setTrial, updateTrial } from './access.js';
import { countDecision } from './budget.js';
import { enqueue, without } from './queue.js';
import type { CampaignState, Handlers, TrialState } from './shape.js';

export const trialEvents = {
  'trial.prepared': (s, e) => {
    const t = getTrial(s, e.id);
    if (!t) return s;
    return updateTrial(s, e.id, { commit: e.commit, base: e.base, workdir: e.workdir, digest: e.digest });
  },

  'trial.proposed': (s, e) => {
    const id = e.id;
    const t: TrialState = {
      id,
      status: 'queued',
      proposer: e.proposer,
      proposal: e.proposal,
      params: e.proposal.params ?? {},
      requeue_of: e.requeue_of,
      proposed_at: e.t,
      curve: Series.EMPTY,
      last: {},
      metrics: {},
      score: null,
      reason: e.requeue_of ? `re-run of lost trial #${e.requeue_of}` : '',
      best: false,
      operator: [],
    };
    return {
      ...s,
      trials: setTrial(s, t),
      trial_count: Math.max(s.trial_count, id),
      queue: enqueue(s.queue, id, Boolean(e.requeue_of)),
      counts: bump(s.counts, null, 'queued'),
      // A proposal made: the proposer works again (re-runs of lost trials are not its work).
      proposer_failures: e.requeue_of ? s.proposer_failures : 0,
    };
  },

  'trial.started': (s, e) => {
    const next = updateTrial({ ...s, invalid_streak: { count: 0, reason: '' } }, e.id, {
      status: 'running',
      started_at: e.t,
      slot: e.slot,
      host: e.host,
      locator: e.locator ?? (e.pid !== undefined && e.dir !== undefined ? { runner: 'local', host: e.host, pid: e.pid, pid_start: e.pid_start, dir: e.dir } : undefined),
      fingerprint: e.fingerprint,
      ...(e.sandboxed ? { sandboxed: true } : {}),
    });
    return { ...next, queue: without(next.queue, e.id), running: [...next.running, e.id], counted: next.counted + 1 };
  },

  'trial.metric': (s, e) => {
    const t = getTrial(s, e.id);
    if (!t) return s;
    const last = { ...t.last };
    for (const [name, pts] of Object.entries(e.points)) if (pts.length) last[name] = pts[pts.length - 1][1];
    const primary = e.points[s.metric];
    return updateTrial(s, e.id, { last, curve: primary ? t.curve.append(primary) : t.curve });
  },

  'trial.cancel_requested': (s, e) => updateTrial(s, e.id, { cancel: { by: e.by, mode: e.mode, reason: e.reason } }),

  'trial.finished': (s, e) =>
    updateTrial(s, e.id, {
      exit_code: e.exit_code,
      signal: e.signal,
      duration_ms: e.duration_ms,
      metrics: e.metrics,
      score: e.score,
      finished_at: e.t,
    }),

  'trial.decided': decide,

  'workspace.warning': (s, e) => ({ ...s, warnings: [...s.warnings.slice(-19), e.message] }),
} satisfies Handlers;

function decide(s: CampaignState, e: EventOf<'trial.decided'>): CampaignState {
  const t = getTrial(s, e.id);
  if (!t) return s;
  const status: DecisionStatus = e.status;
  let next = updateTrial(s, e.id, { status, reason: e.reason, score: e.score, best: e.best, finished_at: t.finished_at ?? e.t });
  next = { ...next, running: without(next.running, e.id), queue: without(next.queue, e.id) };
  next = countDecision(next, s.crash_streak, t, status, e.reason, e.best);
  if (status === 'invalid' && t.started_at === undefined) next.invalid_streak = { count: s.invalid_streak.count + 1, reason: e.reason };
  if (e.best) {
    const cohort = t.fingerprint?.key ?? '';
    next.best_by_cohort = { ...next.best_by_cohort, [cohort]: e.id };
    next.best = e.id;
    next.incumbent = e.id;
  }
  return next;
}
