// Slot-idle benchmark: does a slot wait on the model? A scripted chat-completions server on
// 127.0.0.1 answers llm-params after a delay (the model's think time); trials are `sleep`. The same
// campaign runs twice in this run through the real CLI: with the engine's propose-ahead
// (queue_ahead: 2) and with the naive baseline "propose only when a slot frees" (queue_ahead: 0).
// Idle time is, per slot, the gap between a trial's end (trial.finished) and the next start on that
// slot (the first start, which both pay for the first answer, is left out); it is printed as a share
// of the time trials ran.
//
//   npm run bench -- slot-idle                       model 1.5 s, trial 3 s, 12 trials, 2 slots
//   npm run bench -- slot-idle --model 3 --trial 6   the scale (30 s / 60 s, divided by 10)
//   npm run bench -- slot-idle --n 20 --k 4
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { completion, startLlmServer, type RecordedRequest, type ScriptedResponse } from '../fakes/llm-server.js';

const BIN = fileURLToPath(new URL('../../../bin/nightshift.js', import.meta.url));

interface Args {
  modelS: number;
  trialS: number;
  n: number;
  k: number;
}

interface Measure {
  idleMs: number;
  trialMs: number;
  wallMs: number;
  calls: number;
  worstGapMs: number;
}

function flag(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : NaN;
  return Number.isFinite(v) && v >= 0 ? v : fallback;
}

/** The model: k fresh points after `delayMs`, k read from the prompt. */
function model(delayMs: number): (req: RecordedRequest) => ScriptedResponse {
  let n = 0;
  return (req) => {
    const text = String(req.body?.messages?.at(-1)?.content ?? '');
    const k = Number(/Give (\d+) (?:new|replacement) point/.exec(text)?.[1] ?? 1);
    const points = Array.from({ length: k }, () => ({ x: Number(((++n * 0.6180339) % 1).toFixed(6)) }));
    return { delay_ms: delayMs, body: completion(JSON.stringify({ points }), { prompt_tokens: 500, completion_tokens: 40 }) };
  };
}

async function campaign(a: Args, baseUrl: string, queueAhead: number): Promise<Measure> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-bench-idle-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'campaign.yaml'),
      `name: idle
command: "sleep ${a.trialS} && echo loss={x}"
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
proposer: llm-params
llm: { model: bench-model, base_url: ${baseUrl}, api_key_env: NS_BENCH_KEY, timeout: 5m }
parallel: ${a.k}
queue_ahead: ${queueAhead}
budget: { trials: ${a.n} }
`,
    );
    const out = path.join(dir, 'out');
    const child = spawn(process.execPath, [BIN, 'run', path.join(dir, 'campaign.yaml'), '--headless', '--out', out], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NS_BENCH_KEY: 'bench' },
    });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`nightshift exited ${code}: ${stderr.slice(0, 500)}`);
    const events = fs.readFileSync(path.join(out, 'journal.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; t: number; id?: number; slot?: number });
    const started = new Map<number, { t: number; slot: number }>();
    const finished = new Map<number, number>();
    for (const e of events) {
      if (e.type === 'trial.started') started.set(e.id!, { t: e.t, slot: e.slot! });
      if (e.type === 'trial.finished') finished.set(e.id!, e.t);
    }
    const bySlot = new Map<number, Array<{ start: number; end: number }>>();
    let trialMs = 0;
    for (const [id, s] of started) {
      const end = finished.get(id);
      if (end === undefined) continue;
      trialMs += end - s.t;
      bySlot.set(s.slot, [...(bySlot.get(s.slot) ?? []), { start: s.t, end }]);
    }
    let idleMs = 0;
    let worstGapMs = 0;
    for (const runs of bySlot.values()) {
      runs.sort((x, y) => x.start - y.start);
      for (let i = 1; i < runs.length; i++) {
        const gap = Math.max(0, runs[i].start - runs[i - 1].end);
        idleMs += gap;
        worstGapMs = Math.max(worstGapMs, gap);
      }
    }
    return { idleMs, trialMs, wallMs: events[events.length - 1].t - events[0].t, calls: events.filter((e) => e.type === 'llm.call').length, worstGapMs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

export async function runSlotIdleBench(argv: string[]): Promise<void> {
  const a: Args = { modelS: flag(argv, 'model', 1.5), trialS: flag(argv, 'trial', 3), n: Math.max(2, Math.round(flag(argv, 'n', 12))), k: Math.max(1, Math.round(flag(argv, 'k', 2))) };
  const server = await startLlmServer();
  server.respond(model(a.modelS * 1000));
  try {
    console.log(`slot-idle: model answers in ${a.modelS}s, trials sleep ${a.trialS}s, ${a.n} trials on ${a.k} slots (llm-params through the CLI against a scripted server)`);
    const ahead = await campaign(a, server.baseUrl, 2);
    const naive = await campaign(a, server.baseUrl, 0);
    const row = (name: string, m: Measure) =>
      `${name.padEnd(28)} idle ${s(m.idleMs).padStart(8)} = ${pct(m.idleMs / m.trialMs).padStart(6)} of trial time   worst gap ${s(m.worstGapMs).padStart(7)}   wall ${s(m.wallMs).padStart(7)}   ${m.calls} model calls`;
    console.log(row('propose-ahead (queue_ahead 2)', ahead));
    console.log(row('naive (queue_ahead 0)', naive));
    const ratio = ahead.idleMs > 0 ? (naive.idleMs / ahead.idleMs).toFixed(1) : '∞';
    console.log(`naive / propose-ahead idle: ${ratio}×; wall ${(naive.wallMs / ahead.wallMs).toFixed(2)}×`);
  } finally {
    await server.close();
  }
}
