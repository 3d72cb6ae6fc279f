// hosts: the remote machines trials run on (issue 10), and the keys that go with them: local,
// host_grace, accept_new_host_keys. A host entry names an ~/.ssh/config alias or gives host/user/
// port itself; it has one slot per GPU (`gpus:`) or `slots: N` for a CPU host.
import { z } from 'zod';
import type { Checker } from '../checker.js';
import { dropNulls, duration, isPlainMap, text, wholeNumber } from '../schema.js';
import type { CampaignConfig, HostEntry } from '../types.js';
import type { Path } from '../words.js';

const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const DEFAULT_GRACE_MS = 60_000;
const DEFAULT_REMOTE_WORKDIR = 'nightshift';

const entrySchema = z.strictObject(
  {
    name: text('the host\'s name: an alias from ~/.ssh/config, or any short name when host: is given'),
    host: text('a host name or address').optional(),
    user: text('a user name').optional(),
    port: wholeNumber(1).max(65535, { error: 'expected a port number from 1 to 65535' }).optional(),
    identity_file: text('a path to a private key file').optional(),
    gpus: z.unknown().optional(),
    slots: wholeNumber(1).optional(),
    workdir: text('a directory on the host (absolute, or relative to the login home)').optional(),
    setup: text('a shell command run before every trial on the host, e.g. source ~/venv/bin/activate').optional(),
    data_dir: text('a directory on the host holding the data (NIGHTSHIFT_DATA_DIR)').optional(),
    sandbox: z.literal('none', { error: 'expected none (run trials on this host without the sandbox when it has no working bwrap); leave it out to require the sandbox there' }).optional(),
  },
  { error: 'expected a host entry like { name: gpu1, gpus: [0, 1], workdir: /scratch/nightshift }' },
);

function checkHostGpus(c: Checker, value: unknown, p: Path): string[] | undefined {
  const list = Array.isArray(value) ? value : null;
  if (!list || list.length === 0) {
    c.expect(p, 'expected a list of GPU indices on that host, e.g. gpus: [0, 1, 2, 3] (one slot per GPU)');
    return undefined;
  }
  const out: string[] = [];
  list.forEach((g, i) => {
    if (typeof g === 'number' && Number.isInteger(g) && g >= 0) out.push(String(g));
    else if (typeof g === 'string' && /^\d+$/.test(g)) out.push(g);
    else c.expect([...p, i], 'expected a GPU index: a whole number ≥ 0 as nvidia-smi lists it');
  });
  if (new Set(out).size !== out.length) {
    c.add(p, 'lists a GPU twice; each GPU is one slot. Remove the repeat and run again.');
    return undefined;
  }
  return out.length === list.length ? out : undefined;
}

/** The hosts keys resolved; nothing at all for a campaign without hosts (the config stays as it was before hosts existed). */
export function checkHosts(c: Checker, root: Record<string, unknown>): Partial<Pick<CampaignConfig, 'hosts' | 'local' | 'host_grace_ms' | 'accept_new_host_keys'>> | undefined {
  const value = root.hosts;
  const hosts: HostEntry[] = [];
  let ok = true;
  if (value !== undefined && value !== null) {
    if (!Array.isArray(value) || value.length === 0) {
      c.expect(['hosts'], 'expected a list of hosts, e.g.\n  hosts:\n    - { name: gpu1, gpus: [0, 1], workdir: /scratch/nightshift }');
      return undefined;
    }
    const seen = new Set<string>();
    value.forEach((raw, i) => {
      const p: Path = ['hosts', i];
      if (typeof raw === 'string') {
        c.expect(p, 'expected a map, not just a name', `Write - { name: ${raw}, slots: 1 } (or gpus: [0, 1] for a GPU host).`);
        ok = false;
        return;
      }
      const e = c.parse(entrySchema, isPlainMap(raw) ? dropNulls(raw) : raw, p);
      if (!e) return void (ok = false);
      if (!HOST_NAME.test(e.name)) {
        c.expect([...p, 'name'], 'expected a name made of letters, digits, `.`, `_` and `-`');
        return void (ok = false);
      }
      if (seen.has(e.name)) {
        c.add([...p, 'name'], `the host ${e.name} is listed twice. Give each entry its own name (and use host: for the address).`);
        return void (ok = false);
      }
      seen.add(e.name);
      if (e.gpus !== undefined && e.slots !== undefined) {
        c.add(p, 'gives both gpus and slots. Use gpus: [..] for a GPU host (one slot per GPU) or slots: N for a CPU host, not both.');
        return void (ok = false);
      }
      const gpus = e.gpus !== undefined ? checkHostGpus(c, e.gpus, [...p, 'gpus']) : [];
      if (!gpus) return void (ok = false);
      hosts.push({
        name: e.name,
        host: e.host,
        user: e.user,
        port: e.port,
        identity_file: e.identity_file,
        gpus,
        slots: gpus.length || e.slots || 1,
        workdir: e.workdir ?? DEFAULT_REMOTE_WORKDIR,
        setup: e.setup,
        data_dir: e.data_dir,
        ...(e.sandbox ? { sandbox: e.sandbox } : {}),
      });
    });
  }
  const local = c.optional(root.local, z.boolean({ error: 'expected true or false (whether local slots run trials too)' }), ['local'], hosts.length === 0);
  if (local === false && hosts.length === 0 && root.local !== undefined) {
    c.add(['local'], 'is false but no hosts: are listed, so no trial could run anywhere. Add hosts: or remove local: false.');
    return undefined;
  }
  const grace = c.optional(root.host_grace, duration(false), ['host_grace'], DEFAULT_GRACE_MS);
  const accept = c.optional(root.accept_new_host_keys, z.boolean({ error: 'expected true or false' }), ['accept_new_host_keys'], false);
  if (!ok || local === undefined || grace === undefined || accept === undefined) return undefined;
  if (hosts.length === 0) return {};
  return { hosts, local, host_grace_ms: grace, accept_new_host_keys: accept };
}
