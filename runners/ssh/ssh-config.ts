// A small reader of ~/.ssh/config: what `ssh gpu3` would use for HostName, User, Port,
// IdentityFile, ProxyJump and UserKnownHostsFile, so a user's aliases work as they are. Like ssh,
// the first value found for a key wins, Host blocks match by pattern (*, ?, !negation), and Match
// blocks (which need ssh's own evaluation) are skipped. Include is followed (one level of globs).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface SshHostConfig {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  proxyJump?: string;
  userKnownHostsFiles: string[];
}

const KEYS = new Set(['hostname', 'user', 'port', 'identityfile', 'proxyjump', 'userknownhostsfile']);

/** ssh's pattern language for Host lines: * and ?, whole-string match. */
export function patternMatches(pattern: string, name: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
  return re.test(name);
}

/** True when a Host line's pattern list selects `name` (any positive match and no negated one). */
export function hostLineMatches(patterns: string[], name: string): boolean {
  let hit = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (patternMatches(p.slice(1), name)) return false;
    } else if (patternMatches(p, name)) hit = true;
  }
  return hit;
}

function expandHome(p: string, home: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(home, p.slice(1)) : p;
}

/** The lines of a config file with Include lines replaced by the included files' lines. */
function readLines(file: string, home: string, depth = 0): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*include\s+(.+)$/i.exec(line);
    if (!m || depth > 3) {
      out.push(line);
      continue;
    }
    for (const pat of m[1].trim().split(/\s+/)) {
      const abs = path.isAbsolute(expandHome(pat, home)) ? expandHome(pat, home) : path.join(home, '.ssh', pat);
      const dir = path.dirname(abs);
      let names: string[] = [];
      try {
        names = fs.readdirSync(dir).filter((n) => patternMatches(path.basename(abs), n)).sort();
      } catch {
        continue;
      }
      for (const n of names) out.push(...readLines(path.join(dir, n), home, depth + 1));
    }
  }
  return out;
}

/** Settings for `alias` from a config text's lines; tokens %h, %p, %r, %u and ~ are expanded in paths. */
export function resolveSshConfig(lines: string[], alias: string, home: string): SshHostConfig {
  const got: SshHostConfig = { identityFiles: [], userKnownHostsFiles: [] };
  const seen = new Set<string>();
  let active = true; // lines before the first Host apply to every host
  for (const raw of lines) {
    const line = raw.replace(/^\s+|\s+$/g, '');
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1].toLowerCase();
    const value = m[2].replace(/^"(.*)"$/, '$1');
    if (key === 'host') {
      active = hostLineMatches(value.split(/\s+/), alias);
      continue;
    }
    if (key === 'match') {
      active = false;
      continue;
    }
    if (!active || !KEYS.has(key)) continue;
    // IdentityFile and UserKnownHostsFile accumulate; every other key takes its first value.
    if (key === 'identityfile') got.identityFiles.push(value);
    else if (key === 'userknownhostsfile') got.userKnownHostsFiles.push(...value.split(/\s+/));
    else if (!seen.has(key)) {
      seen.add(key);
      if (key === 'hostname') got.hostName = value.replace(/%h/g, alias);
      else if (key === 'user') got.user = value;
      else if (key === 'port') got.port = Number(value);
      else if (key === 'proxyjump' && value.toLowerCase() !== 'none') got.proxyJump = value;
    }
  }
  const user = got.user ?? os.userInfo().username;
  const tokens = (p: string) =>
    expandHome(p, home)
      .replace(/%d/g, home)
      .replace(/%h/g, got.hostName ?? alias)
      .replace(/%p/g, String(got.port ?? 22))
      .replace(/%r/g, user)
      .replace(/%u/g, os.userInfo().username)
      .replace(/%%/g, '%');
  got.identityFiles = got.identityFiles.map(tokens);
  got.userKnownHostsFiles = got.userKnownHostsFiles.map(tokens);
  return got;
}

/** What ~/.ssh/config (under `home`) says about `alias`. */
export function sshConfigFor(alias: string, home = os.homedir()): SshHostConfig {
  return resolveSshConfig(readLines(path.join(home, '.ssh', 'config'), home), alias, home);
}
