// hosts:, local, host_grace, accept_new_host_keys: resolved values and one clear error per mistake.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/config/load.js';
import { PROPOSERS } from '../../proposers/index.js';

const BASE = `name: h
command: python3 t.py {x}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
`;

function load(yaml: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ns-hosts-cfg-'));
  writeFileSync(path.join(dir, 'campaign.yaml'), BASE + yaml);
  return loadCampaign(path.join(dir, 'campaign.yaml'), { proposers: PROPOSERS });
}

describe('hosts:', () => {
  it('resolves entries: a slot per GPU, slots: N, defaults; local off by default beside hosts', () => {
    const c = load(`hosts:
  - name: gpu1
    gpus: [0, 1, 2, 3]
    workdir: /scratch/nightshift
    setup: source ~/venv/bin/activate
  - { name: gpu2, host: 10.0.0.7, user: ml, port: 2222, slots: 2, identity_file: ~/.ssh/lab }
host_grace: 2m
accept_new_host_keys: true
`);
    expect(c.hosts).toEqual([
      { name: 'gpu1', gpus: ['0', '1', '2', '3'], slots: 4, workdir: '/scratch/nightshift', setup: 'source ~/venv/bin/activate' },
      { name: 'gpu2', host: '10.0.0.7', user: 'ml', port: 2222, identity_file: '~/.ssh/lab', gpus: [], slots: 2, workdir: 'nightshift' },
    ]);
    expect([c.local, c.host_grace_ms, c.accept_new_host_keys]).toEqual([false, 120_000, true]);
    expect(load('hosts: [{ name: bare, sandbox: none }]\n').hosts![0].sandbox).toBe('none');
    expect(load(`hosts: [{ name: cpu }]\nlocal: true\n`)).toMatchObject({ local: true, host_grace_ms: 60_000, accept_new_host_keys: false, hosts: [{ name: 'cpu', slots: 1 }] });
    // Without hosts the config is as it always was.
    expect(load('').hosts).toBeUndefined();
  });

  it('says what is wrong with an entry, and where', () => {
    expect(() => load('hosts: gpu1\n')).toThrow(/hosts: expected a list of hosts/);
    expect(() => load('hosts: [gpu1]\n')).toThrow(/hosts\[0\]: expected a map, not just a name.*\{ name: gpu1, slots: 1 \}/);
    expect(() => load('hosts: [{ name: a, gpus: [0], slots: 2 }]\n')).toThrow(/hosts\[0\]: gives both gpus and slots/);
    expect(() => load('hosts: [{ name: a, gpus: [0, 0] }]\n')).toThrow(/hosts\[0\]\.gpus: lists a GPU twice/);
    expect(() => load('hosts: [{ name: a, gpus: [GPU-1] }]\n')).toThrow(/hosts\[0\]\.gpus\[0\]: expected a GPU index/);
    expect(() => load('hosts: [{ name: a }, { name: a }]\n')).toThrow(/hosts\[1\]\.name: the host a is listed twice/);
    expect(() => load('hosts: [{ name: a, port: 70000 }]\n')).toThrow(/hosts\[0\]\.port: expected a port number from 1 to 65535/);
    expect(() => load('hosts: [{ name: a, hostname: x }]\n')).toThrow(/hosts\[0\]\.hostname: unknown key `hostname`. The keys allowed under hosts\[0\] are name, host, user, port/);
    expect(() => load('hosts: [{ name: a, sandbox: bwrap }]\n')).toThrow(/hosts\[0\]\.sandbox: expected none \(run trials on this host without the sandbox/);
    expect(() => load('local: false\n')).toThrow(/local: is false but no hosts: are listed/);
    expect(() => load('hosts: [{ name: a }]\nhost_grace: soon\n')).toThrow(/host_grace: expected a duration/);
    // Code trials run on hosts too: each ships its own commit's tree.
    expect(load('hosts: [{ name: a }]\nmutable: [train.py]\n').mutable).toEqual(['train.py']);
  });
});
