// Runs the frozen evaluator after a trial: its output, not the trial's, gives the score.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MetricParser } from '../metrics.js';

export interface EvaluateResult {
  ok: boolean;
  /** Last value of each metric the evaluator printed. */
  metrics: Record<string, number>;
  /** Why it failed, in a few words, when !ok. */
  error?: string;
}

const BARE_NUMBER = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf|nan)\s*$/i;

export function runEvaluator(opts: {
  command: string;
  cwd: string;
  env: Record<string, string>;
  trialDir: string;
  metric: string;
  timeoutMs: number;
  killGraceMs: number;
}): Promise<EvaluateResult> {
  const logFile = path.join(opts.trialDir, 'evaluate.log');
  const out = fs.openSync(logFile, 'w');
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', opts.command], {
      cwd: opts.cwd,
      env: { ...(process.env as Record<string, string>), ...opts.env },
      stdio: ['ignore', 'pipe', out],
      detached: true,
    });
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
        }, opts.killGraceMs).unref();
      } catch {
        /* gone */
      }
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, metrics: {}, error: `could not start the evaluator: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      if (timedOut) return resolve({ ok: false, metrics: {}, error: `the evaluator took longer than ${Math.round(opts.timeoutMs / 1000)}s` });
      if (code !== 0) {
        const tail = fs.readFileSync(logFile, 'utf8').trim().split('\n').pop() ?? '';
        return resolve({ ok: false, metrics: {}, error: `the evaluator exited with ${signal ?? code}${tail ? `: ${tail.slice(0, 160)}` : ''}` });
      }
      const parser = new MetricParser({ primary: opts.metric });
      const metrics: Record<string, number> = {};
      let bare: number | undefined;
      for (const line of text.split(/\r?\n/)) {
        for (const p of parser.parse(line)) metrics[p.name] = p.value;
        const m = BARE_NUMBER.exec(line);
        if (m) bare = Number(m[1].toLowerCase().replace('inf', 'Infinity'));
      }
      // A bare number on its own line is the score when the evaluator names no metric.
      if (metrics[opts.metric] === undefined && bare !== undefined) metrics[opts.metric] = bare;
      resolve({ ok: true, metrics });
    });
  });
}
