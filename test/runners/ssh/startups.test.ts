// Connection bursts against a server whose MaxStartups is small: more connections wanted at once
// than it lets through unauthenticated. Each one comes up (its handshake waits its turn, or is
// retried after the server drops it) and none is reported down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostConnection } from '../../../runners/ssh/connection.js';
import { resolveTarget } from '../../../runners/ssh/target.js';
import { startSshd, sshdUnavailable, type Sshd } from '../../harness/sshd.js';

const skip = sshdUnavailable();
if (skip) console.warn(`SSH MaxStartups tests skipped: ${skip}`);

describe.skipIf(skip)('connection bursts under MaxStartups', () => {
  let sshd: Sshd;
  const conns: HostConnection[] = [];
  beforeAll(async () => {
    process.env.SSH_AUTH_SOCK = '';
    sshd = await startSshd({ maxStartups: 2 });
  });
  afterAll(async () => {
    for (const c of conns) c.close();
    await sshd?.stop();
  });

  it('brings up 12 connections opened at once to a server with MaxStartups 2, none reported down', async () => {
    const downs: string[] = [];
    for (let i = 0; i < 12; i++) {
      const target = resolveTarget({ name: sshd.alias }, { acceptNewHostKeys: false, home: sshd.home });
      conns.push(new HostConnection(target, { up() {}, down: (why) => downs.push(why) }));
    }
    for (const c of conns) c.start();
    await Promise.all(conns.map((c) => c.ready(60_000)));
    expect(downs).toEqual([]);
    // Each one works.
    const outs = await Promise.all(conns.map((c) => c.exec('echo ok')));
    expect(outs.map((o) => o.stdout.toString().trim())).toEqual(Array(12).fill('ok'));
  }, 90_000);
});
