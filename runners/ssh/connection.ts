// One SSH connection to one host, kept up: connect (optionally through a ProxyJump host), check the
// host key, authenticate, run commands on a bounded pool of channels, and reconnect with backoff
// when it drops. The pool never holds more than `limit` channels open at once (OpenSSH refuses
// the (MaxSessions+1)th with "open failed"); a refused open lowers the limit to what the server
// took and is retried, never surfaced as a crash.
import type { Readable } from 'node:stream';
import ssh2, { type ClientChannel, type ConnectConfig } from 'ssh2';

const { Client } = ssh2;
type Client = InstanceType<typeof Client>;
import { droppedBeforeHandshake, HANDSHAKE_RETRIES, handshakeRetryDelay, handshakeTurn, type HandshakeTurn } from './handshake.js';
import { checkHostKey, knownHostsName, knownKeyTypes, refusalMessage, rememberHostKey } from './known-hosts.js';
import { describeSshError, loadIdentities, type Target } from './target.js';

/** MaxSessions is 10 on a stock OpenSSH server; one is left for a person's own ssh -o ControlMaster. */
export const DEFAULT_CHANNEL_LIMIT = 9;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15_000];
/** A host that refused us (key, login) is tried again this rarely: someone has to fix something first. */
const REFUSED_RETRY_MS = 30_000;

export interface ExecOptions {
  stdin?: Buffer | Readable;
  timeoutMs?: number;
}
export interface ExecOutput {
  code: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: string;
}

export interface ConnectionEvents {
  up(): void;
  down(reason: string): void;
}

export class HostConnection {
  state: 'idle' | 'connecting' | 'up' | 'down' | 'closed' = 'idle';
  /** Why the last attempt failed or the connection dropped, in words a person can act on. */
  lastError = '';
  /** A refusal (host key, login) rather than a network failure. */
  refused = false;
  limit = DEFAULT_CHANNEL_LIMIT;
  private client: Client | null = null;
  private jump: HostConnection | null = null;
  private active = 0;
  /** Channels held open (control shells), given back when the server turns out to allow few. */
  private readonly longLived = new Set<ClientChannel>();
  private waiters: Array<() => void> = [];
  private upWaiters: Array<() => void> = [];
  private inflight = new Set<(err: Error) => void>();
  private attempt = 0;
  /** Handshakes the server dropped in a row (MaxStartups): retried quietly before reporting down. */
  private dropped = 0;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly target: Target,
    private readonly events: ConnectionEvents = { up() {}, down() {} },
    private readonly opts: { reconnect: boolean } = { reconnect: true },
  ) {}

  /** Starts connecting; with reconnect, keeps the connection up until close(). */
  start(): void {
    if (this.state === 'idle' || this.state === 'down') void this.connect();
  }

  /** Resolves when the connection is up; rejects with the reason after `timeoutMs` or on a failure without reconnect. */
  ready(timeoutMs: number): Promise<void> {
    if (this.state === 'up') return Promise.resolve();
    this.start();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.upWaiters = this.upWaiters.filter((w) => w !== done);
        reject(new Error(this.lastError || `no connection within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        if (this.state === 'up') resolve();
        else reject(new Error(this.lastError || 'connection closed'));
      };
      this.upWaiters.push(done);
    });
  }

  private wakeUpWaiters(): void {
    const ws = this.upWaiters;
    this.upWaiters = [];
    for (const w of ws) w();
  }

  private async connect(): Promise<void> {
    this.state = 'connecting';
    const t = this.target;
    let sock: ConnectConfig['sock'];
    try {
      if (t.proxyJump) {
        this.jump ??= new HostConnection(t.proxyJump, undefined, this.opts);
        await this.jump.ready(15_000);
        sock = await this.jump.forward(t.host, t.port);
      }
    } catch (err) {
      return this.failed(`cannot reach it through ProxyJump ${t.proxyJump!.name}: ${(err as Error).message}`, false);
    }
    if ((this.state as string) === 'closed') return;
    const ids = loadIdentities(t.identityFiles);
    const agent = process.env.SSH_AUTH_SOCK;
    if (!agent && ids.keys.length === 0) {
      return this.failed(`no way to log in: SSH_AUTH_SOCK is not set and no usable identity file (${ids.notes.join('; ') || `tried ${t.identityFiles.join(', ') || 'none'}`}). Start ssh-agent and ssh-add your key, or set identity_file for this host.`, true);
    }
    // A few handshakes at a time per server: a burst stays under its MaxStartups (handshake.ts).
    const turn: HandshakeTurn = await handshakeTurn(`${t.host}:${t.port}`);
    if ((this.state as string) === 'closed') return turn.done(false);
    const name = knownHostsName(t.host, t.port);
    let refusal = '';
    let lastErr: (Error & { code?: string }) | null = null;
    const client = new Client();
    this.client = client;
    const types = knownKeyTypes(t.knownHostsFiles, name).flatMap((k) => (k === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [k]));
    const config: ConnectConfig = {
      host: t.host,
      port: t.port,
      username: t.user,
      sock,
      readyTimeout: 10_000,
      keepaliveInterval: 1000,
      keepaliveCountMax: 3,
      // Offer the key types known_hosts holds first, as ssh does, so a host known by its RSA key is
      // not refused for presenting its ed25519 one.
      algorithms: types.length ? { serverHostKey: [...new Set([...types, 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256'])] as any } : undefined,
      hostVerifier: (key: Buffer) => {
        const check = checkHostKey(t.knownHostsFiles, name, key);
        if (check.status === 'ok') return true;
        const file = t.knownHostsFiles[0];
        if (check.status === 'unknown' && t.acceptNewHostKeys) {
          rememberHostKey(file, name, key);
          return true;
        }
        refusal = refusalMessage(check, { host: t.host, name, port: t.port, user: t.user, file });
        return false;
      },
      authHandler: [
        ...(agent ? [{ type: 'agent' as const, username: t.user, agent }] : []),
        ...ids.keys.map((key) => ({ type: 'publickey' as const, username: t.user, key })),
      ] as any,
    };
    client.on('ready', () => {
      if (this.client !== client) return;
      client.setNoDelay(true);
      turn.done(true);
      this.state = 'up';
      this.attempt = 0;
      this.dropped = 0;
      this.lastError = '';
      this.refused = false;
      this.limit = DEFAULT_CHANNEL_LIMIT;
      this.events.up();
      this.wakeUpWaiters();
    });
    let why = '';
    client.on('error', (err: Error & { level?: string }) => {
      lastErr = err;
      const offered = [agent ? 'ssh-agent' : '', ids.keys.length ? `identity file${ids.keys.length > 1 ? 's' : ''} ${ids.files.join(', ')}` : ''].filter(Boolean).join(' and ');
      why = refusal || (err.level === 'client-authentication' ? `login refused for ${t.user}@${t.host}: the server accepted none of the keys offered (${offered}). Add the public key to ~${t.user}/.ssh/authorized_keys on the host, or fix user/identity_file.` : describeSshError(err, t));
    });
    client.on('close', () => {
      if (this.client !== client) return;
      this.client = null;
      const beforeHandshake = this.state === 'connecting' && lastErr !== null && droppedBeforeHandshake(lastErr);
      if (beforeHandshake) turn.refused();
      else turn.done(false);
      // Dropped before the handshake (the server's MaxStartups): tried again shortly, not reported.
      if (beforeHandshake && this.dropped < HANDSHAKE_RETRIES) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          if (this.state === 'connecting') void this.connect();
        }, handshakeRetryDelay(this.dropped++));
        this.retryTimer.unref();
        return;
      }
      const reason = why || 'the connection closed';
      for (const reject of this.inflight) reject(new Error(`connection lost: ${reason}`));
      this.inflight.clear();
      this.failed(reason, Boolean(refusal) || why.startsWith('login refused'));
    });
    try {
      client.connect(config);
    } catch (err) {
      turn.done(false);
      this.client = null;
      this.failed(describeSshError(err as Error, t), false);
    }
  }

  private failed(reason: string, refused: boolean): void {
    if (this.state === 'closed') return;
    const wasUp = this.state === 'up';
    const news = reason !== this.lastError;
    this.state = 'down';
    this.dropped = 0;
    this.lastError = reason;
    this.refused = refused;
    // Retries that fail the same way are not news; a new reason is (a host that did not answer now
    // refuses the login: the engine must hear it to see that no host is usable).
    if (wasUp || this.attempt === 0 || news) this.events.down(reason);
    if (!this.opts.reconnect) return this.wakeUpWaiters();
    const delay = refused ? REFUSED_RETRY_MS : BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.state === 'down') void this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  /** A TCP stream to host:port through this connection (a ProxyJump hop). */
  forward(host: string, port: number): Promise<ClientChannel> {
    const client = this.client;
    if (!client || this.state !== 'up') return Promise.reject(new Error(this.lastError || 'not connected'));
    return new Promise((resolve, reject) => client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => (err ? reject(err) : resolve(stream))));
  }

  private async channelSlot(): Promise<void> {
    while (this.active >= this.limit) await new Promise<void>((r) => this.waiters.push(r));
  }

  private releaseSlot(): void {
    this.active--;
    this.waiters.shift()?.();
  }

  /** Runs a command on the host (its login shell reads the string). Rejects when the connection is not up or drops. */
  async exec(command: string, opts: ExecOptions = {}): Promise<ExecOutput> {
    for (let tries = 0; ; tries++) {
      await this.channelSlot();
      const client = this.client;
      if (!client || this.state !== 'up') throw new Error(`not connected: ${this.lastError || 'connecting'}`);
      this.active++;
      let stream: ClientChannel;
      try {
        stream = await new Promise<ClientChannel>((resolve, reject) => client.exec(command, (err, s) => (err ? reject(err) : resolve(s))));
      } catch (err) {
        const busy = /open fail/i.test((err as Error).message);
        // The server's MaxSessions: it took as many as are open now.
        if (busy && this.client === client) {
          this.limit = Math.max(1, this.active - 1);
          // A long-lived channel must not starve plain execs on a server that allows few.
          if (this.limit - this.longLived.size < 2) for (const ch of this.longLived) ch.destroy();
        }
        const othersOpen = this.active > 1;
        this.releaseSlot();
        if (busy && tries < 100) {
          if (!othersOpen) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * (tries + 1))));
          continue;
        }
        throw err;
      }
      try {
        return await this.run(stream, opts);
      } finally {
        this.releaseSlot();
      }
    }
  }

  /**
   * A long-lived channel running `command` (the control shell), holding one of the pool's channels
   * until it closes. Refused (not retried) when it would leave fewer than two for plain execs.
   */
  async openChannel(command: string): Promise<ClientChannel> {
    const client = this.client;
    if (!client || this.state !== 'up') throw new Error(`not connected: ${this.lastError || 'connecting'}`);
    if (this.active + 2 >= this.limit) throw new Error('no channel to spare');
    this.active++;
    try {
      const stream = await new Promise<ClientChannel>((resolve, reject) => client.exec(command, (err, s) => (err ? reject(err) : resolve(s))));
      this.longLived.add(stream);
      stream.once('close', () => {
        this.longLived.delete(stream);
        this.releaseSlot();
      });
      return stream;
    } catch (err) {
      this.releaseSlot();
      throw err;
    }
  }

  private run(stream: ClientChannel, opts: ExecOptions): Promise<ExecOutput> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let stderr = '';
      let timer: NodeJS.Timeout | null = null;
      const fail = (err: Error) => {
        if (timer) clearTimeout(timer);
        this.inflight.delete(fail);
        stream.destroy();
        reject(err);
      };
      this.inflight.add(fail);
      if (opts.timeoutMs) timer = setTimeout(() => fail(new Error(`no answer within ${Math.round(opts.timeoutMs! / 1000)} s`)), opts.timeoutMs);
      stream.on('data', (b: Buffer) => chunks.push(b));
      stream.stderr.on('data', (b: Buffer) => {
        if (stderr.length < 64 * 1024) stderr += b.toString('utf8');
      });
      stream.on('close', (code: number | null, signal: string | null) => {
        if (!this.inflight.has(fail)) return;
        this.inflight.delete(fail);
        if (timer) clearTimeout(timer);
        resolve({ code: code ?? null, signal: signal ?? null, stdout: Buffer.concat(chunks), stderr });
      });
      stream.on('error', (err: Error) => fail(err));
      if (opts.stdin === undefined) stream.end();
      else if (Buffer.isBuffer(opts.stdin)) stream.end(opts.stdin);
      else opts.stdin.pipe(stream);
    });
  }

  /** Cuts the TCP connection without a goodbye, as a network drop does (fault injection and tests). */
  dropSocket(): void {
    (this.client as unknown as { _sock?: { destroy(): void } } | null)?._sock?.destroy();
  }

  close(): void {
    this.state = 'closed';
    if (this.retryTimer) clearTimeout(this.retryTimer);
    // Not end(): a goodbye to a host that stopped answering would hold the process open.
    this.client?.destroy();
    this.client = null;
    this.jump?.close();
    this.wakeUpWaiters();
  }
}
