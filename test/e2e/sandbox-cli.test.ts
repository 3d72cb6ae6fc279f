// The sandbox at the CLI: `run` refuses to start (exit 2, one paragraph) when trials would be
// sandboxed and bwrap does not work here, `sandbox: none` runs them unsandboxed, a sandboxed param
// campaign records it in the journal and the report, and `doctor` says whether the sandbox works.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { campaignDir, cli, events } from '../helpers.js';

const CAMPAIGN = (sandbox: string) => `name: boxed
command: echo loss={x}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
proposer: random
budget: { trials: 2 }
${sandbox}
`;

/** PATH with a bwrap in front that fails the way bwrap does without user namespaces. */
function brokenBwrapPath(dir: string): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'bwrap'), '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n', { mode: 0o755 });
  return `${bin}:${process.env.PATH}`;
}

describe('the sandbox at the CLI', () => {
  it('run refuses to start when trials would be sandboxed and bwrap does not work here, saying where and what to do', () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN('sandbox: { network: false }') });
    const r = cli(['run', 'campaign.yaml', '--headless'], dir, { PATH: brokenBwrapPath(dir) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('campaign.yaml: sandbox: every trial runs inside the bubblewrap sandbox, and it does not work on this machine (bwrap: No permissions to create new namespace)');
    expect(r.stderr).toContain('apt-get install bubblewrap');
    expect(r.stderr).toContain('`sandbox: none`');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(path.join(dir, '.nightshift'))).toBe(false);
  });

  it('sandbox: none runs the trials unsandboxed even where bwrap does not work', () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN('sandbox: none') });
    const r = cli(['run', 'campaign.yaml', '--headless'], dir, { PATH: brokenBwrapPath(dir) });
    expect(r.code, r.stderr).toBe(0);
    const started = events(path.join(dir, '.nightshift', 'boxed')).filter((e) => e.type === 'trial.started');
    expect(started).toHaveLength(2);
    for (const e of started) expect(e.type === 'trial.started' && e.sandboxed).toBeFalsy();
  });

  it('a sandbox: mapping sandboxes param trials too; trial.started, report and export say so', () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN('sandbox: { network: false }') });
    expect(cli(['run', 'campaign.yaml', '--headless'], dir).code).toBe(0);
    const started = events(path.join(dir, '.nightshift', 'boxed')).filter((e) => e.type === 'trial.started');
    for (const e of started) expect(e.type === 'trial.started' && e.sandboxed).toBe(true);
    expect(cli(['report', 'campaign.yaml'], dir).stdout).toContain('sandbox: 2 of 2 started trials ran inside the sandbox (bwrap)');
    const csv = cli(['export', 'campaign.yaml', '--format', 'csv'], dir).stdout.split('\n');
    const col = csv[0].split(',').indexOf('sandboxed');
    expect(col).toBeGreaterThan(0);
    expect(csv[1].split(',')[col]).toBe('yes');
    const jsonl = cli(['export', 'campaign.yaml', '--format', 'jsonl'], dir).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(jsonl.every((r) => r.sandboxed === true)).toBe(true);
  });

  it('doctor: the sandbox works here (exit 0); with a bwrap that fails, it says why (exit 1)', () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN('sandbox: { network: false, memory: 64m, processes: 32 }') });
    const ok = cli(['doctor', 'campaign.yaml'], dir);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    // The limits as the campaign file says them (64m, not "0.1 GiB").
    expect(ok.stdout).toContain('every trial runs sandboxed (bwrap), network off, limits asked: memory 64m, processes 32');
    expect(ok.stdout).toMatch(/this machine\s+works/);
    const bad = cli(['doctor'], dir, { PATH: brokenBwrapPath(dir) });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/this machine\s+no/);
    expect(bad.stdout).toContain('the sandbox does not work: bwrap: No permissions to create new namespace');
  });
});
