// kill -9 of the supervisor mid-campaign, then `resume`: nothing finished is lost or run twice.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir, cli, cliSpawn, events, processesWithEnv, QUADRATIC_PY, stateOf, waitFor } from '../helpers.js';
import { allTrials } from '../../src/state.js';
import type { EventOf } from '../../src/events.js';

const CAMPAIGN = `name: crashy
command: python3 quad.py {x} {y} 0.3
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: -1, high: 1 }
  y: { type: float, low: -1, high: 1 }
parallel: 2
seed: 3
budget: { trials: 10 }
`;

describe('kill -9 and resume', () => {
  it('loses no finished trial, runs none twice, re-attaches live ones and completes the budget', async () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN, 'quad.py': QUADRATIC_PY });
    const out = path.join(dir, '.nightshift', 'crashy');
    const run = cliSpawn(['run', 'campaign.yaml', '--headless'], dir);
    // Wait until some trials are decided and two are running mid-flight.
    await waitFor(() => {
      const s = stateOf(out);
      return s.counts.keep! + (s.counts.discard ?? 0) >= 3 && s.running.length === 2 && allTrials(s).some((t) => t.status === 'running' && t.curve.length >= 1);
    }, 30_000, 'three decided trials and two running');
    run.child.kill('SIGKILL');
    await run.exited;

    const before = stateOf(out);
    const decidedBefore = allTrials(before).filter((t) => t.status === 'keep' || t.status === 'discard');
    // Usually two; one may have finished between the check above and the kill.
    const runningBefore = before.running.slice();
    expect(runningBefore.length).toBeGreaterThanOrEqual(1);
    // The trials outlive their supervisor.
    expect(processesWithEnv(out).length).toBeGreaterThanOrEqual(1);

    const resumed = cli(['resume', 'campaign.yaml'], dir);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('resumed campaign crashy');
    expect(resumed.stdout).toContain('finished: trial budget reached: 10 trials');

    const evs = events(out);
    const after = stateOf(out);
    // Decisions made before the crash stand, each made exactly once.
    const decided = evs.filter((e): e is EventOf<'trial.decided'> => e.type === 'trial.decided');
    const ids = decided.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const t of decidedBefore) expect(allTrials(after).find((x) => x.id === t.id)!.status).toBe(t.status);
    // The two that were running were re-attached and finished (not lost): they were alive.
    for (const id of runningBefore) expect(['keep', 'discard']).toContain(allTrials(after).find((x) => x.id === id)!.status);
    // No trial started twice, and no params ran twice.
    const started = evs.filter((e) => e.type === 'trial.started').map((e) => (e as EventOf<'trial.started'>).id);
    expect(new Set(started).size).toBe(started.length);
    const scored = allTrials(after).filter((t) => t.score !== null);
    expect(scored).toHaveLength(10);
    expect(new Set(scored.map((t) => JSON.stringify(t.params))).size).toBe(10);
    // A re-attached trial's curve has each step once (its log was re-read from the start).
    for (const id of runningBefore) {
      const steps = allTrials(after).find((x) => x.id === id)!.curve.toArray().map(([s]) => s);
      expect(new Set(steps).size).toBe(steps.length);
    }
    expect(fs.readFileSync(path.join(out, 'results.tsv'), 'utf8').trim().split('\n')).toHaveLength(11);
    expect(processesWithEnv(out)).toEqual([]);
  });

  it('marks trials that died with the machine lost, re-queues their params, and tolerates a torn journal line', async () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN.replace('0.3', '0.4'), 'quad.py': QUADRATIC_PY });
    const out = path.join(dir, '.nightshift', 'crashy');
    const run = cliSpawn(['run', 'campaign.yaml'], dir);
    await waitFor(() => stateOf(out).running.length === 2 && stateOf(out).trial_count >= 3, 30_000, 'two running trials');
    run.child.kill('SIGKILL');
    await run.exited;
    const before = stateOf(out);
    const lostIds = before.running.slice();
    // Simulate a reboot: the trial processes die too, without leaving an exit status.
    for (const id of lostIds) {
      const t = allTrials(before).find((x) => x.id === id)!;
      process.kill(-t.locator!.pid, 'SIGKILL');
    }
    await waitFor(() => processesWithEnv(out).length === 0, 10_000, 'the trial processes to die');
    // The operator had paused it; `resume` must not sit idle forever.
    const lastSeq = events(out).at(-1)!.seq;
    fs.appendFileSync(path.join(out, 'journal.jsonl'), JSON.stringify({ v: 1, seq: lastSeq + 1, t: Date.now(), type: 'operator.pause' }) + '\n');
    // And the supervisor died mid-write.
    fs.appendFileSync(path.join(out, 'journal.jsonl'), '{"v":1,"seq":99999,"t":1,"type":"trial.met');

    const resumed = cli(['resume', 'campaign.yaml', '--max-trials', '4'], dir);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('torn');
    expect(resumed.stdout).toContain('resumed dispatch');
    const after = stateOf(out);
    for (const id of lostIds) {
      const lost = allTrials(after).find((x) => x.id === id)!;
      expect(lost.status).toBe('lost');
      const rerun = allTrials(after).find((x) => x.requeue_of === id)!;
      expect(rerun).toBeDefined();
      expect(rerun.params).toEqual(lost.params);
      expect(['keep', 'discard']).toContain(rerun.status);
    }
    // Lost trials do not count toward the budget: 4 trials were really run to a decision.
    expect(allTrials(after).filter((t) => t.score !== null)).toHaveLength(4);
    // The journal is whole again: every line parses.
    for (const line of fs.readFileSync(path.join(out, 'journal.jsonl'), 'utf8').trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });
});
