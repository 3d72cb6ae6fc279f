// Sandbox benchmark: what bwrap costs a trial. The same trial (`echo loss=1`) runs through the real
// local runner, start → exit delivered, with and without a sandbox (the spec a code campaign's
// trial gets: hidden state directory, its trial directory bound back, a frozen file read-only),
// alternating in the same run so both see the same machine load. Prints the median and p90 per
// trial and the difference and ratio of the medians.
//
//   npm run bench -- sandbox            30 trials each
//   npm run bench -- sandbox --n 100
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalRunner } from '../../runners/local.js';
import type { SandboxSpec, TrialLaunch } from '../../src/runner.js';

function flag(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function once(runner: LocalRunner, base: string, id: number, sandbox?: SandboxSpec): Promise<number> {
  const launch: TrialLaunch = {
    id,
    command: 'echo loss=1',
    cwd: path.join(base, 'work'),
    dir: path.join(base, 'state', 'trials', String(id)),
    env: { NIGHTSHIFT_TRIAL_DIR: path.join(base, 'state', 'trials', String(id)) },
    params: {},
    files: { 'params.json': '{}\n' },
    ...(sandbox ? { sandbox } : {}),
  };
  const t0 = performance.now();
  const trial = await runner.start(launch, runner.free()[0], () => {});
  const exit = await trial.done;
  const ms = performance.now() - t0;
  trial.release();
  if (exit.code !== 0) throw new Error(`trial ${id} failed (${exit.sandboxError ?? `exit ${exit.code}`}): is bwrap installed?`);
  return ms;
}

export async function runSandboxBench(argv: string[]): Promise<void> {
  const n = flag(argv, 'n', 30);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-bench-sandbox-'));
  try {
    fs.mkdirSync(path.join(base, 'work'), { recursive: true });
    fs.writeFileSync(path.join(base, 'work', 'evaluate.py'), 'print(1)\n');
    const spec: SandboxSpec = { network: false, hide: [], readOnly: ['evaluate.py'], hidePaths: [path.join(base, 'state')] };
    const runner = new LocalRunner(1);
    const bare: number[] = [];
    const boxed: number[] = [];
    // One of each first, unmeasured: page cache and the first exec of bwrap.
    await once(runner, base, 1);
    await once(runner, base, 2, spec);
    for (let i = 0; i < n; i++) {
      bare.push(await once(runner, base, 10 + 2 * i));
      boxed.push(await once(runner, base, 11 + 2 * i, spec));
    }
    const [b50, s50] = [quantile(bare, 0.5), quantile(boxed, 0.5)];
    console.log(`sandbox: ${n} trials each, alternating (echo loss=1 through the local runner, start → exit)`);
    console.log(`  unsandboxed  median ${b50.toFixed(1)} ms  p90 ${quantile(bare, 0.9).toFixed(1)} ms`);
    console.log(`  sandboxed    median ${s50.toFixed(1)} ms  p90 ${quantile(boxed, 0.9).toFixed(1)} ms`);
    console.log(`  cost of the sandbox per trial: +${(s50 - b50).toFixed(1)} ms (×${(s50 / b50).toFixed(2)})`);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}
