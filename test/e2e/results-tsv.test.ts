// results.tsv reads as autoresearch's: commit, the primary metric, the secondary metrics the campaign
// names, status, description; crash rows write 0.000000; it is appended per decision and the
// appended file is exactly what a full rebuild from the journal gives.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir, events, stateOf } from '../helpers.js';
import { openExisting, openNew } from '../../src/session.js';
import { decisionOrder, resultsTsv } from '../../src/results-tsv.js';

const CAMPAIGN = `name: tsv
command: sh trial.sh {x}
metric: { name: val_bpb, goal: minimize }
space:
  x: { type: categorical, choices: [1, 2, 3, 4] }
proposer: grid
parallel: 2
budget: { trials: 4 }
results: { columns: [memory_gb] }
`;

// x=3 crashes after printing; the others print the metric, the named secondary and parser noise.
const TRIAL = `echo "step=1 val_bpb=0.$((9 - $1))1234567 memory_gb=4$1.5 mfu=0.3 tok_per_s=123"
if [ "$1" = 3 ]; then echo "CUDA out of memory" >&2; exit 1; fi
echo "noise: 17"
`;

describe('results.tsv', () => {
  it('has autoresearch columns, zeroes for crashes, no parser noise, and appends what a rebuild gives', async () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN, 'trial.sh': TRIAL });
    const session = await openNew(path.join(dir, 'campaign.yaml'), {});
    const outcome = await session.begin();
    session.release();
    expect(outcome.kind).toBe('finished');
    const file = path.join(session.outDir, 'results.tsv');
    const text = fs.readFileSync(file, 'utf8');
    const rows = text.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(rows[0]).toEqual(['commit', 'val_bpb', 'memory_gb', 'status', 'description']);
    expect(rows).toHaveLength(5);
    for (const r of rows) expect(r).toHaveLength(5);
    const byCommit = new Map(rows.slice(1).map((r) => [r[0], r]));
    const crashed = [...byCommit.values()].find((r) => r[3] === 'crash')!;
    expect(crashed.slice(1, 3)).toEqual(['0.000000', '0.0']);
    expect(crashed[4]).toMatch(/x=3/);
    const scored = [...byCommit.values()].filter((r) => r[3] !== 'crash');
    expect(scored).toHaveLength(3);
    for (const r of scored) {
      expect(r[1]).toMatch(/^0\.\d{6}$/); // six decimals, as autoresearch writes val_bpb
      expect(r[2]).toMatch(/^4\d\.5$/);
    }

    // Appended row by row, it equals the full rebuild from the journal, in decision order.
    const layout = { metric: 'val_bpb', columns: ['memory_gb'] };
    const evs = events(session.outDir);
    expect(text).toBe(resultsTsv(stateOf(session.outDir), layout, decisionOrder(evs)));

    // Opening the campaign again rebuilds a lost or torn file from the journal.
    fs.writeFileSync(file, 'commit\tval_bpb\n#1\t0.1');
    const again = await openExisting(path.join(dir, 'campaign.yaml'), {});
    again.release();
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });
});
