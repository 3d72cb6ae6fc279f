// Trials judged at the same time (a slow evaluator, as over SSH) are each decided against the
// incumbent as it is when their verdict is made, not as it was when their evaluation began.
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { campaignDir, cli, events } from '../helpers.js';
import type { EventOf } from '../../src/events.js';

const TRIAL = `import os, sys
open(os.path.join(os.environ["NIGHTSHIFT_TRIAL_DIR"], "score"), "w").write(f"loss: {float(sys.argv[1]):.4f}\\n")
`;

describe('a slow evaluator', () => {
  it('leaves one baseline: later verdicts compare with the trials decided meanwhile', () => {
    const dir = campaignDir({
      'trial.py': TRIAL,
      'campaign.yaml': `name: slow-eval
command: python3 trial.py {x}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
parallel: 4
budget: { trials: 8 }
evaluate: sleep 0.4; cat "$NIGHTSHIFT_TRIAL_DIR/score"
`,
    });
    const r = cli(['run', 'campaign.yaml', '--headless'], dir);
    expect(r.code).toBe(0);
    const decided = events(path.join(dir, '.nightshift', 'slow-eval')).filter((e): e is EventOf<'trial.decided'> => e.type === 'trial.decided');
    expect(decided).toHaveLength(8);
    expect(decided.filter((e) => /first scored trial/.test(e.reason))).toHaveLength(1);
  });
});
