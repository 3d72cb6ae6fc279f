// A second SSH "host" with its own address, for the SSH runner's failure tests: a network namespace
// joined to this one by a veth pair (10.77.0.1 here, 10.77.0.X there), and a private sshd inside
// its own PID namespace (`unshare --pid --fork --mount-proc --uts`), so that killing that
// namespace's init kills every process of the fake host at once: a realistic crash. It is logged
// into as the same non-root user and client key as a loopback server from test/harness/sshd.ts; its
// host key goes into that server's known_hosts and an alias into its ~/.ssh/config.
//
// PIDs seen inside the namespace (a trial's locator pid) are namespace PIDs: never signal them from
// here. Everything that must act inside goes through `nsenter -t <host pid of the ns init>`.
// Several test files run at once (vitest workers): each host takes the first free X (`ip netns add`
// fails on a name that exists, which makes the choice atomic) and routes only 10.77.0.X/32 to its
// own veth, so the namespaces never share a route.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { SSH_USER, type Sshd } from './sshd.js';

const SSHD = '/usr/sbin/sshd';
/** Which test process owns each namespace, so a crashed earlier run's leftovers can be reclaimed. */
const OWNERS = '/run/nightshift-netns';

/** Why a namespace host cannot be made here (undefined: it can). */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'a host in a network namespace needs root (ip netns, veth, unshare)';
  for (const tool of ['ip', 'unshare', 'nsenter', 'iptables']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `no ${tool} on PATH (.ci/run installs iproute2 and iptables)`;
  }
  // Can this kernel / container make one at all?
  const probe = `nsh-probe-${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (add.status !== 0) return `ip netns add fails here: ${add.stderr.trim()}`;
  const ipt = spawnSync('ip', ['netns', 'exec', probe, 'iptables', '-L', 'INPUT', '-n'], { encoding: 'utf8' });
  spawnSync('ip', ['netns', 'del', probe]);
  if (ipt.status !== 0) return `iptables does not work inside a network namespace here: ${ipt.stderr.trim()}`;
  return undefined;
}

export interface NetnsHost {
  /** The hostname inside (what `hostname` prints on the host). */
  name: string;
  /** The ~/.ssh/config alias of the client HOME it was added to. */
  alias: string;
  /** The network namespace's name (ip netns). */
  ns: string;
  address: string;
  port: number;
  user: string;
  hostKey: string;
  /** The host PID of the namespace's init (sshd), or null while crashed. */
  initPid(): number | null;
  /** A fresh directory under the user's home (the file system is shared with this machine). */
  remoteDir(): string;
  /** Runs a shell command as root inside the host's PID and mount namespaces (its own ps, its own kill). */
  inside(cmd: string): string;
  /** Kills the namespace's init: every process of the host dies at once (its disk stays). */
  crash(): Promise<void>;
  /** Starts sshd again (same address, same host key). */
  restart(): Promise<void>;
  /** Drops every packet that reaches the host (no TCP answer at all). */
  blackhole(): void;
  unblackhole(): void;
  stop(): Promise<void>;
}

function sh(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 1000 });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
  });
}

/** Removes a namespace and its veth whatever is left in it (processes are killed by their host PIDs, which `ip netns pids` gives). */
function destroy(ns: string, veth: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean);
  for (const p of pids) {
    try {
      process.kill(Number(p), 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  spawnSync('ip', ['netns', 'del', ns]);
  spawnSync('ip', ['link', 'del', veth]);
}

/** Claims the first free 10.77.0.X (2..254): the namespace name is the lock. */
function claim(): number {
  fs.mkdirSync(OWNERS, { recursive: true });
  const start = 2 + (process.pid % 200);
  for (let k = 0; k < 253; k++) {
    const x = 2 + ((start - 2 + k) % 253);
    const ns = `nsh-${x}`;
    if (spawnSync('ip', ['netns', 'add', ns]).status === 0) {
      fs.writeFileSync(path.join(OWNERS, String(x)), String(process.pid));
      return x;
    }
    // Left over by a test process that died without tearing down: reclaim it.
    let owner = 0;
    try {
      owner = Number(fs.readFileSync(path.join(OWNERS, String(x)), 'utf8'));
    } catch {
      continue;
    }
    if (owner > 0 && !pidAlive(owner)) {
      destroy(ns, `nsh${x}h`);
      if (spawnSync('ip', ['netns', 'add', ns]).status === 0) {
        fs.writeFileSync(path.join(OWNERS, String(x)), String(process.pid));
        return x;
      }
    }
  }
  throw new Error('no free 10.77.0.X for a namespace host');
}

/**
 * Starts a host named `name` in a fresh network namespace, reachable from `client`'s HOME as
 * `alias` (default: name), with the client's key authorized and the host key known.
 */
export async function startNetnsHost(client: Sshd, opts: { name: string; alias?: string }): Promise<NetnsHost> {
  const x = claim();
  const ns = `nsh-${x}`;
  const vHost = `nsh${x}h`;
  const vNs = `nsh${x}n`;
  const address = `10.77.0.${x}`;
  const alias = opts.alias ?? opts.name;
  try {
    spawnSync('ip', ['link', 'del', vHost]); // a stale one from a crashed run
    sh('ip', ['link', 'add', vHost, 'type', 'veth', 'peer', 'name', vNs]);
    sh('ip', ['link', 'set', vNs, 'netns', ns]);
    sh('ip', ['addr', 'add', '10.77.0.1/32', 'dev', vHost]);
    sh('ip', ['link', 'set', vHost, 'up']);
    sh('ip', ['route', 'add', `${address}/32`, 'dev', vHost, 'src', '10.77.0.1']);
    sh('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/24`, 'dev', vNs]);
    sh('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', vNs, 'up']);
    sh('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
  } catch (err) {
    destroy(ns, vHost);
    throw new Error(`could not set up namespace ${ns}: ${(err as { stderr?: Buffer }).stderr?.toString() || (err as Error).message}`);
  }
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ns-netns-${x}-`));
  fs.chmodSync(dir, 0o755);
  const hostKeyFile = path.join(dir, 'host_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKeyFile]);
  const authorized = path.join(dir, 'authorized_keys');
  fs.copyFileSync(client.identity + '.pub', authorized);
  fs.chmodSync(authorized, 0o644);
  const conf = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    conf,
    [
      'Port 22',
      `ListenAddress ${address}`,
      `HostKey ${hostKeyFile}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorized}`,
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'Subsystem sftp internal-sftp',
      `AllowUsers ${SSH_USER}`,
      '',
    ].join('\n'),
  );
  const hostKey = fs.readFileSync(hostKeyFile + '.pub', 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  fs.appendFileSync(client.knownHosts, `${address} ${hostKey}\n`);
  fs.appendFileSync(path.join(client.home, '.ssh', 'config'), `Host ${alias}\n  HostName ${address}\n  User ${SSH_USER}\n  IdentityFile ${client.identity}\n`);
  const log = path.join(dir, 'sshd.log');
  const userHome = execFileSync('sh', ['-c', `getent passwd ${SSH_USER} | cut -d: -f6`], { encoding: 'utf8' }).trim();

  // `ip netns exec` execs unshare in place, so this child is unshare; its only child is the
  // namespace's init (sh, then sshd by exec).
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const initPid = (): number | null => {
    if (!child || child.exitCode !== null || child.signalCode !== null || !child.pid) return null;
    try {
      const kids = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      return kids.length ? Number(kids[0]) : null;
    } catch {
      return null;
    }
  };
  const launch = async () => {
    const c = spawn('ip', ['netns', 'exec', ns, 'unshare', '--pid', '--fork', '--mount-proc', '--uts', 'sh', '-c', `hostname ${opts.name}; exec ${SSHD} -D -f ${conf} -E ${log}`], { stdio: 'ignore' });
    child = c;
    exited = new Promise((r) => c.once('exit', () => r()));
    const deadline = Date.now() + 15_000;
    while (!(await canConnect(address, 22))) {
      if (c.exitCode !== null) throw new Error(`sshd in ${ns} exited (${c.exitCode}): ${fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : ''}`);
      if (Date.now() > deadline) throw new Error(`sshd in ${ns} did not listen on ${address}:22`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const killInit = async () => {
    const pid = initPid();
    // The host PID of the namespace's init (found as unshare's child here, never read inside).
    if (pid) process.kill(pid, 'SIGKILL');
    else child?.kill('SIGKILL');
    await exited;
    child = null;
  };
  try {
    await launch();
  } catch (err) {
    await killInit().catch(() => {});
    destroy(ns, vHost);
    throw err;
  }
  let n = 0;
  const iptables = (op: '-I' | '-D') => sh('ip', ['netns', 'exec', ns, 'iptables', op, 'INPUT', '-j', 'DROP']);
  let blackholed = false;
  return {
    name: opts.name,
    alias,
    ns,
    address,
    port: 22,
    user: SSH_USER,
    hostKey,
    initPid,
    remoteDir: () => path.join(userHome, `n-${process.pid}-${Date.now()}-${n++}`),
    inside: (cmd) => {
      const pid = initPid();
      if (!pid) throw new Error(`${opts.name} is down`);
      return execFileSync('nsenter', ['-t', String(pid), '-p', '-m', '-n', '-u', 'sh', '-c', cmd], { encoding: 'utf8' });
    },
    crash: async () => {
      await killInit();
      // A crashed host refuses (nothing listens) until it is restarted.
      if (await canConnect(address, 22)) throw new Error(`${address}:22 still answers after the crash`);
    },
    restart: launch,
    blackhole: () => {
      iptables('-I');
      blackholed = true;
    },
    unblackhole: () => {
      if (blackholed) iptables('-D');
      blackholed = false;
    },
    stop: async () => {
      await killInit();
      destroy(ns, vHost);
      fs.rmSync(path.join(OWNERS, String(x)), { force: true });
      // Gone for real: the veth went with the namespace, nothing listens on the address.
      if (spawnSync('ip', ['link', 'show', vHost]).status === 0) throw new Error(`${vHost} still exists after teardown`);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
