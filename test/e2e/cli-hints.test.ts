// Small things a user sees at the command line: --version, a torn journal in report, and hints
// that name the campaign file so they can be pasted as they are.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir, cli, QUADRATIC_PY, quadraticCampaign, ROOT } from '../helpers.js';

describe('the command line', () => {
  it('nightshift --version prints the package version', () => {
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
    for (const flag of ['--version', '-v']) {
      const r = cli([flag], ROOT);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });

  it('names the campaign file (and --out) in the hint printed when a campaign finishes', () => {
    const dir = campaignDir({ 'exp/my campaign.yaml': quadraticCampaign('hint', 'budget: { trials: 1 }\n'), 'exp/quad.py': QUADRATIC_PY });
    const r = cli(['run', 'exp/my campaign.yaml', '--headless', '--out', 'st'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("`nightshift report 'exp/my campaign.yaml' --out st`");
  });

  it('report says when the journal ends in a torn line', () => {
    const dir = campaignDir({ 'campaign.yaml': quadraticCampaign('tear', 'budget: { trials: 1 }\n'), 'quad.py': QUADRATIC_PY });
    expect(cli(['run', 'campaign.yaml'], dir).code).toBe(0);
    const whole = cli(['report', 'campaign.yaml'], dir);
    expect(whole.stdout + whole.stderr).not.toMatch(/torn/);
    expect(JSON.parse(cli(['report', 'campaign.yaml', '--json'], dir).stdout).torn_last_line).toBe(false);

    fs.appendFileSync(path.join(dir, '.nightshift', 'tear', 'journal.jsonl'), '{"v":1,"seq":999,"t":1,"type":"trial.met');
    const torn = cli(['report', 'campaign.yaml'], dir);
    expect(torn.code).toBe(0);
    expect(torn.stdout).toMatch(/journal's last line is torn/);
    expect(JSON.parse(cli(['report', 'campaign.yaml', '--json'], dir).stdout).torn_last_line).toBe(true);
  });
});
