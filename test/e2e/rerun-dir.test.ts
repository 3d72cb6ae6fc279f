// A trial run again under the same id (its trial.started line was torn off the journal when the
// supervisor died) must start from an empty directory (issue 7, item 13): before, its output was
// appended to the first run's output.log and the first run's metrics were read as its own.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir, cli, events, stateOf } from '../helpers.js';
import { getTrial } from '../../src/state.js';

// The first two runs report a loss; any later run exits 0 without one (so it must not be scored).
const TRIAL_SH = `n=$(cat "$RUNS" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "$RUNS"
if [ "$n" -le 2 ]; then echo "step=1 loss=$((n * 10)) acc=0.$n"; else echo "run $n prints no metrics"; fi
`;

describe('a trial re-run under the same id', () => {
  it('moves the earlier run\'s directory aside and reads only its own output', () => {
    const dir = campaignDir({
      'campaign.yaml': `name: rerun
command: sh trial.sh
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
budget: { trials: 2 }
`,
      'trial.sh': TRIAL_SH,
    });
    const env = { RUNS: path.join(dir, 'runs') };
    expect(cli(['run', 'campaign.yaml', '--headless'], dir, env).code).toBe(0);
    const out = path.join(dir, '.nightshift', 'rerun');
    const trialDir = path.join(out, 'trials', '2');
    expect(getTrial(stateOf(out), 2)?.score).toBe(20);

    // The supervisor "died" while writing trial 2's start: cut the journal there, torn mid-line.
    const journal = path.join(out, 'journal.jsonl');
    const lines = fs.readFileSync(journal, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"type":"trial.started"') && l.includes('"id":2'));
    expect(at).toBeGreaterThan(0);
    fs.writeFileSync(journal, lines.slice(0, at).join('\n') + '\n' + lines[at].slice(0, 30));
    expect(getTrial(stateOf(out), 2)?.status).toBe('queued');

    const resumed = cli(['resume', 'campaign.yaml', '--headless'], dir, env);
    expect(resumed.code).toBe(0);
    const t = getTrial(stateOf(out), 2)!;
    // Run 3 printed no loss: it is not scored with run 2's 20, and run 2's acc is not its metric.
    expect(t.status).toBe('crash');
    expect(t.score).toBeNull();
    expect(t.last).toEqual({});
    expect(fs.readFileSync(path.join(trialDir, 'output.log'), 'utf8')).toBe('run 3 prints no metrics\n');
    // The earlier run's files are kept beside it, not deleted.
    expect(fs.readFileSync(path.join(out, 'trials', '2.stale-1', 'output.log'), 'utf8')).toBe('step=1 loss=20 acc=0.2\n');
    expect(events(out).filter((e) => e.type === 'trial.started' && e.id === 2)).toHaveLength(1);
  });
});
