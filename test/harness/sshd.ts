// A private OpenSSH server on 127.0.0.1 for the SSH runner's tests: its own config, host key, pid
// file and authorized_keys in a temp dir, logged into as a non-root user the harness creates (for
// root, OpenSSH ignores channel signals and the login shell is slow; see
// shared notes on real components). The client side gets a key pair, a known_hosts and a HOME
// whose ~/.ssh/config names the server `alias`, so runners and the CLI find it as a user's would.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const SSH_USER = 'nsssh';
const SSHD = '/usr/sbin/sshd';

/** Why the real-sshd tests cannot run here (undefined: they can). */
export function sshdUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'the SSH runner tests need Linux';
  if (process.getuid?.() !== 0) return 'the SSH runner tests need root (they create a user and run a private sshd)';
  if (!fs.existsSync(SSHD)) return `no ${SSHD}: install openssh-server (.ci/run does)`;
  for (const tool of ['ssh-keygen', 'useradd']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `no ${tool} on PATH`;
  }
  return undefined;
}

export interface SshdOptions {
  /** sshd_config MaxSessions (OpenSSH's default is 10). */
  maxSessions?: number;
  /** sshd_config MaxStartups (OpenSSH's default is 10:30:100): unauthenticated connections at once. */
  maxStartups?: number;
  /** The name ~/.ssh/config gives the server. */
  alias?: string;
  /** Leave the server's key out of known_hosts (the refusal and TOFU tests). */
  noKnownHosts?: boolean;
  /** Put a directory first on the login user's PATH (sshd's SetEnv), for fake tools (nvidia-smi). */
  pathFirst?: boolean;
  /** With pathFirst: that directory is the whole PATH (a test links in the tools it keeps). */
  pathOnly?: boolean;
}

export interface Sshd {
  port: number;
  user: string;
  alias: string;
  /** The client's HOME: .ssh/config, .ssh/id_ed25519, .ssh/known_hosts. */
  home: string;
  knownHosts: string;
  identity: string;
  /** The server's host public key line (type base64). */
  hostKey: string;
  /** With pathFirst: the directory first on the login user's PATH (writable here, readable there). */
  binDir?: string;
  /** A fresh directory under the user's home, for one test's remote workdir. */
  remoteDir(): string;
  /** Runs a shell command on the machine as the login user (like a person checking with ssh). */
  asUser(cmd: string): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port (polled, no fixed sleep). */
async function waitListening(port: number, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}): ${readSafe(log)}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd did not listen on ${port}: ${readSafe(log)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function readSafe(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function ensureUser(): void {
  if (spawnSync('id', ['-u', SSH_USER]).status === 0) return;
  const add = spawnSync('useradd', ['-m', '-s', '/bin/bash', SSH_USER], { encoding: 'utf8' });
  // Another test file may have created it meanwhile.
  if (add.status !== 0 && spawnSync('id', ['-u', SSH_USER]).status !== 0) throw new Error(`useradd failed: ${add.stderr}`);
  // A locked account ('!' password) is refused without PAM; '*' is "no password", keys still work.
  execFileSync('usermod', ['-p', '*', SSH_USER]);
}

export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  ensureUser();
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-sshd-'));
  fs.chmodSync(dir, 0o755);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-home-'));
  const sshDir = path.join(home, '.ssh');
  fs.mkdirSync(sshDir, { mode: 0o700 });
  const hostKeyFile = path.join(dir, 'host_ed25519');
  const identity = path.join(sshDir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKeyFile]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identity]);
  const authorized = path.join(dir, 'authorized_keys');
  fs.copyFileSync(identity + '.pub', authorized);
  fs.chmodSync(authorized, 0o644);
  const port = await freePort();
  const alias = opts.alias ?? 'testhost';
  const conf = path.join(dir, 'sshd_config');
  const binDir = opts.pathFirst ? path.join(dir, 'bin') : undefined;
  if (binDir) fs.mkdirSync(binDir, { mode: 0o755 });
  fs.writeFileSync(
    conf,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKeyFile}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorized}`,
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      `MaxSessions ${opts.maxSessions ?? 10}`,
      ...(opts.maxStartups ? [`MaxStartups ${opts.maxStartups}`] : []),
      'Subsystem sftp internal-sftp',
      `AllowUsers ${SSH_USER}`,
      ...(binDir ? [`SetEnv PATH=${binDir}${opts.pathOnly ? '' : ':/usr/local/bin:/usr/bin:/bin'}`] : []),
      '',
    ].join('\n'),
  );
  const hostKey = fs.readFileSync(hostKeyFile + '.pub', 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const knownHosts = path.join(sshDir, 'known_hosts');
  fs.writeFileSync(knownHosts, opts.noKnownHosts ? '' : `[127.0.0.1]:${port} ${hostKey}\n`);
  fs.writeFileSync(
    path.join(sshDir, 'config'),
    `Host ${alias}\n  HostName 127.0.0.1\n  Port ${port}\n  User ${SSH_USER}\n  IdentityFile ${identity}\n`,
  );
  const log = path.join(dir, 'sshd.log');
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(SSHD, ['-D', '-f', conf, '-E', log], { stdio: 'ignore' });
    await waitListening(port, child, log);
  };
  await launch();
  const userHome = execFileSync('sh', ['-c', `getent passwd ${SSH_USER} | cut -d: -f6`], { encoding: 'utf8' }).trim();
  let n = 0;
  const stopChild = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
  };
  return {
    port,
    user: SSH_USER,
    alias,
    home,
    knownHosts,
    identity,
    hostKey,
    binDir,
    remoteDir: () => path.join(userHome, `w-${process.pid}-${Date.now()}-${n++}`),
    asUser: (cmd) => execFileSync('su', ['-s', '/bin/sh', SSH_USER, '-c', cmd], { encoding: 'utf8' }),
    stop: async () => {
      await stopChild();
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
