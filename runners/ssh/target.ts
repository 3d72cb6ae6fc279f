// Where and as whom to connect for one `hosts:` entry: the entry's own fields first, then what
// ~/.ssh/config says for its name, then ssh's defaults. Also the identity files' loading and the
// plain-words reading of connection errors.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ssh2 from 'ssh2';
import { sshConfigFor } from './ssh-config.js';

export interface Target {
  /** The name the campaign gives the host (shown everywhere). */
  name: string;
  host: string;
  port: number;
  user: string;
  /** Candidate private keys, in order (missing ones are skipped). */
  identityFiles: string[];
  proxyJump?: Target;
  /** known_hosts files to check; the first one is where a trusted-on-first-use key is written. */
  knownHostsFiles: string[];
  acceptNewHostKeys: boolean;
}

export interface TargetSpec {
  name: string;
  host?: string;
  user?: string;
  port?: number;
  identity_file?: string;
}

/** "user@host:port" or an alias, as ProxyJump names a hop. */
function parseJump(spec: string): TargetSpec {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec.trim());
  if (!m) return { name: spec };
  return { name: m[2].replace(/^\[|\]$/g, ''), user: m[1], port: m[3] ? Number(m[3]) : undefined };
}

export function resolveTarget(spec: TargetSpec, opts: { acceptNewHostKeys: boolean; home?: string }, depth = 0): Target {
  const home = opts.home ?? os.homedir();
  const cfg = sshConfigFor(spec.name, home);
  const sshDir = path.join(home, '.ssh');
  const expand = (p: string) => (p === '~' || p.startsWith('~/') ? path.join(home, p.slice(1)) : p);
  const identityFiles = [
    ...(spec.identity_file ? [expand(spec.identity_file)] : []),
    ...cfg.identityFiles,
    ...(cfg.identityFiles.length || spec.identity_file ? [] : ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => path.join(sshDir, f))),
  ];
  const target: Target = {
    name: spec.name,
    host: spec.host ?? cfg.hostName ?? spec.name,
    port: spec.port ?? cfg.port ?? 22,
    user: spec.user ?? cfg.user ?? os.userInfo().username,
    identityFiles,
    knownHostsFiles: cfg.userKnownHostsFiles.length ? cfg.userKnownHostsFiles : [path.join(sshDir, 'known_hosts'), path.join(sshDir, 'known_hosts2')],
    acceptNewHostKeys: opts.acceptNewHostKeys,
  };
  // Only the first hop of a chain (a,b) is followed: each hop resolves its own ProxyJump.
  const jump = cfg.proxyJump?.split(',').pop();
  if (jump && depth < 5) target.proxyJump = resolveTarget(parseJump(jump), opts, depth + 1);
  return target;
}

export interface Identities {
  keys: Buffer[];
  files: string[];
  /** Why a file that exists could not be used (passphrase-protected, unreadable, not a key). */
  notes: string[];
}

/** The private keys among the candidates that can be used without a passphrase (others go through the agent). */
export function loadIdentities(files: string[]): Identities {
  const out: Identities = { keys: [], files: [], notes: [] };
  for (const file of files) {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') out.notes.push(`${file} cannot be read (${(err as NodeJS.ErrnoException).code})`);
      continue;
    }
    const parsed = ssh2.utils.parseKey(buf);
    if (parsed instanceof Error) {
      out.notes.push(/encrypt|passphrase/i.test(parsed.message) ? `${file} is passphrase-protected: load it into ssh-agent with \`ssh-add ${file}\`` : `${file} is not a private key nightshift can read (${parsed.message})`);
      continue;
    }
    out.keys.push(buf);
    out.files.push(file);
  }
  return out;
}

/** A connection error in words a person can act on (never a key or a secret). */
export function describeSshError(err: Error & { code?: string; level?: string }, t: Target): string {
  const where = `${t.host}:${t.port}`;
  const msg = err.message ?? String(err);
  if (err.code === 'ECONNREFUSED') return `nothing accepts connections on ${where} (sshd not running there, or the wrong port)`;
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return `the name ${t.host} does not resolve (check HostName in ~/.ssh/config or host: in the campaign)`;
  if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH') return `no route to ${where} (network down, or the wrong address)`;
  if (err.code === 'ETIMEDOUT' || /timed out while waiting for handshake/i.test(msg)) return `no answer from ${where} (machine off, a firewall dropping packets, or the wrong address)`;
  if (/keepalive timeout/i.test(msg)) return `${t.name} stopped answering (no reply to 3 keepalives in 3 s)`;
  if (/before handshake/i.test(msg) || err.code === 'ECONNRESET') return `the connection to ${where} was closed before the SSH handshake finished (sshd MaxStartups reached, or a firewall)`;
  return `${msg.replace(/\.$/, '')} (${where})`;
}
