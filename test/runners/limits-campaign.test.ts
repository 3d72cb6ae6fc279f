// A campaign with sandbox memory: and processes: limits, end to end on this machine: the trial that
// fills memory and the one that forks without end are crashes named after the limit, the trial
// within its limits is scored as usual, and no cgroup is left behind.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir } from '../helpers.js';
import { openNew } from '../../src/session.js';
import { getTrial } from '../../src/state.js';
import { limitsName } from '../../runners/sandbox/limits.js';

const TRAIN = `import os, time
i = int(os.environ["NIGHTSHIFT_TRIAL_ID"])
if i == 2:
    x = [bytearray(1 << 20) for _ in range(500)]
if i == 3:
    while True:
        try:
            os.fork()
        except OSError:
            time.sleep(0.01)
print(f"loss={0.5 / i}", flush=True)
`;

/** Every cgroup directory whose name starts nightshift-, on whichever cgroup mounts this machine has. */
function leftovers(): string[] {
  const out: string[] = [];
  for (const root of ['/sys/fs/cgroup/pids', '/sys/fs/cgroup/memory', '/sys/fs/cgroup/unified', '/sys/fs/cgroup']) {
    try {
      const walk = (d: string, depth: number) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          if (!e.isDirectory()) continue;
          if (e.name.startsWith('nightshift-')) out.push(path.join(d, e.name));
          else if (depth < 3) walk(path.join(d, e.name), depth + 1);
        }
      };
      walk(root, 0);
    } catch {
      // Not mounted here.
    }
  }
  return out;
}

describe('a campaign with sandbox limits', () => {
  it('memory: and processes: end trials as crashes with the limit as reason; within limits a trial scores', async () => {
    const dir = campaignDir({
      'campaign.yaml': `name: limits
command: python3 train.py
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
budget: { trials: 3 }
sandbox: { trials: all, memory: 64m, processes: 32 }
`,
      'train.py': TRAIN,
    });
    const session = await openNew(path.join(dir, 'campaign.yaml'), {});
    await session.begin();
    session.release();
    const s = session.store.getState();
    expect(getTrial(s, 1)).toMatchObject({ status: 'keep', score: 0.5 });
    expect(getTrial(s, 2)).toMatchObject({ status: 'crash', reason: 'out of memory limit (64m)' });
    expect(getTrial(s, 3)).toMatchObject({ status: 'crash', reason: 'process limit (32) reached' });
    const names = [1, 2, 3].map((i) => limitsName(getTrial(s, i)!.locator!.dir));
    expect(leftovers().filter((d) => names.includes(path.basename(d)))).toEqual([]);
  }, 180_000);
});
