// A diverged run is a crash, never a score: with the documented nanoGPT metric.pattern, a trial
// whose loss ends in nan after finite values must not be scored by its last finite value.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir, ROOT } from '../helpers.js';
import { openNew } from '../../src/session.js';
import { getTrial } from '../../src/state.js';
import { nonFiniteReading } from '../../src/engine/fate.js';

/** The pattern docs/campaign-file.md gives for nanoGPT's log line, exactly as documented. */
function documentedPattern(): string {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'campaign-file.md'), 'utf8');
  const m = /^\s*pattern: '(.*)'\s+# nanoGPT's log line$/m.exec(doc);
  if (!m) throw new Error('docs/campaign-file.md no longer documents a nanoGPT pattern');
  return m[1];
}

// nanoGPT's train.py prints this line at every eval; trial 2 diverges.
const TRAIN = `import os
i = int(os.environ["NIGHTSHIFT_TRIAL_ID"])
vals = [2.5, 2.1, 1.9, 1.8] if i == 1 else [2.4, 1.2, 0.9, float("nan"), float("nan")]
for n, v in enumerate(vals):
    print(f"step {n * 100}: train loss {v:.4f}, val loss {v:.4f}", flush=True)
`;

describe('a diverging run', () => {
  it('is a crash when its loss ends in nan after finite values (documented nanoGPT pattern)', async () => {
    const pattern = documentedPattern();
    const dir = campaignDir({
      'campaign.yaml': `name: diverge
command: python3 train.py
metric:
  name: val_loss
  goal: minimize
  pattern: '${pattern}'
space:
  x: { type: float, low: 0, high: 1 }
budget: { trials: 2 }
`,
      'train.py': TRAIN,
    });
    const session = await openNew(path.join(dir, 'campaign.yaml'), {});
    await session.begin();
    session.release();
    const s = session.store.getState();
    expect(getTrial(s, 1)!.status).toBe('keep');
    expect(getTrial(s, 1)!.score).toBeCloseTo(1.8, 6);
    const t2 = getTrial(s, 2)!;
    expect(t2.status).toBe('crash');
    expect(t2.score).toBeNull();
    expect(t2.reason).toMatch(/val_loss is NaN/);
    expect(s.best).toBe(1);
  });

  it('NaN or inf anywhere in the final reading is the crash reason', () => {
    expect(nonFiniteReading({ loss: 0.5, grad_norm: Infinity })).toBe('grad_norm is Infinity');
    expect(nonFiniteReading({ loss: NaN })).toBe('loss is NaN');
    expect(nonFiniteReading({ loss: null as unknown as number })).toMatch(/not a finite number/);
    expect(nonFiniteReading({ loss: 0.5, acc: 0.9 })).toBeNull();
  });
});
