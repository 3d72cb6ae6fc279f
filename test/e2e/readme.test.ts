// The README's ledger snippet runs as written against a real export (it once read a file nightshift
// never writes).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir, cli, QUADRATIC_PY, quadraticCampaign, ROOT } from '../helpers.js';

/** The python block that follows the README's marker comment. */
function readmeSnippet(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const m = /<!-- test\/e2e\/readme\.test\.ts runs this block[^>]*-->\s*```python\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README.md lost the marked python block');
  return m[1];
}

describe('README', () => {
  it('its ledger snippet reads what `nightshift export` writes', () => {
    const dir = campaignDir({ 'campaign.yaml': quadraticCampaign('readme', 'budget: { trials: 3 }\n'), 'quad.py': QUADRATIC_PY });
    expect(cli(['run', 'campaign.yaml'], dir).code).toBe(0);
    // The command the README gives, as written.
    const exportLine = /`(nightshift export campaign\.yaml --format csv -o ledger\.csv)`/.exec(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    expect(exportLine).not.toBeNull();
    expect(cli(exportLine![1].split(' ').slice(1), dir).code).toBe(0);
    const out = execFileSync('python3', ['-c', readmeSnippet()], { cwd: dir, encoding: 'utf8' });
    expect(out).toMatch(/^3 trials; best \d+ [\d.e-]+\n$/);
  });
});
