// Host key checking against known_hosts files, as OpenSSH does it: plain and hashed (|1|salt|hmac)
// host entries, comma-separated patterns with wildcards and negation, [host]:port for other ports,
// @revoked keys refused, @cert-authority lines skipped (no certificate support). Unknown and changed
// keys refuse the host with the commands a person runs to fix it; trust-on-first-use only when the
// campaign opts in (accept_new_host_keys), and never for a changed key.
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { patternMatches } from './ssh-config.js';

export type HostKeyCheck =
  | { status: 'ok' }
  | { status: 'unknown' }
  | { status: 'changed'; file: string; line: number }
  | { status: 'revoked'; file: string; line: number };

interface Entry {
  file: string;
  line: number;
  marker?: string;
  hosts: string;
  type: string;
  key: string;
}

/** The name known_hosts files a host under: `host`, or `[host]:port` for a port other than 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type named inside an SSH public key blob (its first string). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return '';
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString('latin1');
}

function readEntries(files: string[]): Entry[] {
  const out: Entry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const parts = line.split(/\s+/);
      const marker = parts[0].startsWith('@') ? parts.shift() : undefined;
      if (parts.length < 3) return;
      out.push({ file, line: i + 1, marker, hosts: parts[0], type: parts[1], key: parts[2] });
    });
  }
  return out;
}

function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let hit = false;
  for (const p of field.split(',')) {
    if (p.startsWith('!')) {
      if (patternMatches(p.slice(1), name)) return false;
    } else if (patternMatches(p, name)) hit = true;
  }
  return hit;
}

function entriesFor(files: string[], name: string): Entry[] {
  return readEntries(files).filter((e) => e.marker !== '@cert-authority' && hostFieldMatches(e.hosts, name));
}

/** The key types known_hosts holds for this host, to offer the server first (as ssh does). */
export function knownKeyTypes(files: string[], name: string): string[] {
  return [...new Set(entriesFor(files, name).filter((e) => !e.marker).map((e) => e.type))];
}

export function checkHostKey(files: string[], name: string, blob: Buffer): HostKeyCheck {
  const b64 = blob.toString('base64');
  const type = keyType(blob);
  const entries = entriesFor(files, name);
  const revoked = entries.find((e) => e.marker === '@revoked' && e.key === b64);
  if (revoked) return { status: 'revoked', file: revoked.file, line: revoked.line };
  if (entries.some((e) => !e.marker && e.key === b64)) return { status: 'ok' };
  const other = entries.find((e) => !e.marker && e.type === type);
  if (other) return { status: 'changed', file: other.file, line: other.line };
  return { status: 'unknown' };
}

/** Trust on first use: the key appended to the first known_hosts file. */
export function rememberHostKey(file: string, name: string, blob: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const text = fs.readFileSync(file, 'utf8');
    if (text && !text.endsWith('\n')) prefix = '\n';
  } catch {
    // A new file.
  }
  fs.appendFileSync(file, `${prefix}${name} ${keyType(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}

/** The sentence that refuses a host, with what to run. */
export function refusalMessage(check: HostKeyCheck, ctx: { host: string; name: string; port: number; user: string; file: string }): string {
  const ssh = `ssh${ctx.port === 22 ? '' : ` -p ${ctx.port}`} ${ctx.user}@${ctx.host}`;
  if (check.status === 'unknown') {
    return `its host key is not in ${ctx.file}. Check the key and add it by connecting once with \`${ssh}\` (answer yes), or set accept_new_host_keys: true in the campaign to trust a host's key the first time it is seen.`;
  }
  if (check.status === 'changed') {
    return `its host key CHANGED since it was recorded (${check.file} line ${check.line}): the machine was reinstalled, or someone is in between. If you know why it changed, run \`ssh-keygen -R '${ctx.name}' -f ${check.file}\` then \`${ssh}\` to record the new key; otherwise do not connect.`;
  }
  if (check.status === 'revoked') return `its host key is marked @revoked in ${check.file} line ${check.line}; nightshift will not connect to it.`;
  return '';
}
