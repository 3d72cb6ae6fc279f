// `run --fresh` while another supervisor runs the campaign: refused, exactly as `resume` is.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir, cli, cliSpawn, QUADRATIC_PY, quadraticCampaign, stateOf, waitFor } from '../helpers.js';

describe('one supervisor per campaign', () => {
  it('run --fresh refuses while the campaign is supervised, and leaves the live state alone', async () => {
    const dir = campaignDir({
      'campaign.yaml': quadraticCampaign('locked', 'parallel: 2\nbudget: { trials: 4 }\n').replace('quad.py {x} {y}', 'quad.py {x} {y} 0.3'),
      'quad.py': QUADRATIC_PY,
    });
    const out = path.join(dir, '.nightshift', 'locked');
    const a = cliSpawn(['run', 'campaign.yaml', '--headless'], dir);
    await waitFor(() => stateOf(out).running.length >= 1, 30_000, 'supervisor A to run a trial');

    const fresh = cli(['run', 'campaign.yaml', '--fresh', '--headless'], dir);
    expect(fresh.code).toBe(2);
    expect(fresh.stderr).toContain(`already being supervised by process ${a.child.pid}`);
    expect(fresh.stderr).not.toMatch(/\n\s+at /);
    const resume = cli(['resume', 'campaign.yaml', '--headless'], dir);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toContain('already being supervised');
    // A's state directory was not moved aside, and A finishes its campaign in it.
    expect(fs.readdirSync(path.join(dir, '.nightshift'))).toEqual(['locked']);
    expect(await a.exited).toBe(0);
    const s = stateOf(out);
    expect(s.finished).not.toBeNull();
    expect((s.counts.keep ?? 0) + (s.counts.discard ?? 0)).toBe(4);

    // Once A has gone, --fresh works as before.
    expect(cli(['run', 'campaign.yaml', '--fresh', '--headless', '--max-trials', '1'], dir).code).toBe(0);
    expect(fs.readdirSync(path.join(dir, '.nightshift')).filter((d) => d.startsWith('locked.'))).toHaveLength(1);
  });
});
