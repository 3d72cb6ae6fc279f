// The ~/.ssh/config reader and known_hosts matching (plain, hashed, patterns, ports, markers).
import { describe, expect, it } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveSshConfig } from '../../../runners/ssh/ssh-config.js';
import { checkHostKey, knownHostsName, knownKeyTypes, refusalMessage } from '../../../runners/ssh/known-hosts.js';
import { resolveTarget } from '../../../runners/ssh/target.js';

const HOME = '/home/me';

describe('~/.ssh/config', () => {
  const text = `# global
User fallback
Host gpu?  !gpu9
  HostName %h.lab.example
  Port 2222
  IdentityFile ~/.ssh/lab_%r
Host gpu1
  User ml
  Port 22
Host bastion
  HostName 10.0.0.1
Host *
  ProxyJump bastion
  IdentityFile ~/.ssh/id_ed25519
Match host gpu1
  User never
`.split('\n');

  it('takes the first value per key across matching Host blocks, accumulates identity files, expands tokens', () => {
    expect(resolveSshConfig(text, 'gpu1', HOME)).toEqual({
      hostName: 'gpu1.lab.example',
      user: 'fallback',
      port: 2222,
      identityFiles: ['/home/me/.ssh/lab_fallback', '/home/me/.ssh/id_ed25519'],
      proxyJump: 'bastion',
      userKnownHostsFiles: [],
    });
  });

  it('honours negated patterns and leaves unknown names to the defaults', () => {
    const gpu9 = resolveSshConfig(text, 'gpu9', HOME);
    expect([gpu9.hostName, gpu9.port, gpu9.proxyJump, gpu9.user]).toEqual([undefined, undefined, 'bastion', 'fallback']);
    expect(resolveSshConfig(['Host other', '  Port 1'], 'gpu1', HOME)).toEqual({ identityFiles: [], userKnownHostsFiles: [] });
  });

  it('resolves a hosts: entry over the alias, the entry winning, and follows ProxyJump', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-sshcfg-'));
    fs.mkdirSync(path.join(home, '.ssh'));
    fs.writeFileSync(path.join(home, '.ssh', 'config'), 'Host gpu3\n  HostName 10.1.1.3\n  User ml\n  ProxyJump admin@bastion:2200\nHost bastion\n  HostName 10.0.0.1\n');
    const t = resolveTarget({ name: 'gpu3', port: 2022 }, { acceptNewHostKeys: false, home });
    expect(t).toMatchObject({ name: 'gpu3', host: '10.1.1.3', port: 2022, user: 'ml', knownHostsFiles: [path.join(home, '.ssh', 'known_hosts'), path.join(home, '.ssh', 'known_hosts2')] });
    expect(t.proxyJump).toMatchObject({ name: 'bastion', host: '10.0.0.1', port: 2200, user: 'admin' });
    expect(t.identityFiles).toEqual(['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => path.join(home, '.ssh', f)));
  });
});

describe('known_hosts', () => {
  const key = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), randomBytes(32)]);
  const other = Buffer.concat([key.subarray(0, 19), randomBytes(32)]);
  const b64 = key.toString('base64');
  const file = (text: string) => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ns-kh-')), 'known_hosts');
    fs.writeFileSync(f, text);
    return f;
  };
  const hashed = (name: string) => {
    const salt = randomBytes(20);
    return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  };

  it('matches plain, pattern and hashed entries, with [host]:port for other ports', () => {
    expect(knownHostsName('gpu1', 22)).toBe('gpu1');
    expect(knownHostsName('10.0.0.7', 2222)).toBe('[10.0.0.7]:2222');
    expect(checkHostKey([file(`gpu1,gpu2 ssh-ed25519 ${b64}\n`)], 'gpu2', key)).toEqual({ status: 'ok' });
    expect(checkHostKey([file(`*.lab,!bad.lab ssh-ed25519 ${b64}\n`)], 'a.lab', key)).toEqual({ status: 'ok' });
    expect(checkHostKey([file(`*.lab,!bad.lab ssh-ed25519 ${b64}\n`)], 'bad.lab', key)).toEqual({ status: 'unknown' });
    expect(checkHostKey([file(`${hashed('[10.0.0.7]:2222')} ssh-ed25519 ${b64}\n`)], '[10.0.0.7]:2222', key)).toEqual({ status: 'ok' });
    expect(checkHostKey([file(`${hashed('10.0.0.7')} ssh-ed25519 ${b64}\n`)], '[10.0.0.7]:2222', key)).toEqual({ status: 'unknown' });
    expect(knownKeyTypes([file(`gpu1 ssh-rsa AAAA\ngpu1 ssh-ed25519 ${b64}\n`)], 'gpu1')).toEqual(['ssh-rsa', 'ssh-ed25519']);
  });

  it('calls a different key of the same type changed, says what to run, and refuses revoked keys', () => {
    const f = file(`# comment\ngpu1 ssh-ed25519 ${other.toString('base64')}\n`);
    const changed = checkHostKey([f], 'gpu1', key);
    expect(changed).toEqual({ status: 'changed', file: f, line: 2 });
    const msg = refusalMessage(changed, { host: 'gpu1', name: 'gpu1', port: 22, user: 'ml', file: f });
    expect(msg).toContain(`ssh-keygen -R 'gpu1' -f ${f}`);
    expect(msg).toContain('`ssh ml@gpu1`');
    expect(checkHostKey([file(`@revoked * ssh-ed25519 ${b64}\ngpu1 ssh-ed25519 ${b64}\n`)], 'gpu1', key)).toMatchObject({ status: 'revoked' });
    const unknown = refusalMessage({ status: 'unknown' }, { host: '10.0.0.7', name: '[10.0.0.7]:2222', port: 2222, user: 'ml', file: f });
    expect(unknown).toContain('`ssh -p 2222 ml@10.0.0.7`');
    expect(unknown).toContain('accept_new_host_keys: true');
  });
});
