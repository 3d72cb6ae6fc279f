// Loop benchmark: N trials of a fixed duration d, k at a time, supervised by nightshift (the real
// CLI, headless) against `xargs -P k` running the same command in the same run, the floor for "run
// N processes k at a time". Prints wall times, the ratio to the floor, trials/s, the overhead per
// trial and nightshift's peak RSS.
//
//   npm run bench -- loop                      quick matrix (a few minutes)
//   npm run bench -- loop --full               d = 0, 0.1, 0.5, 1 s; N = 1k and 10k at d = 0; k = 2 and 8
//   npm run bench -- loop --d 0 --n 1000,10000 --k 2,8     any matrix
//
// nightshift's time is its loop (campaign.started → campaign.finished in the journal): node's own
// start-up (~0.2–0.5 s, paid once per campaign) is printed apart, not spread over the trials.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/nightshift.js', import.meta.url));

interface Case {
  d: number;
  n: number;
  k: number;
}

interface Row extends Case {
  floorMs: number;
  loopMs: number;
  startupMs: number;
  peakRssMb: number;
  decided: number;
}

function command(d: number): string {
  return `sleep ${d}; echo loss=1`;
}

function floor(c: Case): number {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', `seq ${c.n} | xargs -P ${c.k} -I{} sh -c '${command(c.d)}' > /dev/null`], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`xargs failed (${r.status})`);
  return performance.now() - t0;
}

function vmHwmKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function nightshift(c: Case): Promise<Omit<Row, keyof Case | 'floorMs'>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-bench-loop-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'campaign.yaml'),
      `name: loop
command: "${command(c.d)}"
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
proposer: random
parallel: ${c.k}
budget: { trials: ${c.n} }
`,
    );
    const out = path.join(dir, 'out');
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, 'run', path.join(dir, 'campaign.yaml'), '--headless', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    // VmHWM is the peak so far: the last reading before the exit is the run's peak (within 50 ms).
    let peak = 0;
    const poll = setInterval(() => (peak = Math.max(peak, vmHwmKb(child.pid!))), 50);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearInterval(poll);
    const wall = performance.now() - t0;
    if (code !== 0) throw new Error(`nightshift exited ${code}: ${stderr.slice(0, 500)}`);
    const lines = fs.readFileSync(path.join(out, 'journal.jsonl'), 'utf8').trimEnd().split('\n');
    const first = JSON.parse(lines[0]) as { t: number };
    const last = JSON.parse(lines[lines.length - 1]) as { t: number; type: string };
    const decided = lines.filter((l) => l.includes('"type":"trial.decided"')).length;
    const loopMs = last.t - first.t;
    return { loopMs, startupMs: wall - loopMs, peakRssMb: peak / 1024, decided };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function list(flag: string, argv: string[]): number[] | null {
  const i = argv.indexOf(flag);
  if (i < 0 || i + 1 >= argv.length) return null;
  return argv[i + 1].split(',').map(Number);
}

function matrix(argv: string[]): Case[] {
  const ds = list('--d', argv);
  const ns = list('--n', argv);
  const ks = list('--k', argv);
  if (ds || ns || ks) {
    const out: Case[] = [];
    for (const d of ds ?? [0]) for (const n of ns ?? [1000]) for (const k of ks ?? [2]) out.push({ d, n, k });
    return out;
  }
  if (argv.includes('--full')) {
    const out: Case[] = [];
    for (const k of [2, 8]) {
      for (const n of [1000, 10_000]) out.push({ d: 0, n, k });
      // Long trials: enough rounds that the floor is a few minutes at most.
      for (const d of [0.1, 0.5, 1]) out.push({ d, n: Math.round((k * 120) / d), k });
    }
    return out.map((c) => ({ ...c, n: Math.min(c.n, 10_000) }));
  }
  // Quick: cost per trial at two sizes (flatness), and long trials against the floor.
  return [
    { d: 0, n: 300, k: 2 },
    { d: 0, n: 1500, k: 2 },
    { d: 0, n: 1500, k: 8 },
    { d: 0.1, n: 200, k: 8 },
    { d: 1, n: 48, k: 8 },
  ];
}

const f = (x: number, digits = 1) => x.toFixed(digits);

export async function runLoopBench(argv: string[]): Promise<void> {
  const cases = matrix(argv);
  console.log(`loop: nightshift (headless CLI) vs xargs -P k, same command \`${command(0).replace('0', 'd')}\`, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`);
  console.log(
    ['d(s)', 'N', 'k', 'xargs s', 'nightshift s', 'ratio', 'trials/s', 'floor/s', '+ms/trial', '+slot-ms/trial', 'peak RSS MB', 'startup s']
      .map((h) => h.padStart(10))
      .join(' '),
  );
  const rows: Row[] = [];
  for (const c of cases) {
    const floorMs = floor(c);
    const ns = await nightshift(c);
    if (ns.decided !== c.n) throw new Error(`nightshift decided ${ns.decided} of ${c.n} trials`);
    const row = { ...c, floorMs, ...ns };
    rows.push(row);
    const extra = (row.loopMs - row.floorMs) / c.n;
    console.log(
      [
        String(c.d), String(c.n), String(c.k), f(floorMs / 1000, 2), f(row.loopMs / 1000, 2), f(row.loopMs / floorMs, 3),
        f((c.n * 1000) / row.loopMs), f((c.n * 1000) / floorMs), f(extra, 2), f(extra * c.k, 2), f(row.peakRssMb), f(row.startupMs / 1000, 2),
      ]
        .map((v) => v.padStart(10))
        .join(' '),
    );
  }
  console.log(
    '\n+ms/trial: wall time nightshift adds per trial over the floor; +slot-ms/trial: how much longer each trial holds its slot (× k).\n' +
      'ratio: nightshift loop / xargs wall. Both ran the same command the same number of times, k at a time, in this run.',
  );
}
