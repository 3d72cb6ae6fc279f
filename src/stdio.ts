// stdout and stderr as pipes: output must drain before the process exits (a pipe holds 64 KiB and
// process.exit drops the rest), and a reader that goes away (`| head -1`) is not an error.
import type { Writable } from 'node:stream';

const closed = new WeakSet<Writable>();
let guarded = false;

/**
 * Swallows EPIPE and other write errors on stdout and stderr. Without a listener Node throws them as
 * uncaught exceptions, which would stop a supervisor whose only fault is that nobody reads its log.
 */
export function guardStdio(): void {
  if (guarded) return;
  guarded = true;
  for (const stream of [process.stdout, process.stderr] as Writable[]) stream.on('error', () => closed.add(stream));
}

/** True once the reader of stdout went away; later writes would be lost anyway. */
export function stdoutClosed(): boolean {
  return closed.has(process.stdout as Writable) || process.stdout.destroyed;
}

/** Writes to stdout unless its reader has gone. */
export function out(text: string): void {
  if (!stdoutClosed()) process.stdout.write(text);
}

/** Resolves once everything written so far to `stream` has reached the OS (or the stream failed). */
function drained(stream: Writable): Promise<void> {
  if (stream.destroyed || closed.has(stream) || stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.once('close', done);
    stream.once('error', done);
    // Write callbacks run in order, so this one runs after every earlier write was flushed.
    stream.write('', () => done());
  });
}

/** Waits for stdout and stderr to drain, so process.exit does not cut a pipe's reader short. */
export async function flushStdio(): Promise<void> {
  await Promise.all([drained(process.stdout as Writable), drained(process.stderr as Writable)]);
}
