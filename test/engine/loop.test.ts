// The loop's classic invariants, on real child processes and a real journal.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir, events, QUADRATIC_PY, stateOf } from '../helpers.js';
import { openNew } from '../../src/session.js';
import { allTrials, replay } from '../../src/state.js';
import type { NightshiftEvent } from '../../src/events.js';

function campaign(extra: string, goal = 'minimize', trials = 12): string {
  return `name: inv
command: python3 quad.py {x} {y}
metric: { name: loss, goal: ${goal} }
space:
  x: { type: float, low: -1, high: 1 }
  y: { type: float, low: -1, high: 1 }
parallel: 2
seed: 7
budget: { trials: ${trials} }
${extra}`;
}

async function runToEnd(dir: string, file = 'campaign.yaml') {
  const session = await openNew(path.join(dir, file), {});
  const outcome = await session.begin();
  session.release();
  return { outcome, outDir: session.outDir, state: session.store.getState() };
}

/** Scores of trials as they became best, in decision order. */
function bestSequence(evs: NightshiftEvent[]): number[] {
  return evs.flatMap((e) => (e.type === 'trial.decided' && e.best && e.score !== null ? [e.score] : []));
}

describe('the loop', () => {
  it('keeps the brute-force best of everything scored, with a monotone best-so-far', async () => {
    const dir = campaignDir({ 'campaign.yaml': campaign(''), 'quad.py': QUADRATIC_PY });
    const { outcome, outDir, state } = await runToEnd(dir);
    expect(outcome).toEqual({ kind: 'finished', reason: 'trial budget reached: 12 trials' });

    const scored = allTrials(state).filter((t) => t.score !== null);
    expect(scored.length).toBe(12);
    const bruteForce = scored.reduce((a, b) => (b.score! < a.score! ? b : a));
    expect(state.best).toBe(bruteForce.id);
    // The final score is the last reported value, and it matches the objective for the params.
    const p = bruteForce.params as { x: number; y: number };
    expect(bruteForce.score).toBeCloseTo((p.x - 0.3) ** 2 + (p.y + 0.2) ** 2, 5);

    const seq = bestSequence(events(outDir));
    expect(seq.length).toBeGreaterThan(0);
    for (let i = 1; i < seq.length; i++) expect(seq[i]).toBeLessThan(seq[i - 1]);
    // Exactly the trials that became best are kept; every other scored trial is discarded.
    for (const t of scored) expect(t.status).toBe(t.best ? 'keep' : 'discard');

    // Replaying the journal reproduces the state the live store ended with.
    const replayed = stateOf(outDir);
    expect(replayed.best).toBe(state.best);
    expect(allTrials(replayed).map((t) => [t.id, t.status, t.score, t.reason])).toEqual(
      allTrials(state).map((t) => [t.id, t.status, t.score, t.reason]),
    );
    // Every trial has its files and results.tsv lists every decided trial.
    for (const t of scored) {
      expect(JSON.parse(fs.readFileSync(path.join(outDir, 'trials', String(t.id), 'params.json'), 'utf8'))).toEqual(t.params);
      expect(fs.readFileSync(path.join(outDir, 'trials', String(t.id), 'output.log'), 'utf8')).toContain('loss: ');
    }
    expect(fs.readFileSync(path.join(outDir, 'results.tsv'), 'utf8').trim().split('\n')).toHaveLength(13);
  });

  it('finds the other extreme when the goal is flipped', async () => {
    const dir = campaignDir({ 'campaign.yaml': campaign('', 'maximize'), 'quad.py': QUADRATIC_PY });
    const { state, outDir } = await runToEnd(dir);
    const scored = allTrials(state).filter((t) => t.score !== null);
    const bruteForce = scored.reduce((a, b) => (b.score! > a.score! ? b : a));
    expect(state.best).toBe(bruteForce.id);
    const seq = bestSequence(events(outDir));
    for (let i = 1; i < seq.length; i++) expect(seq[i]).toBeGreaterThan(seq[i - 1]);
  });

  it('ignores a score the trial prints for itself when an evaluator is set', async () => {
    // The trial claims loss=-1000; only the frozen evaluator's number counts.
    const cheat = `import sys\nprint("loss: -1000", flush=True)\nprint("step=1 loss=-999")\n`;
    const evaluator = `import json, os
p = json.load(open(os.path.join(os.environ["NIGHTSHIFT_TRIAL_DIR"], "params.json")))
print(f"loss={(p['x'] - 0.3) ** 2 + (p['y'] + 0.2) ** 2:.6f}")
`;
    const dir = campaignDir({
      'campaign.yaml': campaign('evaluate: python3 evaluate.py\nfrozen: [evaluate.py]', 'minimize', 4).replace('quad.py {x} {y}', 'cheat.py'),
      'cheat.py': cheat,
      'evaluate.py': evaluator,
    });
    const { state } = await runToEnd(dir);
    const scored = allTrials(state).filter((t) => t.score !== null);
    expect(scored).toHaveLength(4);
    for (const t of scored) {
      const p = t.params as { x: number; y: number };
      expect(t.score).toBeGreaterThanOrEqual(0);
      expect(t.score).toBeCloseTo((p.x - 0.3) ** 2 + (p.y + 0.2) ** 2, 5);
    }
  });

  it('makes trials invalid, never scored, once a frozen file changes', async () => {
    // Trial 3 tampers with the frozen data file; from then on nothing may be scored.
    const tamper = `import os, sys
if os.environ["NIGHTSHIFT_TRIAL_ID"] == "3":
    open("data/labels.txt", "a").write("tampered\\n")
print("loss: 0.5")
`;
    const dir = campaignDir({
      'campaign.yaml': campaign('frozen: [data/**]', 'minimize', 6).replace('quad.py {x} {y}', 'tamper.py').replace('parallel: 2', 'parallel: 1'),
      'tamper.py': tamper,
      'data/labels.txt': 'a\nb\n',
    });
    const { state } = await runToEnd(dir);
    const trials = allTrials(state).filter((t) => t.status !== 'queued');
    expect(trials.map((t) => t.status)).toEqual(['keep', 'discard', 'invalid', 'invalid', 'invalid', 'invalid']);
    for (const t of trials.slice(2)) {
      expect(t.score).toBeNull();
      expect(t.reason).toContain('data/labels.txt');
    }
  });

  it('labels crashes, NaN scores and missing metrics with their reasons', async () => {
    const script = `import os, sys
i = int(os.environ["NIGHTSHIFT_TRIAL_ID"])
if i == 1: print("loss: 0.25")
if i == 2:
    print("Traceback: ValueError: bad shape", file=sys.stderr); sys.exit(3)
if i == 3: print("loss: nan")
if i == 4: print("nothing to see")
`;
    const dir = campaignDir({
      'campaign.yaml': campaign('', 'minimize', 4).replace('quad.py {x} {y}', 'mixed.py').replace('parallel: 2', 'parallel: 1'),
      'mixed.py': script,
    });
    const { state } = await runToEnd(dir);
    const byId = Object.fromEntries(allTrials(state).map((t) => [t.id, t]));
    expect(byId[1].status).toBe('keep');
    expect(byId[2].status).toBe('crash');
    expect(byId[2].reason).toContain('exit code 3');
    expect(byId[2].reason).toContain('ValueError: bad shape');
    expect(byId[3].status).toBe('crash');
    expect(byId[3].reason).toContain('NaN');
    expect(byId[4].status).toBe('crash');
    expect(byId[4].reason).toContain('no loss');
  });

  it('scores an unmodified autoresearch-style train.py with no pattern', async () => {
    // karpathy/autoresearch prints a progress line per step, then a summary block after '---'.
    const train = `import os
lr = float(os.environ.get("LR", "0"))
for step in range(3):
    print(f"step {step:05d} (10.0%) | loss: {3.5 - step * 0.1:.6f} | lrm: 1.00 | dt: 312ms | tok/sec: 1,048,576 | mfu: 38.2% | epoch: 1 | remaining: 270s")
print("---")
print(f"val_bpb:          {0.99 + lr:.6f}")
print("training_seconds: 300.1")
print("peak_vram_mb:     45060.2")
print("mfu_percent:      38.21")
`;
    const dir = campaignDir({
      'campaign.yaml': campaign('', 'minimize', 2)
        .replace('quad.py {x} {y}', 'train.py')
        .replace('name: loss', 'name: val_bpb')
        .replace('parallel: 2', 'parallel: 1\nenv: { LR: "0.001" }'),
      'train.py': train,
    });
    const { state } = await runToEnd(dir);
    const t = allTrials(state)[0];
    expect(t.status).toBe('keep');
    expect(t.score).toBeCloseTo(0.991, 6);
    expect(t.metrics.peak_vram_mb).toBe(45060.2);
  });

  it('times out a trial cooperatively and records status timeout', async () => {
    const slow = `import time\nprint("step=1 loss=1.0", flush=True)\ntime.sleep(30)\n`;
    const dir = campaignDir({
      'campaign.yaml': campaign('kill_grace: 1s', 'minimize', 1)
        .replace('quad.py {x} {y}', 'slow.py')
        .replace('budget: { trials: 1 }', 'budget: { trials: 1, trial_timeout: 1s }'),
      'slow.py': slow,
    });
    const started = Date.now();
    const { state } = await runToEnd(dir);
    const t = allTrials(state)[0];
    expect(t.status).toBe('timeout');
    expect(t.reason).toContain('trial_timeout');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('stops at the target and on patience', async () => {
    const dir = campaignDir({
      'campaign.yaml': campaign('', 'minimize', 200).replace('budget: { trials: 200 }', 'budget: { trials: 200, target: 0.2 }'),
      'quad.py': QUADRATIC_PY,
    });
    const { outcome, state } = await runToEnd(dir);
    expect(outcome.kind).toBe('finished');
    expect((outcome as { reason: string }).reason).toContain('target reached');
    expect(state.trial_count).toBeLessThan(200);

    const dir2 = campaignDir({
      'campaign.yaml': campaign('', 'minimize', 200).replace('budget: { trials: 200 }', 'budget: { trials: 200, patience: 3 }'),
      'quad.py': QUADRATIC_PY,
    });
    const r2 = await runToEnd(dir2);
    expect((r2.outcome as { reason: string }).reason).toContain('no improvement in 3 trials');
    expect(r2.state.since_improvement).toBeGreaterThanOrEqual(3);
  });
});

describe('replay', () => {
  it('is deterministic: folding the same events twice gives equal states', async () => {
    const dir = campaignDir({ 'campaign.yaml': campaign('', 'minimize', 4), 'quad.py': QUADRATIC_PY });
    const { outDir } = await runToEnd(dir);
    const evs = events(outDir);
    const a = replay(evs);
    const b = replay(evs);
    expect(allTrials(a).map((t) => ({ ...t, curve: t.curve.toArray() }))).toEqual(allTrials(b).map((t) => ({ ...t, curve: t.curve.toArray() })));
  });
});
