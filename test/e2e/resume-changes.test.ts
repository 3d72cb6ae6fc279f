// What `resume` keeps from the run it continues: run-time overrides stand, and the keys that define
// the campaign (metric, goal, space, command) cannot change under it; budget and pruner changes can.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir, cli, events, QUADRATIC_PY, quadraticCampaign, stateOf } from '../helpers.js';

const scored = (out: string) => stateOf(out).trials.flat().filter((t) => t.score !== null).length;

describe('resume and run-time overrides', () => {
  it('keeps --max-trials from run until resume is given a new one, and the state shows the budget in force', () => {
    const dir = campaignDir({ 'campaign.yaml': quadraticCampaign('over', 'budget: { trials: 5 }\n'), 'quad.py': QUADRATIC_PY });
    const out = path.join(dir, '.nightshift', 'over');
    expect(cli(['run', 'campaign.yaml', '--max-trials', '2'], dir).code).toBe(0);
    expect(scored(out)).toBe(2);

    // The journal's 2 stands: nothing more runs, although the file says 5.
    const again = cli(['resume', 'campaign.yaml'], dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already finished');
    expect(scored(out)).toBe(2);

    // A new override replaces it, and is itself remembered.
    expect(cli(['resume', 'campaign.yaml', '--max-trials', '3'], dir).code).toBe(0);
    expect(scored(out)).toBe(3);
    expect(stateOf(out).budget.trials).toBe(3);
    const third = cli(['resume', 'campaign.yaml'], dir);
    expect(third.stdout).toContain('already finished');
    expect(scored(out)).toBe(3);
    expect(stateOf(out).counted).toBeLessThanOrEqual(stateOf(out).budget.trials!);
  });

  it('accepts a budget change in the campaign file, and shows the new budget', () => {
    const dir = campaignDir({ 'campaign.yaml': quadraticCampaign('grow', 'budget: { trials: 2 }\n'), 'quad.py': QUADRATIC_PY });
    const out = path.join(dir, '.nightshift', 'grow');
    expect(cli(['run', 'campaign.yaml'], dir).code).toBe(0);
    fs.writeFileSync(path.join(dir, 'campaign.yaml'), quadraticCampaign('grow', 'budget: { trials: 3 }\npruner: none\n'));
    const r = cli(['resume', 'campaign.yaml'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('changed since the campaign started');
    expect(scored(out)).toBe(3);
    expect(stateOf(out).budget.trials).toBe(3);
  });
});

describe('resume refuses a campaign file whose campaign changed', () => {
  const base = quadraticCampaign('same', 'budget: { trials: 1 }\n');
  const edits: Array<[string, string, string]> = [
    ['metric.goal', 'metric: { name: loss, goal: minimize }', 'metric: { name: loss, goal: maximize }'],
    ['metric.name', 'metric: { name: loss, goal: minimize }', 'metric: { name: val_loss, goal: minimize }'],
    ['space.x', 'x: { type: float, low: -1, high: 1 }', 'x: { type: float, low: -2, high: 1 }'],
    ['space.z', '  y: { type: float, low: -1, high: 1 }', '  y: { type: float, low: -1, high: 1 }\n  z: { type: int, low: 1, high: 3 }'],
    ['command', 'python3 quad.py {x} {y}', 'python3 quad.py {y} {x}'],
  ];

  it.each(edits)('refuses a change of %s, naming it and what to do', (key, from, to) => {
    const dir = campaignDir({ 'campaign.yaml': base, 'quad.py': QUADRATIC_PY });
    const out = path.join(dir, '.nightshift', 'same');
    expect(cli(['run', 'campaign.yaml'], dir).code).toBe(0);
    const before = events(out).length;
    const edited = base.replace(from, to).replace('budget: { trials: 1 }', 'budget: { trials: 2 }');
    expect(edited).not.toBe(base);
    fs.writeFileSync(path.join(dir, 'campaign.yaml'), edited);
    const r = cli(['resume', 'campaign.yaml', '--max-trials', '2'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(key);
    expect(r.stderr).toContain('--fresh');
    expect(r.stderr).toContain('new campaign');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // Nothing was appended: the campaign was not touched.
    expect(events(out).length).toBe(before);
  });
});
