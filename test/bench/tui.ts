// TUI benchmark: time to first paint and per-frame render cost with a 5,000-trial journal, and the
// supervisor's CPU share while 16 real trials each print 200 lines a second. Baselines measured in
// the same run: first paint of an empty campaign, and the same live load supervised headless.
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import React from 'react';
import { render } from 'ink';
import { App } from '../../components/App.js';
import { ThrottledSnapshots } from '../../components/use-campaign.js';
import { openExisting, type Session } from '../../src/session.js';
import { Store } from '../../src/store.js';
import { replay } from '../../src/state.js';
import { readJournal } from '../../src/journal.js';
import type { EventBody, NightshiftEvent } from '../../src/events.js';

const COLUMNS = 140;
const ROWS = 45;

class FakeStdout extends EventEmitter {
  columns = COLUMNS;
  rows = ROWS;
  isTTY = true;
  bytes = 0;
  writes = 0;
  write(chunk: string): boolean {
    this.bytes += chunk.length;
    this.writes++;
    return true;
  }
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  isRaw = false;
  setRawMode(v: boolean) {
    this.isRaw = v;
    return this;
  }
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read() {
    return null;
  }
}

const CHATTY_PY = `import sys, time, random
rate = float(sys.argv[1]); seconds = float(sys.argv[2])
t0 = time.time(); i = 0
while time.time() - t0 < seconds:
    i += 1
    print(f"step={i} loss={1.0 / (1 + i * 0.01) + random.random() * 0.01:.5f} lr=0.001 grad_norm={random.random():.3f}")
    if i % 20 == 0:
        sys.stdout.flush()
        time.sleep(20 / rate)
print(f"loss: {random.random():.5f}")
`;

function campaignYaml(parallel: number, trials: number, seconds: number): string {
  return `name: bench
command: python3 chatty.py 200 ${seconds}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
  y: { type: float, low: 0, high: 1 }
parallel: ${parallel}
budget: { trials: ${trials} }
`;
}

/** A journal of `n` finished trials with 60-point curves, written directly (no fsync per line). */
function syntheticJournal(file: string, n: number, configFile: string): void {
  const lines: string[] = [];
  let seq = 0;
  let t = Date.now() - n * 1000;
  const put = (b: EventBody) => lines.push(JSON.stringify({ v: 1, seq: ++seq, t: (t += 10), ...b }));
  put({ type: 'campaign.started', name: 'bench', goal: 'minimize', metric: 'loss', seed: 0, proposer: 'random', proposers: ['random'], config_file: configFile, config_hash: 'x', frozen: {}, budget: { trials: n }, parallel: 16 });
  let best = Infinity;
  for (let id = 1; id <= n; id++) {
    const x = Math.random();
    put({ type: 'trial.proposed', id, proposer: 'random', proposal: { kind: 'params', params: { x, y: Math.random() } } });
    put({ type: 'trial.started', id, slot: id % 16, host: `vm:${id % 16}`, pid: 1, dir: '/nonexistent', fingerprint: { key: 'fp', host: 'vm', hardware: 'hw', budget: '{}' } });
    const points: Array<[number, number]> = [];
    for (let s = 1; s <= 60; s++) points.push([s, x + 1 / s]);
    put({ type: 'trial.metric', id, points: { loss: points } });
    put({ type: 'trial.finished', id, exit_code: 0, signal: null, duration_ms: 1000, metrics: { loss: x }, score: x });
    const isBest = x < best;
    if (isBest) best = x;
    put({ type: 'trial.decided', id, status: isBest ? 'keep' : 'discard', reason: 'bench', score: x, best: isBest });
  }
  put({ type: 'budget.exhausted', which: 'trials', reason: 'bench' });
  put({ type: 'campaign.finished', reason: 'bench' });
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

interface Mounted {
  firstPaintMs: Promise<number>;
  frames: number[];
  stdout: FakeStdout;
  unmount(): void;
}

function mount(store: Store, session: Session | null): Mounted {
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  const frames: number[] = [];
  const source = new ThrottledSnapshots(store);
  const t0 = performance.now();
  let first!: (ms: number) => void;
  const firstPaintMs = new Promise<number>((r) => (first = r));
  const engine = session?.engine ?? {
    pause: () => ({ ok: true, message: '' }),
    resumeDispatch: () => ({ ok: true, message: '' }),
    stopTrial: () => ({ ok: true, message: '' }),
    promote: () => ({ ok: true, message: '' }),
    reorder: () => ({ ok: true, message: '' }),
    drop: () => ({ ok: true, message: '' }),
    switchProposer: () => ({ ok: true, message: '' }),
    approve: () => ({ ok: true, message: '' }),
    reject: () => ({ ok: true, message: '' }),
    editDiff: () => ({ ok: true, message: '' }),
    addNote: () => ({ ok: true, message: '' }),
    setReview: () => ({ ok: true, message: '' }),
    switchSide: () => ({ ok: true, message: '' }),
    availableProposers: () => ['random'],
    proposerSide: () => 'params' as const,
    tail: () => [],
    completed: () => [],
  };
  const inst = render(React.createElement(App, { source, engine, pruner: { warmup_steps: 5, min_trials: 3, interval_steps: 1 }, onQuit: () => {} }), {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    patchConsole: false,
    exitOnCtrlC: false,
    maxFps: 12,
    onRender: ({ renderTime }) => {
      if (frames.length === 0) first(performance.now() - t0);
      frames.push(renderTime);
    },
  });
  return {
    firstPaintMs,
    frames,
    stdout,
    unmount: () => {
      inst.unmount();
      source.dispose();
    },
  };
}

function stats(xs: number[]): { median: number; p90: number; mean: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { median: at(0.5), p90: at(0.9), mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length) };
}

async function firstPaint(trials: number, dir: string): Promise<{ ms: number; frameMs: number }> {
  const file = path.join(dir, `paint-${trials}.jsonl`);
  syntheticJournal(file, trials, path.join(dir, 'campaign.yaml'));
  const t0 = performance.now();
  const state = replay(readJournal(file).events);
  const replayMs = performance.now() - t0;
  const m = mount(new Store(state), null);
  const ms = (await m.firstPaintMs) + replayMs;
  const frameMs = m.frames[0];
  m.unmount();
  return { ms, frameMs };
}

/** Supervises 16 chatty trials on top of a 5,000-trial journal for `seconds`; TUI on or off. */
async function live(dir: string, withTui: boolean, seconds: number, history: number) {
  const work = path.join(dir, withTui ? 'tui' : 'headless');
  fs.mkdirSync(work, { recursive: true });
  fs.writeFileSync(path.join(work, 'chatty.py'), CHATTY_PY);
  const yaml = path.join(work, 'campaign.yaml');
  fs.writeFileSync(yaml, campaignYaml(16, history + 16, seconds + 5));
  const out = path.join(work, 'out');
  fs.mkdirSync(out, { recursive: true });
  syntheticJournal(path.join(out, 'journal.jsonl'), history, yaml);
  const session = await openExisting(yaml, { out });
  const m = withTui ? mount(session.store, session) : null;
  let lines = 0;
  session.store.subscribe((e: NightshiftEvent) => {
    if (e.type === 'trial.metric') lines += e.points.loss?.length ?? 0;
  });
  void session.begin();
  // Let the 16 trials start, then measure a steady window.
  const deadline = Date.now() + 15_000;
  while (session.store.getState().running.length < 16 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 500));
  const frames0 = m?.frames.length ?? 0;
  const lines0 = lines;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  const result = {
    running: session.store.getState().running.length,
    cpuShare: (cpu.user + cpu.system) / 1000 / wall,
    linesPerSecond: ((lines - lines0) / wall) * 1000,
    fps: m ? ((m.frames.length - frames0) / wall) * 1000 : 0,
    frame: m ? stats(m.frames.slice(frames0)) : null,
  };
  m?.unmount();
  await session.engine.interrupt(true);
  session.release();
  return result;
}

export async function runTuiBench(argv: string[]): Promise<void> {
  const seconds = Number(argv[argv.indexOf('--seconds') + 1]) || 8;
  const history = Number(argv[argv.indexOf('--history') + 1]) || 5000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-bench-tui-'));
  console.log(`\n## TUI (${COLUMNS}x${ROWS}, ${os.cpus().length}x ${os.cpus()[0]?.model?.trim()}, node ${process.version})\n`);

  const empty = await firstPaint(0, dir);
  const big = await firstPaint(history, dir);
  const headless = await live(dir, false, seconds, history);
  const tui = await live(dir, true, seconds, history);

  const f = (x: number, d = 1) => x.toFixed(d);
  console.log('| measure | baseline | with the TUI | ratio |');
  console.log('| --- | --- | --- | --- |');
  console.log(`| first paint (replay + first frame), ms | ${f(empty.ms)} (empty journal) | ${f(big.ms)} (${history} trials) | ${f(big.ms / empty.ms, 2)}× |`);
  console.log(`| first frame render, ms | ${f(empty.frameMs, 2)} | ${f(big.frameMs, 2)} | ${f(big.frameMs / empty.frameMs, 2)}× |`);
  console.log(`| supervisor CPU share, 16 trials × 200 lines/s | ${f(headless.cpuShare * 100)} % (headless) | ${f(tui.cpuShare * 100)} % | ${f(tui.cpuShare / headless.cpuShare, 2)}× |`);
  console.log(`| metric lines ingested per second | ${f(headless.linesPerSecond, 0)} | ${f(tui.linesPerSecond, 0)} | |`);
  console.log(`| frames per second (maxFps 12) | — | ${f(tui.fps)} | |`);
  console.log(`| render time per frame, median / p90 ms | — | ${f(tui.frame!.median, 2)} / ${f(tui.frame!.p90, 2)} | |`);
  const json = path.join(dir, 'tui-bench.json');
  fs.writeFileSync(json, JSON.stringify({ date: new Date().toISOString(), columns: COLUMNS, rows: ROWS, history, seconds, empty, big, headless, tui }, null, 2));
  console.log(`\nraw numbers: ${json}`);
}
