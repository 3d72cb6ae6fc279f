// The reducer by domain, as a table: a journal (event bodies, one second apart) and the slice of the
// state it must leave. Full runs exercise the reducer too; these pin each event's effect alone.
import { describe, expect, it } from 'vitest';
import type { EventBody, NightshiftEvent } from '../../src/events.js';
import { allTrials, fold, getTrial, initialState, replay, type CampaignState } from '../../src/state.js';

const T0 = 1_000_000;
const at = (bodies: EventBody[]): NightshiftEvent[] => bodies.map((b, i) => ({ v: 1, seq: i + 1, t: T0 + i * 1000, ...b }) as NightshiftEvent);
const run = (bodies: EventBody[]): CampaignState => replay(at(bodies));

const START: EventBody = {
  type: 'campaign.started', name: 'c', goal: 'minimize', metric: 'loss', seed: 3, proposer: 'random', proposers: ['random', 'tpe'],
  config_file: 'c.yaml', config_hash: 'h', frozen: {}, budget: { trials: 10 }, parallel: 2,
};
const RESUMED: EventBody = { type: 'campaign.resumed', pid: 2, config_hash: 'h' };
const FP = { key: 'cohort-a', host: 'h', hardware: 'x', budget: '{}' };
const proposed = (id: number, requeue_of?: number): EventBody => ({ type: 'trial.proposed', id, proposer: 'random', proposal: { kind: 'params', params: { x: id } }, requeue_of });
const LOC = { runner: 'local' as const, host: 'h', pid: 7, pid_start: '99', dir: '/d/x' };
/** A version-1 trial.started (pid and dir instead of a locator). */
const started = (id: number): EventBody => ({ type: 'trial.started', id, slot: 0, host: 'h', pid: 100 + id, dir: `/d/${id}`, fingerprint: FP });
const finished = (id: number, score: number | null): EventBody => ({ type: 'trial.finished', id, exit_code: score === null ? 1 : 0, signal: null, duration_ms: 5, metrics: score === null ? {} : { loss: score }, score });
const decided = (id: number, status: 'keep' | 'discard' | 'crash' | 'lost', best = false, reason: string = status): EventBody => ({ type: 'trial.decided', id, status, reason, score: null, best });
/** A trial from proposal to verdict. */
const trial = (id: number, status: 'keep' | 'discard' | 'crash' | 'lost', best = false, reason: string = status): EventBody[] => [proposed(id), started(id), finished(id, status === 'keep' ? 0.5 : null), decided(id, status, best, reason)];

interface Case {
  name: string;
  events: EventBody[];
  /** The part of the state this case is about. */
  slice: (s: CampaignState) => unknown;
  want: unknown;
}

const trialStatus = (s: CampaignState) => allTrials(s).map((t) => `${t.id}:${t.status}`);
const lastLog = (s: CampaignState) => s.operator_log.at(-1)?.text;

const CASES: Record<string, Case[]> = {
  campaign: [
    { name: 'started takes the settings', events: [START], slice: (s) => [s.name, s.goal, s.metric, s.seed, s.proposer, s.proposers, s.budget, s.parallel, s.sessions, s.started_at], want: ['c', 'minimize', 'loss', 3, 'random', ['random', 'tpe'], { trials: 10 }, 2, 1, T0] },
    { name: 'resumed counts a session and may change the budget', events: [START, { ...RESUMED, budget: { trials: 20 }, overrides: { trials: 20 } }], slice: (s) => [s.sessions, s.budget, s.overrides], want: [2, { trials: 20 }, { trials: 20 }] },
    { name: 'resumed after finishing runs again', events: [START, { type: 'budget.exhausted', which: 'trials', reason: 'r' }, { type: 'campaign.finished', reason: 'done' }, RESUMED], slice: (s) => [s.finished, s.exhausted], want: [null, null] },
    { name: 'a torn journal line is a warning', events: [START, { ...RESUMED, torn_line: true }], slice: (s) => s.warnings, want: ['the journal ended in a torn line (a crash mid-write); it was dropped'] },
    { name: 'finished keeps its reason', events: [START, { type: 'campaign.finished', reason: 'budget spent' }], slice: (s) => s.finished, want: { reason: 'budget spent' } },
  ],
  trials: [
    { name: 'proposed is queued', events: [START, proposed(1), proposed(2)], slice: (s) => [trialStatus(s), s.trial_count, s.counts], want: [['1:queued', '2:queued'], 2, { queued: 2 }] },
    { name: 'a re-run of a lost trial goes first and says so', events: [START, proposed(1), proposed(2, 7)], slice: (s) => [s.queue, getTrial(s, 2)!.reason], want: [[2, 1], 're-run of lost trial #7'] },
    { name: 'started runs, with where it runs', events: [START, proposed(1), { type: 'trial.started', id: 1, slot: 0, host: 'h', locator: LOC, fingerprint: FP }], slice: (s) => [s.running, s.queue, s.counts, getTrial(s, 1)!.locator, getTrial(s, 1)!.started_at], want: [[1], [], { queued: 0, running: 1 }, LOC, T0 + 2000] },
    { name: 'a version-1 start (pid and dir) gets a local locator', events: [START, proposed(1), started(1)], slice: (s) => getTrial(s, 1)!.locator, want: { runner: 'local', host: 'h', pid: 101, pid_start: undefined, dir: '/d/1' } },
    { name: 'metric batches keep the last value of every metric and the primary curve', events: [START, proposed(1), started(1), { type: 'trial.metric', id: 1, points: { loss: [[1, 0.9], [2, 0.8]], acc: [[2, 0.1]] } }], slice: (s) => [getTrial(s, 1)!.last, getTrial(s, 1)!.curve.lastValue, getTrial(s, 1)!.curve.lastStep], want: [{ loss: 0.8, acc: 0.1 }, 0.8, 2] },
    { name: 'a stop asked for is remembered', events: [START, proposed(1), started(1), { type: 'trial.cancel_requested', id: 1, by: 'timeout', mode: 'stop', reason: 'too slow' }], slice: (s) => getTrial(s, 1)!.cancel, want: { by: 'timeout', mode: 'stop', reason: 'too slow' } },
    { name: 'finished records the exit and metrics', events: [START, proposed(1), started(1), finished(1, 0.4)], slice: (s) => { const t = getTrial(s, 1)!; return [t.status, t.exit_code, t.metrics, t.score]; }, want: ['running', 0, { loss: 0.4 }, 0.4] },
    { name: 'the best of a cohort becomes best and incumbent', events: [START, ...trial(1, 'keep', true), ...trial(2, 'discard')], slice: (s) => [trialStatus(s), s.best, s.incumbent, s.best_by_cohort, s.running, s.counts], want: [['1:keep', '2:discard'], 1, 1, { 'cohort-a': 1 }, [], { queued: 0, running: 0, keep: 1, discard: 1 }] },
    { name: 'an unknown trial id changes nothing', events: [START, finished(9, 1), decided(9, 'keep', true)], slice: (s) => [s.trial_count, s.best], want: [0, null] },
  ],
  queue: [
    { name: 'promote moves a queued trial to the front', events: [START, proposed(1), proposed(2), proposed(3), { type: 'operator.promote', id: 3 }], slice: (s) => [s.queue, lastLog(s)], want: [[3, 1, 2], 'promoted queued #3 to run next'] },
    { name: 'reorder clamps the position', events: [START, proposed(1), proposed(2), proposed(3), { type: 'operator.reorder', id: 1, to: 99 }], slice: (s) => [s.queue, lastLog(s)], want: [[2, 3, 1], 'moved #1 to queue position 3'] },
    { name: 'reorder of a trial not queued changes nothing', events: [START, proposed(1), started(1), { type: 'operator.reorder', id: 1, to: 0 }], slice: (s) => [s.queue, s.operator_log], want: [[], []] },
    { name: 'drop takes a queued trial out', events: [START, proposed(1), proposed(2), { type: 'operator.drop', id: 1, reason: 'dup' }], slice: (s) => [s.queue, trialStatus(s), getTrial(s, 1)!.reason, s.counts], want: [[2], ['1:dropped', '2:queued'], 'dropped queued #1 — dup', { queued: 1, dropped: 1 }] },
    { name: 'drop leaves a running trial alone', events: [START, proposed(1), started(1), { type: 'operator.drop', id: 1 }], slice: (s) => [s.running, trialStatus(s)], want: [[1], ['1:running']] },
  ],
  operator: [
    { name: 'pause and resume dispatch', events: [START, { type: 'operator.pause', reason: 'lunch' }], slice: (s) => [s.paused, lastLog(s)], want: [true, 'paused dispatch — lunch'] },
    { name: 'resume after pause', events: [START, { type: 'operator.pause' }, { type: 'operator.resume' }], slice: (s) => [s.paused, s.operator_log.map((o) => o.text)], want: [false, ['paused dispatch', 'resumed dispatch']] },
    { name: 'kill records the intent on the trial', events: [START, proposed(1), started(1), { type: 'operator.kill', id: 1, mode: 'prune', reason: 'flat' }], slice: (s) => [getTrial(s, 1)!.cancel, getTrial(s, 1)!.operator, lastLog(s)], want: [{ by: 'operator', mode: 'prune', reason: 'pruned by the operator: flat' }, ['pruned #1 — flat'], 'pruned #1 — flat'] },
    { name: 'promote of a finished trial makes it the incumbent', events: [START, ...trial(1, 'keep', true), ...trial(2, 'discard'), { type: 'operator.promote', id: 2 }], slice: (s) => [s.best, s.incumbent, lastLog(s)], want: [1, 2, 'promoted #2 to incumbent'] },
    { name: 'switch changes the proposer and forgets its failures', events: [START, { type: 'proposer.failed', proposer: 'random', error: 'x' }, { type: 'operator.switch', proposer: 'tpe' }], slice: (s) => [s.proposer, s.proposer_failures, lastLog(s)], want: ['tpe', 0, 'switched proposer random → tpe'] },
    { name: 'approve is logged', events: [START, proposed(1), proposed(2), proposed(3), proposed(4), { type: 'operator.approve', id: 4, reason: 'ok' }], slice: lastLog, want: 'approved #4 — ok' },
    { name: 'approving a trial that is not queued changes nothing', events: [START, { type: 'operator.approve', id: 4, reason: 'ok' }], slice: (s) => s.operator_log.length, want: 0 },
    { name: 'reject is logged', events: [START, proposed(1), proposed(2), proposed(3), proposed(4), proposed(5), { type: 'operator.reject', id: 5, reason: 'unsafe' }], slice: (s) => [lastLog(s), s.queue, s.notes], want: ['rejected #5 — unsafe', [1, 2, 3, 4], ['The operator rejected proposal #5: unsafe']] },
    { name: 'quit is logged', events: [START, { type: 'operator.quit', leave_running: true }], slice: lastLog, want: 'quit, leaving trials running' },
  ],
  budget: [
    { name: 'active time counts gaps inside a session only', events: [START, proposed(1), RESUMED, proposed(2)], slice: (s) => [s.active_ms, s.last_event_at], want: [2000, T0 + 3000] },
    { name: 'started trials count, lost ones do not', events: [START, ...trial(1, 'crash'), ...trial(2, 'lost'), proposed(3), started(3)], slice: (s) => s.counted, want: 2 },
    { name: 'trials since the last improvement (crashes count)', events: [START, ...trial(1, 'keep', true), ...trial(2, 'discard'), ...trial(3, 'crash'), ...trial(4, 'lost')], slice: (s) => s.since_improvement, want: 2 },
    { name: 'the first-crashes streak counts same-reason crashes', events: [START, ...trial(1, 'crash', false, 'OOM'), ...trial(2, 'lost'), ...trial(3, 'crash', false, 'OOM')], slice: (s) => s.crash_streak, want: { count: 2, reason: 'OOM' } },
    { name: 'the streak ends at anything but a crash', events: [START, ...trial(1, 'crash'), ...trial(2, 'discard'), ...trial(3, 'crash')], slice: (s) => s.crash_streak, want: null },
    { name: 'exhausted drains', events: [START, { type: 'budget.exhausted', which: 'patience', reason: '5 without improvement' }], slice: (s) => s.exhausted, want: { which: 'patience', reason: '5 without improvement' } },
  ],
  proposer: [
    { name: 'failures in a row with the last error', events: [START, { type: 'proposer.failed', proposer: 'random', error: 'a' }, { type: 'proposer.failed', proposer: 'random', error: 'b' }], slice: (s) => [s.proposer_failures, s.proposer_error, s.warnings], want: [2, 'b', ['proposer random failed: a', 'proposer random failed: b']] },
    { name: 'a proposal ends the run of failures', events: [START, { type: 'proposer.failed', proposer: 'random', error: 'a' }, proposed(1)], slice: (s) => s.proposer_failures, want: 0 },
    { name: 'exhausted', events: [START, { type: 'proposer.exhausted', proposer: 'random' }], slice: (s) => s.proposer_exhausted, want: true },
    { name: 'a switch request with no proposer of that side is only logged', events: [START, { type: 'proposer.escalated', from: 'random', side: 'code', reason: 'plateau' }], slice: (s) => [s.proposer, lastLog(s)], want: ['random', 'proposer random asked for a code proposer, but none is configured: plateau'] },
    { name: 'usage is summed per proposer', events: [START, { type: 'proposer.usage', proposer: 'llm', model: 'm1', tokens_in: 10, tokens_out: 2, usd: 0.5 }, { type: 'proposer.usage', proposer: 'llm', model: 'm2', tokens_in: 5, tokens_out: 1, usd: 0.25 }], slice: (s) => s.usage, want: { llm: { calls: 2, tokens_in: 15, tokens_out: 3, usd: 0.75, model: 'm2' } } },
    { name: 'llm.call is a record only: spend comes from proposer.usage, not counted twice', events: [START, { type: 'llm.call', proposer: 'llm', model: 'm1', prompt_sha256: 'ab', tokens_in: 10, tokens_out: 2, usd: 0.5, latency_ms: 3, outcome: 'ok', attempts: 1, file: 'llm/1.json' }, { type: 'proposer.usage', proposer: 'llm', model: 'm1', tokens_in: 10, tokens_out: 2, usd: 0.5 }], slice: (s) => s.usage, want: { llm: { calls: 1, tokens_in: 10, tokens_out: 2, usd: 0.5, model: 'm1' } } },
    { name: 'escalated switches proposer', events: [START, { type: 'proposer.exhausted', proposer: 'random' }, { type: 'proposer.escalated', from: 'random', to: 'tpe', reason: 'stuck' }], slice: (s) => [s.proposer, s.proposer_exhausted, lastLog(s)], want: ['tpe', false, 'proposer escalated random → tpe: stuck'] },
  ],
};

describe.each(Object.keys(CASES))('fold: %s', (domain) => {
  it.each(CASES[domain].map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(c.slice(run(c.events))).toEqual(c.want);
  });
});

describe('fold', () => {
  it('never mutates the state it is given', () => {
    const events = at([START, ...trial(1, 'keep', true), proposed(2), { type: 'operator.promote', id: 2 }]);
    let s = initialState();
    for (const e of events) {
      const before = JSON.stringify(s);
      const next = fold(s, e);
      expect(JSON.stringify(s)).toBe(before);
      expect(next.seq).toBe(e.seq);
      s = next;
    }
  });
});
