// Shared test helpers: temp campaigns on disk, the real CLI as a child process, journal reading.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NightshiftEvent } from '../src/events.js';
import { Journal, readJournal } from '../src/journal.js';
import { loadCampaign } from '../src/config/load.js';
import { PROPOSERS } from '../proposers/index.js';
import { Engine } from '../src/engine/engine.js';
import { Store } from '../src/store.js';
import type { Proposer } from '../src/types.js';
import type { Runner } from '../src/runner.js';
import { replay, type CampaignState } from '../src/state.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = path.join(ROOT, 'bin', 'nightshift.js');

/** A fresh directory holding the given files (name → content). */
export function campaignDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-test-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `nightshift ARGS` to completion. */
export function cli(args: string[], cwd: string, env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs `nightshift ARGS` without blocking this process (a scripted server in the test must keep
 * answering). An env value of undefined removes that variable.
 */
export function cliAsync(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `nightshift ARGS` in the background. */
export function cliSpawn(args: string[], cwd: string) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b) => (stdout += b));
  child.stderr.on('data', (b) => (stderr += b));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

export function events(outDir: string): NightshiftEvent[] {
  return readJournal(path.join(outDir, 'journal.jsonl')).events;
}

export function stateOf(outDir: string): CampaignState {
  return replay(events(outDir));
}

export async function waitFor<T>(probe: () => T | undefined | false | null, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const start = Date.now();
  for (;;) {
    let v: T | undefined | false | null;
    try {
      v = probe();
    } catch {
      v = undefined;
    }
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Processes whose command line contains `needle` (from /proc, no ps parsing quirks). */
export function processesMatching(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (cmd.includes(needle) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return pids;
}

/** A python objective: f = (x - 0.3)^2 + (y + 0.2)^2, printed per step and at the end. */
export const QUADRATIC_PY = `import sys, time
x = float(sys.argv[1]); y = float(sys.argv[2])
delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
f = (x - 0.3) ** 2 + (y + 0.2) ** 2
for step in range(1, 6):
    time.sleep(delay)
    print(f"step={step} loss={f + 1.0 / step:.6f}", flush=True)
print(f"loss: {f:.6f}")
`;

/** Live processes whose environment mentions `needle` (e.g. a campaign's state directory). */
export function processesWithEnv(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
      if (fs.readFileSync(`/proc/${entry}/environ`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return pids;
}

/** The two-parameter quadratic campaign most engine tests use, with `extra` YAML appended. */
export function quadraticCampaign(name: string, extra: string): string {
  return `name: ${name}
command: python3 quad.py {x} {y}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: -1, high: 1 }
  y: { type: float, low: -1, high: 1 }
${extra}`;
}

/** An engine on a fresh journal for the campaign file in `dir`, with the runner and proposers given. */
export async function engineFor(dir: string, parts: { runner: Runner; proposers: Map<string, Proposer>; proposerRetryMs?: number }) {
  const config = loadCampaign(path.join(dir, 'campaign.yaml'), { proposers: PROPOSERS });
  const out = path.join(dir, 'out');
  fs.mkdirSync(out, { recursive: true });
  const store = new Store();
  const engine = new Engine({ config, outDir: out, journal: Journal.create(path.join(out, 'journal.jsonl')), store, ...parts });
  return { engine, store, out };
}
