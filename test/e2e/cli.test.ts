// The CLI as a user runs it: exit codes, headless output, report, export, state layout.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir, cli, cliSpawn, QUADRATIC_PY, stateOf, waitFor, processesWithEnv } from '../helpers.js';

const CAMPAIGN = `name: sweep
command: python3 quad.py {x} {y}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: -1, high: 1 }
  y: { type: float, low: -1, high: 1 }
  opt: { type: categorical, choices: [sgd, adam] }
parallel: 2
budget: { trials: 6 }
`;

describe('nightshift run / report / export', () => {
  it('runs headless, writes the state directory and exits 0', () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN, 'quad.py': QUADRATIC_PY });
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const r = cli(['run', 'campaign.yaml', '--headless', '--seed', '5'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/campaign sweep: metric loss \(minimize\), proposer random, 2 slots, 6 trials/);
    expect(lines.filter((l) => / #\d+ start /.test(l))).toHaveLength(6);
    expect(lines.filter((l) => / #\d+ (keep|discard) /.test(l))).toHaveLength(6);
    expect(r.stdout).toContain('★ new best #');
    expect(r.stdout).toMatch(/finished: trial budget reached: 6 trials\. Trials: 6 \(/);

    const out = path.join(dir, '.nightshift', 'sweep');
    for (const f of ['journal.jsonl', 'results.tsv', 'trials/1/output.log', 'trials/1/params.json']) expect(fs.existsSync(path.join(out, f))).toBe(true);
    expect(fs.readFileSync(path.join(dir, '.git', 'info', 'exclude'), 'utf8')).toContain('.nightshift/');
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' })).not.toContain('.nightshift');
    expect(stateOf(out).seed).toBe(5);

    // A second run refuses to clobber the journal.
    const again = cli(['run', 'campaign.yaml'], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('nightshift resume');
    // --fresh keeps the old state aside.
    expect(cli(['run', 'campaign.yaml', '--fresh', '--max-trials', '2'], dir).code).toBe(0);
    expect(fs.readdirSync(path.join(dir, '.nightshift')).filter((d) => d.startsWith('sweep.'))).toHaveLength(1);
    expect(stateOf(out).counted).toBe(2);
  });

  it('report and export read the ledger, also as JSON, CSV and TSV', () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN, 'quad.py': QUADRATIC_PY });
    expect(cli(['run', 'campaign.yaml', '--out', 'state'], dir).code).toBe(0);

    const report = cli(['report', 'campaign.yaml', '--out', 'state'], dir);
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/campaign sweep — FINISHED/);
    expect(report.stdout).toMatch(/best: #\d+ loss=/);
    expect(report.stdout).toMatch(/trials: \d+ \(.*keep/);

    const json = JSON.parse(cli(['report', 'campaign.yaml', '--out', 'state', '--json'], dir).stdout);
    expect(json.state).toBe('FINISHED');
    expect(json.best.score).toBe(Math.min(...json.trials.filter((t: { score: number | null }) => t.score !== null).map((t: { score: number }) => t.score)));

    const jsonl = cli(['export', 'campaign.yaml', '--out', 'state', '--format', 'jsonl'], dir).stdout.trim().split('\n').map((l) => JSON.parse(l));
    const scored = jsonl.filter((r) => r.status === 'keep' || r.status === 'discard');
    expect(scored).toHaveLength(6);
    for (const r of scored) {
      expect(Object.keys(r).sort()).toEqual(['commit', 'evaluator_hash', 'fingerprint', 'finished_at', 'frozen_hash', 'host', 'id', 'metrics', 'params', 'proposer', 'reason', 'score', 'started_at', 'status'].sort());
      expect(new Date(r.started_at).toISOString()).toBe(r.started_at);
      expect(typeof r.score).toBe('number');
      expect(r.metrics.loss).toBe(r.score);
    }

    const csv = cli(['export', 'campaign.yaml', '--out', 'state', '--format', 'csv'], dir).stdout.trim().split('\n');
    expect(csv[0].split(',')).toEqual(expect.arrayContaining(['id', 'status', 'score', 'param.x', 'param.y', 'param.opt', 'metric.loss']));
    expect(csv.length).toBe(jsonl.length + 1);
    const file = path.join(dir, 'ledger.tsv');
    expect(cli(['export', 'campaign.yaml', '--out', 'state', '--format', 'tsv', '-o', file], dir).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8').split('\n')[0].split('\t')).toContain('param.opt');
  });

  it('exits 2 with one clear paragraph on bad usage and bad campaign files', () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN.replace('budget: { trials: 6 }', 'budget: { trails: 6 }'), 'quad.py': QUADRATIC_PY });
    const bad = cli(['run', 'campaign.yaml'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('budget.trails');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(cli(['run'], dir).code).toBe(2);
    expect(cli(['frobnicate'], dir).code).toBe(2);
    expect(cli(['export', 'campaign.yaml', '--format', 'xml'], dir).code).toBe(2);
    const missing = cli(['report', 'nope.yaml'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml');
    expect(cli(['--help'], dir).code).toBe(0);
  });

  it('exits 130 on Ctrl-C, stops its trials (no orphans) and resume finishes the job', async () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN.replace('quad.py {x} {y}', 'quad.py {x} {y} 0.4'), 'quad.py': QUADRATIC_PY });
    const out = path.join(dir, '.nightshift', 'sweep');
    const run = cliSpawn(['run', 'campaign.yaml'], dir);
    await waitFor(() => stateOf(out).running.length === 2, 20_000, 'two running trials');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.out()).toContain('nightshift resume');
    // No process of the trials is left alive (zombies awaiting their reaper do not count).
    expect(processesWithEnv(out)).toEqual([]);
    const s = stateOf(out);
    // The trials running at the signal (two, unless one finished just then) are lost and re-queued.
    expect(s.counts.lost).toBeGreaterThanOrEqual(1);
    expect(s.trials.flat().filter((t) => t.status === 'lost').every((t) => t.reason.includes('interrupted'))).toBe(true);
    expect(s.queue.length).toBeGreaterThanOrEqual(s.counts.lost!);
    // The operator edits the campaign file before resuming: nightshift says what that means.
    fs.appendFileSync(path.join(dir, 'campaign.yaml'), 'pruner: none\n');
    const r = cli(['resume', 'campaign.yaml', '--max-trials', '3'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('changed since the campaign started');
    expect(allScored(out)).toBe(3);
  });
});

function allScored(out: string): number {
  return stateOf(out).trials.flat().filter((t) => t.score !== null).length;
}
