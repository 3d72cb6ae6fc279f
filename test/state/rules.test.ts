// The reducer's fate rules: cancel intents, proposer health and the crash streak fold from the
// journal, and journals written before these events existed still replay.
import { describe, expect, it } from 'vitest';
import type { EventBody, NightshiftEvent } from '../../src/events.js';
import { getTrial, replay } from '../../src/state.js';

function journal(bodies: EventBody[]): NightshiftEvent[] {
  return bodies.map((b, i) => ({ v: 1, seq: i + 1, t: 1000 + i, ...b }) as NightshiftEvent);
}

const START: EventBody = {
  type: 'campaign.started', name: 'c', goal: 'minimize', metric: 'loss', seed: 0, proposer: 'random', proposers: ['random'],
  config_file: 'c.yaml', config_hash: 'h', frozen: {}, budget: {}, parallel: 1,
};
const FP = { key: 'k', host: 'h', hardware: 'x', budget: '{}' };
const proposed = (id: number): EventBody => ({ type: 'trial.proposed', id, proposer: 'random', proposal: { kind: 'params', params: { x: id } } });
const started = (id: number): EventBody => ({ type: 'trial.started', id, slot: 0, host: 'h', pid: 1, dir: '/d', fingerprint: FP });

describe('fate rules in the reducer', () => {
  it('records the cancel intent of a running trial (new event, and operator.kill of old journals)', () => {
    const s = replay(journal([START, proposed(1), started(1), { type: 'trial.cancel_requested', id: 1, by: 'pruner', mode: 'prune', reason: 'median pruner: worse' }, proposed(2), started(2), { type: 'operator.kill', id: 2, mode: 'kill' }]));
    expect(getTrial(s, 1)!.cancel).toEqual({ by: 'pruner', mode: 'prune', reason: 'median pruner: worse' });
    expect(getTrial(s, 2)!.cancel).toEqual({ by: 'operator', mode: 'kill', reason: 'killed by the operator' });
  });

  it('counts proposer failures until a proposal, and keeps exhaustion until a switch', () => {
    const fail: EventBody = { type: 'proposer.failed', proposer: 'random', error: '503' };
    let s = replay(journal([START, fail, fail]));
    expect([s.proposer_failures, s.proposer_error]).toEqual([2, '503']);
    s = replay(journal([START, fail, fail, { type: 'campaign.resumed', pid: 1, config_hash: 'h' }, fail]));
    expect(s.proposer_failures).toBe(3);
    s = replay(journal([START, fail, proposed(1)]));
    expect(s.proposer_failures).toBe(0);
    s = replay(journal([START, { type: 'proposer.exhausted', proposer: 'random' }]));
    expect(s.proposer_exhausted).toBe(true);
    s = replay(journal([START, { type: 'proposer.exhausted', proposer: 'random' }, { type: 'operator.switch', proposer: 'tpe' }]));
    expect(s.proposer_exhausted).toBe(false);
  });

  it('tracks the same-reason crash streak and starts a new one on resume', () => {
    const crash = (id: number, reason: string): EventBody => ({ type: 'trial.decided', id, status: 'crash', reason, score: null, best: false });
    const three = [START, proposed(1), started(1), crash(1, 'r'), proposed(2), started(2), crash(2, 'r'), proposed(3), started(3), crash(3, 'r')];
    expect(replay(journal(three)).crash_streak).toEqual({ count: 3, reason: 'r' });
    expect(replay(journal([...three, { type: 'campaign.resumed', pid: 1, config_hash: 'h' }])).crash_streak).toEqual({ count: 0, reason: '' });
  });

  it('replays a journal written before these events existed', () => {
    const s = replay(journal([START, proposed(1), started(1), { type: 'trial.finished', id: 1, exit_code: 0, signal: null, duration_ms: 5, metrics: { loss: 1 }, score: 1 }, { type: 'trial.decided', id: 1, status: 'keep', reason: 'baseline', score: 1, best: true }]));
    expect(getTrial(s, 1)!.status).toBe('keep');
    expect(getTrial(s, 1)!.cancel).toBeUndefined();
    expect(s.crash_streak).toBeNull();
    expect(s.proposer_failures).toBe(0);
  });
});
