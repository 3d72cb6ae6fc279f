// verifyCampaign beyond the chain: kept trials' commits (present, reachable from a ref) in a real git
// repository, and the frozen-set and evaluator hashes each scored trial's fingerprint recorded. The
// journal is written by the real Journal (chained), the commits by real git.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir } from '../helpers.js';
import { Journal } from '../../src/journal.js';
import { frozenSetHash, evaluatorHash } from '../../src/integrity.js';
import { FrozenFiles } from '../../src/frozen.js';
import { loadCampaign } from '../../src/config/load.js';
import { PROPOSERS } from '../../proposers/index.js';
import { verifyCampaign } from '../../src/verify/verify.js';
import type { Fingerprint } from '../../src/events.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).trim();

const CAMPAIGN = `name: commits
command: python3 train.py {x}
evaluate: { command: python3 evaluate.py }
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
frozen: [evaluate.py]
budget: { trials: 4 }
`;

describe('verify: kept commits and scoring hashes', () => {
  it('names a kept commit that is gone or unreachable, and trials scored under other frozen files or another evaluator', () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN, 'evaluate.py': 'print("loss=1")\n', 'train.py': 'pass\n' });
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'base');
    const reachable = git(dir, 'rev-parse', 'HEAD');
    // A commit object no ref contains (what a deleted campaign branch leaves until gc).
    const orphan = git(dir, 'commit-tree', 'HEAD^{tree}', '-m', 'orphan');
    const config = loadCampaign(path.join(dir, 'campaign.yaml'), { proposers: PROPOSERS });
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    const frozenMap = new FrozenFiles(config.workdir, config.frozen).hashAll();
    const evaluator = evaluatorHash(config);
    const fp = (over: Partial<Fingerprint> = {}): Fingerprint => ({ key: 'k', host: 'local', hardware: 'cpu', budget: '{}', frozen: frozenSetHash(frozenMap), evaluator, ...over });
    const j = Journal.create(path.join(out, 'journal.jsonl'));
    j.append({ type: 'campaign.started', name: 'commits', goal: 'minimize', metric: 'loss', seed: 1, proposer: 'random', proposers: ['random'], config_file: config.file, config_hash: 'h', frozen: frozenMap, evaluator, budget: {}, parallel: 1 });
    const trials: Array<[number, string, Fingerprint]> = [
      [1, reachable, fp()],
      [2, 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef', fp()],
      [3, orphan, fp({ frozen: 'f'.repeat(64), evaluator: 'e'.repeat(64) })],
    ];
    for (const [id, commit, fingerprint] of trials) {
      j.append({ type: 'trial.proposed', id, proposer: 'random', proposal: { kind: 'params', params: { x: id / 10 } } });
      j.append({ type: 'trial.prepared', id, commit, base: reachable, workdir: dir });
      j.append({ type: 'trial.started', id, slot: 0, host: 'local', fingerprint });
      j.append({ type: 'trial.finished', id, exit_code: 0, signal: null, duration_ms: 5, metrics: { loss: 1 - id / 10 }, score: 1 - id / 10 });
      j.append({ type: 'trial.decided', id, status: 'keep', reason: 'improved', score: 1 - id / 10, best: true });
    }
    j.close();

    const r = verifyCampaign(config, out);
    expect(r.chain.status).toBe('intact');
    expect(r.commitsChecked).toBe(3);
    expect(r.problems).toHaveLength(4);
    expect(r.problems.join('\n')).not.toContain(`#1`);
    expect(r.problems).toContainEqual(expect.stringMatching(/^Kept trial #2 names commit deadbeef\w+, which does not exist/));
    expect(r.problems).toContainEqual(expect.stringMatching(new RegExp(`^Kept trial #3's commit ${orphan} exists but no branch or ref contains it`)));
    expect(r.problems).toContainEqual(expect.stringMatching(/^Trial\(s\) #3 were scored under a frozen set other than/));
    expect(r.problems).toContainEqual(expect.stringMatching(/^Trial\(s\) #3 were scored under an evaluator other than/));
    // Chain intact and frozen files unchanged, but a scored trial's hashes disagree: not verified either.
    expect(r.winnerVerified).toBe(false);

    // The commits part is left out when asked (report), the rest stays.
    expect(verifyCampaign(config, out, { commits: false }).problems).toHaveLength(2);
  });

  it('changes the evaluator hash when a file its command names changes, not otherwise', () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN, 'evaluate.py': 'print("loss=1")\n', 'train.py': 'pass\n' });
    const load = () => loadCampaign(path.join(dir, 'campaign.yaml'), { proposers: PROPOSERS });
    const before = evaluatorHash(load());
    expect(evaluatorHash(load())).toBe(before);
    fs.writeFileSync(path.join(dir, 'train.py'), 'pass  # not named by the evaluator\n');
    expect(evaluatorHash(load())).toBe(before);
    fs.writeFileSync(path.join(dir, 'evaluate.py'), 'print("loss=0")\n');
    expect(evaluatorHash(load())).not.toBe(before);
  });
});
