// samples/tiny-mlp across two SSH hosts, end to end (slow: real training on real sshds): the
// sample's own files copied as a clean clone has them, the commented `hosts:` block of its
// campaign.yaml uncommented with a loopback sshd (an ~/.ssh/config alias) and a host in a network
// namespace (by address) in place of the examples, and `nightshift run` through the CLI. Trials run
// on both hosts and are scored by the frozen evaluator there.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAsync, events, ROOT, stateOf } from '../helpers.js';
import { allTrials } from '../../src/state.js';
import type { EventOf } from '../../src/events.js';
import { startSshd, sshdUnavailable, type Sshd } from '../harness/sshd.js';
import { netnsUnavailable, startNetnsHost, type NetnsHost } from '../harness/netns.js';

const SAMPLE = path.join(ROOT, 'samples', 'tiny-mlp');
const skip = sshdUnavailable() ?? netnsUnavailable();
if (skip) console.warn(`tiny-mlp over two hosts skipped: ${skip}`);

describe.skipIf(skip)('samples/tiny-mlp across two hosts', () => {
  let a: Sshd;
  let b: NetnsHost;
  beforeAll(async () => {
    a = await startSshd();
    b = await startNetnsHost(a, { name: 'gpu2' });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('runs on a loopback host and a namespace host from the sample\'s own hosts: example', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-tiny-mlp-'));
    for (const f of ['campaign.yaml', 'train.py', 'data.py', 'evaluate.py']) fs.copyFileSync(path.join(SAMPLE, f), path.join(dir, f));
    const wa = a.remoteDir();
    const wb = b.remoteDir();
    // The documented example, uncommented, with this machine's hosts in place of gpu1 and box2.
    const example: Array<[string, string]> = [
      ['# hosts:', 'hosts:'],
      ['#   - { name: gpu1, slots: 2, workdir: /scratch/nightshift }', `  - { name: ${a.alias}, slots: 1, workdir: ${wa} }`],
      ['#   - { name: box2, host: 10.0.0.7, user: ml, slots: 2 }', `  - { name: box2, host: ${b.address}, user: ${b.user}, slots: 1, workdir: ${wb} }`],
      ['# host_grace: 60s', 'host_grace: 60s'],
    ];
    const lines = fs.readFileSync(path.join(dir, 'campaign.yaml'), 'utf8').split('\n');
    for (const [from, to] of example) {
      const i = lines.findIndex((l) => l.startsWith(from));
      expect(i, `the sample's campaign.yaml has the line ${from}`).toBeGreaterThan(-1);
      lines[i] = to;
    }
    fs.writeFileSync(path.join(dir, 'campaign.yaml'), lines.join('\n'));

    const env = { HOME: a.home, SSH_AUTH_SOCK: '' };
    const hosts = await cliAsync(['hosts', 'campaign.yaml'], dir, env);
    expect(hosts.code).toBe(0);
    expect(hosts.stdout).toContain('2 of 2 hosts usable.');
    const r = await cliAsync(['run', 'campaign.yaml', '--headless', '--max-trials', '4'], dir, env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = path.join(dir, '.nightshift', 'tiny-mlp');
    const started = events(out).filter((e): e is EventOf<'trial.started'> => e.type === 'trial.started');
    expect(new Set(started.map((e) => e.locator!.host))).toEqual(new Set([a.alias, 'box2']));
    const trials = allTrials(stateOf(out));
    expect(trials).toHaveLength(4);
    for (const t of trials) {
      expect(['keep', 'discard']).toContain(t.status);
      expect(t.score).toBeGreaterThan(0);
      expect(t.curve.length).toBeGreaterThan(5);
      // Scored by the frozen evaluator on the trial's host, from the predictions written there.
      expect(fs.existsSync(path.join(t.locator!.dir, 'predictions.json'))).toBe(true);
      expect(fs.readFileSync(path.join(t.locator!.dir, 'evaluate.log'), 'utf8')).toMatch(/^val_loss: [\d.]+$/m);
    }
  }, 240_000);
});
