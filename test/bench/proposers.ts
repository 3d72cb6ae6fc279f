// `npm run bench -- proposers [--seeds 10] [--trials 200] [--sizes 100,500,1000,2000,5000] [--reps 15]
//                             [--problems a,b] [--no-optuna] [--no-speed] [--no-quality]`
//
// Quality: best value after 50/100/200 trials (mean, sd, median regret over the seeds) of random, tpe,
// tpe multivariate and cmaes on Hartmann6, Branin, Rosenbrock-6 and a mixed space — and of Optuna's
// RandomSampler, TPESampler (independent, multivariate) and CmaEsSampler in the same run, when
// `import optuna` works in python3 or /usr/bin/python3 (test/bench/optuna_bench.py).
// Speed: the proposer's own time per proposal after n completed 6-D trials, median and p90, next to
// Optuna's ask() at the same n. Prints markdown tables; writes the raw numbers as JSON to .bench/.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Goal, Params, Proposer, ProposerContext, TrialView } from '../../src/types.js';
import { Rng } from '../../proposers/numeric/rng.js';
import { RandomProposer } from '../../proposers/random.js';
import { TpeProposer } from '../../proposers/tpe.js';
import { CmaesProposer } from '../../proposers/cmaes.js';
import { PROBLEMS, hartmann6, type Problem } from './problems.js';

const execFileAsync = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The Python helper sits in the source tree; this file runs from dist/test/bench. */
const PY_HELPER = path.resolve(HERE, '../../../test/bench/optuna_bench.py');
const PYTHONS = ['python3', '/usr/bin/python3'];

interface Method {
  id: string;
  label: string;
  make?: () => Proposer;
  optuna?: string;
}

const OURS: Method[] = [
  { id: 'random', label: 'random', make: () => new RandomProposer() },
  { id: 'tpe', label: 'tpe independent', make: () => new TpeProposer({ multivariate: false }) },
  { id: 'tpe_mv', label: 'tpe multivariate (default)', make: () => new TpeProposer({ multivariate: true }) },
  { id: 'cmaes', label: 'cmaes', make: () => new CmaesProposer() },
];
const THEIRS: Method[] = [
  { id: 'optuna_random', label: 'Optuna Random', optuna: 'random' },
  { id: 'optuna_tpe', label: 'Optuna TPE independent', optuna: 'tpe' },
  { id: 'optuna_tpe_mv', label: 'Optuna TPE multivariate', optuna: 'tpe_mv' },
  { id: 'optuna_cmaes', label: 'Optuna CmaEs', optuna: 'cmaes' },
];

export interface ProposersBenchArgs {
  seeds: number;
  trials: number;
  checkpoints: number[];
  sizes: number[];
  reps: number;
  problems: string[];
  optuna: boolean;
  speed: boolean;
  quality: boolean;
}

export function parseArgs(argv: string[]): ProposersBenchArgs {
  const a: ProposersBenchArgs = {
    seeds: 10,
    trials: 200,
    checkpoints: [50, 100, 200],
    sizes: [100, 500, 1000, 2000, 5000],
    reps: 15,
    problems: PROBLEMS.map((p) => p.name),
    optuna: true,
    speed: true,
    quality: true,
  };
  const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--seeds') a.seeds = Number(value());
    else if (flag === '--trials') a.trials = Number(value());
    else if (flag === '--checkpoints') a.checkpoints = list(value()).map(Number);
    else if (flag === '--sizes') a.sizes = list(value()).map(Number);
    else if (flag === '--reps') a.reps = Number(value());
    else if (flag === '--problems') a.problems = list(value());
    else if (flag === '--no-optuna') a.optuna = false;
    else if (flag === '--no-speed') a.speed = false;
    else if (flag === '--no-quality') a.quality = false;
    else throw new Error(`unknown option ${flag} for the proposers bench`);
  }
  for (const p of a.problems) if (!PROBLEMS.some((q) => q.name === p)) throw new Error(`unknown problem ${p}`);
  a.checkpoints = a.checkpoints.filter((c) => c <= a.trials);
  return a;
}

// ---------- statistics ----------

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}
function sd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
const median = (xs: number[]) => quantile(xs, 0.5);

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  if (a >= 100) return v.toFixed(0);
  return v.toPrecision(4);
}
function fmtMs(v: number): string {
  return v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3);
}

// ---------- quality ----------

function view(id: number, params: Params, score: number, best: number): TrialView {
  return { id, status: score < best ? 'keep' : 'discard', params, score, lastValue: null, lastStep: null, reason: '', summary: '', proposer: 'bench' };
}

function ctxFor(problem: Problem, history: TrialView[], seed: number, goal: Goal = 'minimize'): ProposerContext {
  return { space: problem.space, goal, history, incumbent: null, seed, signal: new AbortController().signal };
}

/** Sequential search: best value seen after each checkpoint. */
async function searchOnce(make: () => Proposer, problem: Problem, seed: number, trials: number, checkpoints: number[]): Promise<Record<string, number>> {
  const p = make();
  const history: TrialView[] = [];
  let best = Infinity;
  const out: Record<string, number> = {};
  for (let i = 0; i < trials; i++) {
    const [prop] = (await p.propose(ctxFor(problem, history, seed), 1)).proposals;
    if (!prop || prop.kind !== 'params') throw new Error(`${p.name} proposed nothing on ${problem.name}`);
    const v = problem.f(prop.params);
    history.push(view(i, prop.params, v, best));
    if (v < best) best = v;
    if (checkpoints.includes(i + 1)) out[String(i + 1)] = best;
  }
  return out;
}

interface QualityRun {
  problem: string;
  method: string;
  seed: number;
  best: Record<string, number>;
  seconds?: number;
  error?: string;
}

// ---------- Optuna ----------

export interface OptunaInfo {
  python: string;
  version: string;
}

/** The first of python3, /usr/bin/python3 that can `import optuna`, or the reasons none can. */
export async function findOptuna(): Promise<OptunaInfo | { missing: string }> {
  const reasons: string[] = [];
  for (const py of PYTHONS) {
    try {
      const { stdout } = await execFileAsync(py, ['-c', 'import optuna; print(optuna.__version__)'], { timeout: 60_000 });
      return { python: py, version: stdout.trim() };
    } catch (e) {
      const msg = (e as { stderr?: string; code?: string }).stderr?.trim().split('\n').pop() ?? String((e as Error).message);
      reasons.push(`${py}: ${msg}`);
    }
  }
  return { missing: reasons.join('; ') };
}

function runPython(py: string, args: string[]): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = spawn(py, [PY_HELPER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${py} optuna_bench.py ${args[0]} exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
      else {
        try {
          resolve(JSON.parse(out));
        } catch (e) {
          reject(new Error(`optuna_bench.py printed no JSON: ${(e as Error).message}`));
        }
      }
    });
  });
}

// ---------- speed ----------

interface SpeedRow {
  method: string;
  n: number;
  reps: number;
  median_ms: number;
  p90_ms: number;
  cold_ms?: number;
}

const H6_SPACE = PROBLEMS.find((p) => p.name === 'hartmann6')!.space;
const X6 = ['x0', 'x1', 'x2', 'x3', 'x4', 'x5'];

function randomHistory(n: number): TrialView[] {
  const rng = new Rng(12345);
  const h: TrialView[] = [];
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const params: Params = {};
    for (const k of X6) params[k] = rng.next();
    const v = hartmann6(X6.map((k) => params[k] as number));
    h.push(view(i, params, v, best));
    best = Math.min(best, v);
  }
  return h;
}

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

async function timeTpe(options: ConstructorParameters<typeof TpeProposer>[0], n: number, reps: number): Promise<Omit<SpeedRow, 'method'>> {
  const history = randomHistory(n);
  const p = new TpeProposer(options);
  const times: number[] = [];
  let cold = 0;
  for (let r = 0; r <= reps; r++) {
    const t0 = nowMs();
    await p.propose({ space: H6_SPACE, goal: 'minimize', history, incumbent: null, seed: r, signal: new AbortController().signal }, 1);
    const dt = nowMs() - t0;
    if (r === 0) cold = dt; // first call also converts every trial's params (cached afterwards)
    else times.push(dt);
  }
  return { n, reps, median_ms: median(times), p90_ms: quantile(times, 0.9), cold_ms: cold };
}

/**
 * CMA-ES is measured the way the engine drives it: one instance proposing after every finished trial
 * (the replay is incremental). `cold_ms` is a fresh instance replaying the whole history at n.
 */
async function timeCmaes(sizes: number[], reps: number): Promise<Array<Omit<SpeedRow, 'method'>>> {
  const problem = PROBLEMS.find((p) => p.name === 'hartmann6')!;
  const maxN = Math.max(...sizes);
  const p = new CmaesProposer();
  const history: TrialView[] = [];
  const times: number[] = [];
  let best = Infinity;
  const out: Array<Omit<SpeedRow, 'method'>> = [];
  for (let i = 0; i <= maxN; i++) {
    const t0 = nowMs();
    const [prop] = (await p.propose(ctxFor(problem, history, 7), 1)).proposals;
    times.push(nowMs() - t0);
    if (sizes.includes(i)) {
      const window = times.slice(Math.max(1, i + 1 - reps * 4));
      const c0 = nowMs();
      await new CmaesProposer().propose(ctxFor(problem, history, 7), 1);
      const cold = nowMs() - c0;
      out.push({ n: i, reps: window.length, median_ms: median(window), p90_ms: quantile(window, 0.9), cold_ms: cold });
    }
    if (prop.kind !== 'params') throw new Error('cmaes proposed no params');
    const v = problem.f(prop.params);
    history.push(view(i, prop.params, v, best));
    best = Math.min(best, v);
  }
  return out;
}

// ---------- the bench ----------

export async function runProposersBench(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const started = new Date();
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
  console.log(`# Proposer benchmark — ${started.toISOString()}\n\nMachine: ${machine}\n`);
  console.log(`Seeds 0–${args.seeds - 1}, ${args.trials} trials, problems: ${args.problems.join(', ')}.\n`);

  let optuna: OptunaInfo | null = null;
  if (args.optuna) {
    const found = await findOptuna();
    if ('missing' in found) {
      console.log(`**Optuna is missing** (${found.missing}); its columns are skipped. On Debian: \`apt-get install python3-optuna\`.\n`);
    } else {
      optuna = found;
      console.log(`Optuna ${found.version} (${found.python}).\n`);
    }
  } else {
    console.log('Optuna: skipped (--no-optuna).\n');
  }

  const seeds = Array.from({ length: args.seeds }, (_, i) => i);
  const runs: QualityRun[] = [];
  const speed: SpeedRow[] = [];
  const notes: string[] = [];

  if (args.quality) {
    // Optuna runs in its own process on the second core while ours run here.
    const optunaQuality = optuna
      ? runPython(optuna.python, [
          'quality',
          '--problems', args.problems.join(','),
          '--seeds', seeds.join(','),
          '--trials', String(args.trials),
          '--checkpoints', args.checkpoints.join(','),
        ]).catch((e: Error) => {
          notes.push(`Optuna quality run failed: ${e.message}`);
          return null;
        })
      : Promise.resolve(null);
    for (const problemName of args.problems) {
      const problem = PROBLEMS.find((p) => p.name === problemName)!;
      for (const m of OURS) {
        for (const seed of seeds) {
          const t0 = nowMs();
          const best = await searchOnce(m.make!, problem, seed, args.trials, args.checkpoints);
          runs.push({ problem: problem.name, method: m.id, seed, best, seconds: (nowMs() - t0) / 1000 });
        }
      }
      process.stderr.write(`quality: ${problem.name} done (ours)\n`);
    }
    const theirs = await optunaQuality;
    if (theirs) {
      for (const r of theirs.runs as Array<{ problem: string; sampler: string; seed: number; best?: Record<string, number>; seconds?: number; error?: string }>) {
        runs.push({ problem: r.problem, method: `optuna_${r.sampler}`, seed: r.seed, best: r.best ?? {}, seconds: r.seconds, error: r.error });
      }
    }
  }

  if (args.speed) {
    const reps = args.reps;
    // Warm the JIT first so the smallest history size is not charged for compilation.
    await timeTpe({ multivariate: false }, 300, 30);
    await timeTpe({ multivariate: true }, 300, 30);
    for (const n of args.sizes) {
      speed.push({ method: 'tpe', ...(await timeTpe({ multivariate: false }, n, reps)) });
      speed.push({ method: 'tpe_mv', ...(await timeTpe({ multivariate: true }, n, reps)) });
      process.stderr.write(`speed: tpe n=${n} done\n`);
    }
    for (const row of await timeCmaes(args.sizes, reps)) speed.push({ method: 'cmaes', ...row });
    if (optuna) {
      try {
        const theirs = await runPython(optuna.python, ['speed', '--sizes', args.sizes.join(','), '--reps', String(reps), '--samplers', 'tpe,tpe_mv']);
        for (const r of theirs.speed as Array<{ sampler: string; n: number; reps: number; median_ms: number; p90_ms: number }>) {
          speed.push({ method: `optuna_${r.sampler}`, n: r.n, reps: r.reps, median_ms: r.median_ms, p90_ms: r.p90_ms });
        }
      } catch (e) {
        notes.push(`Optuna speed run failed: ${(e as Error).message}`);
      }
    }
  }

  const methods = [...OURS, ...(optuna ? THEIRS : [])];
  const lines: string[] = [];
  if (args.quality) {
    lines.push(`## Quality: best value found (mean ± sd, median regret in brackets), ${args.seeds} seeds\n`);
    for (const problemName of args.problems) {
      const problem = PROBLEMS.find((p) => p.name === problemName)!;
      lines.push(`### ${problem.name} (optimum ${problem.optimum})\n`);
      lines.push(`| method | ${args.checkpoints.map((c) => `${c} trials`).join(' | ')} |`);
      lines.push(`|---|${args.checkpoints.map(() => '---').join('|')}|`);
      for (const m of methods) {
        const rs = runs.filter((r) => r.problem === problem.name && r.method === m.id && !r.error);
        if (rs.length === 0) {
          const err = runs.find((r) => r.problem === problem.name && r.method === m.id && r.error);
          if (err) lines.push(`| ${m.label} | ${args.checkpoints.map(() => 'error').join(' | ')} |`);
          continue;
        }
        const cells = args.checkpoints.map((c) => {
          const v = rs.map((r) => r.best[String(c)]).filter((x) => x !== undefined);
          return `${fmt(mean(v))} ± ${fmt(sd(v))} (${fmt(median(v.map((x) => x - problem.optimum)))})`;
        });
        lines.push(`| ${m.label} | ${cells.join(' | ')} |`);
      }
      lines.push('');
    }
  }
  if (args.speed) {
    lines.push(`## Speed: ms per proposal after n completed trials (6-D, Hartmann6), median / p90\n`);
    const cols = ['tpe', 'tpe_mv', 'cmaes', ...(optuna ? ['optuna_tpe', 'optuna_tpe_mv'] : [])];
    const names: Record<string, string> = { tpe: 'tpe independent', tpe_mv: 'tpe multivariate', cmaes: 'cmaes', optuna_tpe: `Optuna ${optuna?.version ?? ''} TPE ask()`, optuna_tpe_mv: `Optuna ${optuna?.version ?? ''} TPE mv ask()` };
    const ratio = optuna ? ['speed-up tpe', 'speed-up tpe mv'] : [];
    lines.push(`| n | ${cols.map((c) => names[c]).join(' | ')}${ratio.length ? ' | ' + ratio.join(' | ') : ''} |`);
    lines.push(`|---|${[...cols, ...ratio].map(() => '---').join('|')}|`);
    for (const n of args.sizes) {
      const get = (m: string) => speed.find((r) => r.method === m && r.n === n);
      const cells = cols.map((c) => {
        const r = get(c);
        return r ? `${fmtMs(r.median_ms)} / ${fmtMs(r.p90_ms)}` : '—';
      });
      const ratios = optuna
        ? [['tpe', 'optuna_tpe'], ['tpe_mv', 'optuna_tpe_mv']].map(([a, b]) => {
            const ra = get(a);
            const rb = get(b);
            return ra && rb ? `${(rb.median_ms / ra.median_ms).toFixed(0)}×` : '—';
          })
        : [];
      lines.push(`| ${n} | ${[...cells, ...ratios].join(' | ')} |`);
    }
    lines.push('');
    lines.push('tpe: the same history each call after a first, cold call (reported in the JSON as cold_ms). cmaes: one instance proposing after every trial of a real run (cold replay of the whole history in the JSON).');
    lines.push('');
  }
  for (const n of notes) lines.push(`Note: ${n}\n`);
  console.log(lines.join('\n'));

  const dir = path.resolve(HERE, '../../../.bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `proposers-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify({ started: started.toISOString(), machine, args, optuna, notes, quality: runs, speed }, null, 1) + '\n',
  );
  console.log(`Raw numbers: ${file}`);
}
