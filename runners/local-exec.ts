// What the local runner does at a trial's locator besides running it: run a command there (the
// evaluator) and read the end of a finished trial's log.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sanitizeLine } from '../src/format/sanitize.js';
import type { ExecRequest, ExecResult } from '../src/runner.js';

/** Runs `req.command` in its own process group; stdout is returned and, with stderr, logged in `dir`. */
export function execLocal(dir: string, env: Record<string, string>, req: ExecRequest): Promise<ExecResult> {
  const logFile = path.join(dir, req.logName);
  // The trial directory was the trial's to write: whatever it left under this name (a symlink to the
  // journal, say) goes, and the log is created afresh, so the evaluator never writes through it.
  fs.rmSync(logFile, { force: true, recursive: true });
  const out = fs.openSync(logFile, 'wx');
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', req.command], { cwd: req.cwd, env, stdio: ['ignore', 'pipe', out], detached: true });
    fs.closeSync(out);
    const chunks: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => {
      chunks.push(b);
      fs.appendFileSync(logFile, b);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGTERM');
        setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, req.killGraceMs).unref();
      } catch {
        /* gone */
      }
    }, req.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, error: err.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let lastLine = '';
      if (code !== 0) {
        try {
          lastLine = fs.readFileSync(logFile, 'utf8').trim().split('\n').pop() ?? '';
        } catch {
          /* the log went away */
        }
      }
      resolve({ ok: true, code, signal, stdout: Buffer.concat(chunks).toString('utf8'), lastLine, timedOut });
    });
  });
}

/** The last n lines of a file, reading only its end. */
export async function readTail(file: string, n: number): Promise<string[]> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = (await fh.stat()).size;
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    const lines = buf.toString('utf8').split(/\r?\n|\r/);
    if (lines[lines.length - 1] === '') lines.pop();
    // The log is the trial's raw output: clean it as the live lines are (logtail.ts).
    return lines.slice(-n).map(sanitizeLine);
  } finally {
    await fh.close();
  }
}
