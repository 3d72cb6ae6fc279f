// The report's "scored under" lines: every scored decision's frozen-set and evaluator hashes (not
// only the kept trials'), grouped, and a frozen set other than the one recorded at the start named.
import { describe, expect, it } from 'vitest';
import type { EventBody, Fingerprint, NightshiftEvent } from '../src/events.js';
import { frozenSetHash } from '../src/integrity.js';
import { integrityLines } from '../src/report-integrity.js';
import { replay } from '../src/state.js';

const FROZEN = { 'evaluate.py': 'a'.repeat(64) };
const fp = (over: Partial<Fingerprint> = {}): Fingerprint => ({ key: 'k', host: 'local', hardware: 'cpu', budget: '{}', frozen: frozenSetHash(FROZEN), evaluator: 'e'.repeat(64), ...over });

function stateWith(trials: Array<[number, 'keep' | 'discard', Fingerprint]>) {
  const bodies: EventBody[] = [
    { type: 'campaign.started', name: 'c', goal: 'minimize', metric: 'loss', seed: 1, proposer: 'random', proposers: ['random'], config_file: 'c.yaml', config_hash: 'h', frozen: FROZEN, evaluator: 'e'.repeat(64), budget: {}, parallel: 1 },
  ];
  for (const [id, status, fingerprint] of trials) {
    bodies.push(
      { type: 'trial.proposed', id, proposer: 'random', proposal: { kind: 'params', params: { x: id } } },
      { type: 'trial.started', id, slot: 0, host: 'local', fingerprint },
      { type: 'trial.finished', id, exit_code: 0, signal: null, duration_ms: 5, metrics: { loss: id }, score: id },
      { type: 'trial.decided', id, status, reason: 'r', score: id, best: status === 'keep' },
    );
  }
  return replay(bodies.map((b, i) => ({ ...b, v: 3, seq: i + 1, t: 0 }) as NightshiftEvent));
}

describe('report: what each decision was scored under', () => {
  it('counts every scored decision, kept or not, when they share their hashes', () => {
    const lines = integrityLines(stateWith([[1, 'keep', fp()], [2, 'discard', fp()], [3, 'discard', fp()]]), { verified: true, why: null });
    expect(lines).toContain(`scored under: frozen set ${frozenSetHash(FROZEN).slice(0, 12)}, evaluator eeeeeeeeeeee (all 3 scored trials, 1 kept)`);
  });

  it('lists the groups when a discarded trial was scored under another frozen set, and names it as not the recorded one', () => {
    const lines = integrityLines(stateWith([[1, 'keep', fp()], [2, 'discard', fp({ frozen: 'f'.repeat(64) })], [3, 'discard', fp()]]), { verified: false, why: 'x' });
    const i = lines.indexOf('scored under (scored trials differ):');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(lines.slice(i + 1)).toEqual([
      `  frozen set ${frozenSetHash(FROZEN).slice(0, 12)}, evaluator eeeeeeeeeeee: #1, #3`,
      '  frozen set ffffffffffff, evaluator eeeeeeeeeeee (NOT the frozen set recorded at the start): #2',
    ]);
  });
});
