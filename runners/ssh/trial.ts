// One trial on an SSH host, as the engine sees it. Its host polls the remote output.log from a
// byte offset (host.ts); the bytes are appended to a local mirror (the trial directory in the state
// dir) and a LogTail over that mirror turns them into lines, exactly as for a local trial. The
// remote offset is the mirror's size, so after a reconnect or a resume output continues where the
// mirror ends: nothing is fetched twice, nothing is skipped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatBytes, LogTail } from '../logtail.js';
import { capMirror, droppedInMirror } from './log-cap.js';
import { LineRing } from '../trial-parts.js';
import type { CancelMode, ExitInfo, Locator, RunningTrial } from '../../src/runner.js';
import type { PollResult } from './remote.js';

/** A cancelled group still alive this long after the grace is reported gone anyway (never a hang). */
const CONFIRM_SLACK_MS = 15_000;

/** What a trial needs from its host. */
export interface TrialHost {
  /** Signals the trial's process group (after writing `word` to its control file); true when the group is gone. */
  signal(locator: Locator, word: string, sig: 'TERM' | 'KILL' | '0'): Promise<boolean>;
  forget(trial: SshTrial): void;
  /** A stop was confirmed (the group is gone): checks that nothing still holds the trial's GPUs. */
  stopped?(trial: SshTrial): void;
  /** A non-zero exit: the limit that ended it, or why its sandbox never started. */
  exitDetails?(trial: SshTrial, code: number): Promise<{ limit?: string; sandboxError?: string }>;
}

export class SshTrial implements RunningTrial {
  readonly done: Promise<ExitInfo>;
  private resolveDone!: (e: ExitInfo) => void;
  private exited: ExitInfo | null = null;
  /** The remote command has ended (its exit file showed), even if output is still being fetched. */
  private sawExit = false;
  private missing = 0;
  private detached = false;
  private released = false;
  private killTimer: NodeJS.Timeout | null = null;
  private readonly ring = new LineRing();
  private logTail: LogTail | null;
  private mirrorFd: number | null;
  /** Bytes of the remote output.log received so far (= the mirror's size). */
  offset: number;
  /** The GPUs of the trial's slot (checked for release after a stop). */
  gpus: string[] = [];
  private readingExit = false;
  /** The dropped total of the last host cap applied to the mirror (log-cap.ts). */
  private dropped = 0;

  constructor(
    readonly id: number,
    readonly locator: Locator,
    readonly hardware: string,
    /** The local mirror of output.log. */
    readonly mirror: string,
    onLine: (line: string) => void,
    private readonly host: TrialHost,
    private readonly onRelease: () => void,
    /** The campaign's max_log: the host caps output.log past it, and the mirror follows (log-cap.ts). */
    private readonly maxLog?: number,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    fs.mkdirSync(path.dirname(mirror), { recursive: true });
    this.mirrorFd = fs.openSync(mirror, 'a');
    this.offset = fs.fstatSync(this.mirrorFd).size;
    if (maxLog) this.dropped = droppedInMirror(mirror, maxLog);
    // The whole mirror is read again (the engine re-reads a re-attached trial's output from its start).
    this.logTail = new LogTail(mirror, (line) => {
      this.ring.push(line);
      onLine(line);
    });
    this.logTail.poll();
  }

  /** What the poll script is given for this trial (remote.ts POLL_SCRIPT). */
  pollArgs(): string[] {
    return [this.locator.dir, String(this.offset), String(this.locator.pid), String(this.maxLog ?? 0), formatBytes(this.maxLog ?? 0), String(this.dropped)];
  }

  /** One poll's answer for this trial. */
  onPoll(r: PollResult): void {
    if (this.exited || this.detached) return;
    for (const cap of r.caps) {
      if (!this.maxLog || cap.dropped <= this.dropped) continue;
      this.offset = capMirror(this.mirror, this.offset, cap, this.maxLog);
      this.logTail?.shifted(cap.head, cap.kept, cap.markerLen);
      this.dropped = cap.dropped;
    }
    if (r.bytes.length && this.mirrorFd !== null) {
      fs.writeSync(this.mirrorFd, r.bytes);
      this.offset += r.bytes.length;
    }
    this.logTail?.poll();
    if (r.exit !== null) {
      this.sawExit = true;
      // The exit file was read before the size: once we have all of it, the output is complete.
      if (this.offset >= r.size) this.exitWith(r.exit);
      return;
    }
    // Gone without an exit file; asked twice, since the wrapper may write it between our reads.
    if (!r.alive && ++this.missing >= 2) this.finish({ code: null, signal: null, vanished: true });
    else if (r.alive) this.missing = 0;
  }

  /** Ends the trial with its exit code, after one more read on the host when it failed (limit, sandbox). */
  private exitWith(code: number): void {
    // Any failed exit (a re-attached trial's too: the runner no longer knows how it was started);
    // an unsandboxed one has neither file, so it costs one round trip and changes nothing.
    if (code === 0 || !this.host.exitDetails) return this.finish({ code, signal: null });
    if (this.readingExit) return;
    this.readingExit = true;
    // Not readable (the connection dropped just now): the exit itself is still true, reported bare.
    void this.host.exitDetails(this, code).then(
      (d) => this.finish({ code, signal: null, ...d }),
      () => this.finish({ code, signal: null }),
    );
  }

  /** Ends the trial with `info` (its exit, or lost/vanished); idempotent. */
  finish(info: ExitInfo): void {
    if (this.exited) return;
    this.exited = info;
    if (this.killTimer) clearTimeout(this.killTimer);
    this.host.forget(this);
    // Anything still in the group (a trial's own background children) goes with it.
    if (!info.lost && this.locator.pid > 0) void this.host.signal(this.locator, '', 'KILL').catch(() => {});
    if (this.detached) return;
    this.logTail?.finish();
    this.logTail = null;
    this.closeMirror();
    this.resolveDone(info);
  }

  private closeMirror(): void {
    if (this.mirrorFd !== null) fs.closeSync(this.mirrorFd);
    this.mirrorFd = null;
  }

  async cancel(mode: CancelMode, graceMs: number): Promise<void> {
    if (this.exited) return;
    const limit = Date.now() + (mode === 'kill' ? 0 : graceMs) + CONFIRM_SLACK_MS;
    const send = async (word: string, sig: 'TERM' | 'KILL' | '0'): Promise<boolean> => {
      // A dropped connection is retried until the limit: the stop must reach the host.
      for (;;) {
        try {
          return await this.host.signal(this.locator, word, sig);
        } catch {
          if (Date.now() > limit || this.exited) return false;
          await new Promise((r) => setTimeout(r, 300));
        }
      }
    };
    if (mode === 'kill') await send('', 'KILL');
    else {
      await send(mode, 'TERM');
      if (!this.killTimer && !this.exited) {
        this.killTimer = setTimeout(() => void send('', 'KILL'), graceMs);
        this.killTimer.unref();
      }
    }
    // Confirmed on the host: no process of the group is left.
    let gone = false;
    while (Date.now() < limit && !this.exited && !gone) {
      gone = await send('', '0');
      if (!gone) await new Promise((r) => setTimeout(r, 100));
    }
    // Gone (or seen exiting meanwhile): on a GPU host, is the GPU free again?
    if (gone || this.exited) this.host.stopped?.(this);
  }

  ended(): boolean {
    return this.exited !== null || this.sawExit;
  }

  tail(n: number): string[] {
    return this.ring.last(n);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease();
  }

  detach(): void {
    this.detached = true;
    if (this.killTimer) clearTimeout(this.killTimer);
    this.host.forget(this);
    this.logTail?.close();
    this.logTail = null;
    this.closeMirror();
  }
}
