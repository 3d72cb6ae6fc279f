// A control shell: one long-lived `sh` on its own channel per connection, fed scripts on stdin.
// A fresh exec costs a channel open plus sshd forking a session and the user's login shell
// (~10-15 ms on loopback, far more on a loaded host); a script sent to a shell that is already
// there costs one round trip and a fork. Trial starts, signals and polls go through it; anything
// that needs stdin or its own stderr (shipping, the evaluator) still uses a plain exec.
//
// Each request runs in a subshell with its arguments as $1.. and stdin from /dev/null; its stdout (stderr merged or dropped) is followed by a line holding a
// random marker and the exit status. The marker is fresh per request and only ever travels on the
// channel's stdin, so no output (a trial's log bytes in a poll) can forge it. Requests are served
// one at a time, in order. A dropped channel fails the request in flight; the caller retries (the
// scripts are idempotent) and the next request opens a new shell.
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import type { ExecOutput } from './connection.js';
import { q } from './remote.js';

export interface ControlRequest {
  script: string;
  args?: string[];
  /** Merge the script's stderr into stdout (the last line is its error), or drop it (binary output). */
  stderr: 'merge' | 'drop';
  timeoutMs: number;
}

/** What the control shell needs from its connection. */
export interface ControlHost {
  /** Opens a channel running `command`, counted against the connection's channel limit until it closes. */
  openChannel(command: string): Promise<ClientChannel>;
}

interface Pending {
  marker: Buffer;
  resolve(o: ExecOutput): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class ControlShell {
  private channel: ClientChannel | null = null;
  private opening: Promise<ClientChannel> | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private current: Pending | null = null;
  private queue: Array<() => void> = [];
  private busy = false;
  /** Until then, no new attempt to open one (the server refused a channel for it). */
  private refusedUntil = 0;

  constructor(private readonly host: ControlHost) {}

  /** Opening one failed lately: callers exec plainly meanwhile. */
  unavailable(): boolean {
    return !this.channel && Date.now() < this.refusedUntil;
  }

  /** Runs one script in the control shell; rejects when the channel cannot be opened or drops. */
  async run(req: ControlRequest): Promise<ExecOutput> {
    if (this.busy) await new Promise<void>((r) => this.queue.push(r));
    this.busy = true;
    try {
      const ch = await this.open();
      return await this.send(ch, req);
    } finally {
      this.busy = false;
      this.queue.shift()?.();
    }
  }

  private open(): Promise<ClientChannel> {
    if (this.channel) return Promise.resolve(this.channel);
    // `exec sh`: the login shell starts once, then a plain POSIX shell reads our requests.
    this.opening ??= this.host.openChannel('exec sh').then(
      (ch) => {
        this.opening = null;
        this.channel = ch;
        this.buf = Buffer.alloc(0);
        ch.on('data', (b: Buffer) => this.onData(b));
        ch.stderr.on('data', () => {});
        const gone = (why: string) => {
          if (this.channel !== ch) return;
          this.channel = null;
          this.fail(new Error(why));
        };
        ch.on('close', () => gone('the control shell closed'));
        ch.on('error', (err: Error) => gone(`the control shell failed: ${err.message}`));
        return ch;
      },
      (err: Error) => {
        this.opening = null;
        if (!/^not connected/.test(err.message)) this.refusedUntil = Date.now() + 30_000;
        throw new ControlOpenError(err.message);
      },
    );
    return this.opening;
  }

  private send(ch: ClientChannel, req: ControlRequest): Promise<ExecOutput> {
    const marker = randomBytes(12).toString('hex');
    // A subshell, not `sh -c`: a fork without an exec; an `exit` in the script ends only the subshell.
    const cmd = `(set -- ${(req.args ?? []).map(q).join(' ')}; eval ${q(req.script)})`;
    const line = `${cmd} </dev/null ${req.stderr === 'merge' ? '2>&1' : '2>/dev/null'}; printf '\\n%s %s\\n' ${marker} "$?"\n`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // The shell's state is unknown now: drop it, the next request opens a new one.
        this.fail(new Error(`no answer within ${Math.round(req.timeoutMs / 1000)} s`));
        this.close();
      }, req.timeoutMs);
      this.current = { marker: Buffer.from(`\n${marker} `), resolve, reject, timer };
      ch.write(line);
    });
  }

  private onData(b: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, b]) : b;
    const p = this.current;
    if (!p) return;
    const at = this.buf.indexOf(p.marker);
    if (at < 0) return;
    const nl = this.buf.indexOf(10, at + p.marker.length);
    if (nl < 0) return;
    const code = Number(this.buf.subarray(at + p.marker.length, nl).toString('latin1'));
    const stdout = Buffer.from(this.buf.subarray(0, at));
    this.buf = this.buf.subarray(nl + 1);
    this.current = null;
    clearTimeout(p.timer);
    p.resolve({ code: Number.isInteger(code) ? code : null, signal: null, stdout, stderr: '' });
  }

  private fail(err: Error): void {
    const p = this.current;
    this.current = null;
    if (!p) return;
    clearTimeout(p.timer);
    p.reject(err);
  }

  close(): void {
    const ch = this.channel;
    this.channel = null;
    this.fail(new Error('the control shell was closed'));
    ch?.destroy();
  }
}

/** What `runScript` needs: a connection that can also exec plainly. */
export interface ScriptHost extends ControlHost {
  exec(command: string, opts?: { timeoutMs?: number }): Promise<ExecOutput>;
}

/**
 * Runs a script through the control shell, or as a plain exec when no control shell can be had
 * (a server allowing few channels): same answer either way, stderr merged or dropped as asked.
 */
export async function runScript(host: ScriptHost, control: ControlShell, req: ControlRequest): Promise<ExecOutput> {
  if (!control.unavailable()) {
    try {
      return await control.run(req);
    } catch (err) {
      // The channel could not be opened: fall through to an exec. Dropped mid-request: the caller retries.
      if (!(err instanceof ControlOpenError)) throw err;
    }
  }
  const cmd = ['sh', '-c', q(req.script), 'sh', ...(req.args ?? []).map(q)].join(' ');
  const r = await host.exec(req.stderr === 'merge' ? `${cmd} 2>&1` : `${cmd} 2>/dev/null`, { timeoutMs: req.timeoutMs });
  return { ...r, stderr: '' };
}

export class ControlOpenError extends Error {}
