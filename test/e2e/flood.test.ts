// A trial that prints as fast as it can must not freeze its supervisor (issue 7, item 1): the real
// CLI, headless, against `yes` and an endless line without a newline. Before the fix the runner
// read the log until it caught up, which it never did: no timeout, no signals, a log of gigabytes.
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir, cliSpawn, events, processesWithEnv, waitFor } from '../helpers.js';
import { EXIT } from '../../src/cli.js';

function campaign(command: string, budget: string): string {
  return `name: flood
command: ${command}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
budget: ${budget}
kill_grace: 1s
max_log: 1MB
`;
}

const dirs: string[] = [];

afterEach(() => {
  // Whatever happened, no flooding process outlives its test.
  for (const dir of dirs.splice(0)) {
    for (const pid of processesWithEnv(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
});

function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Runs the campaign headless; resolves with the exit code (null: still running at the deadline, then killed) and peak RSS. */
async function supervise(dir: string, deadlineMs: number, during?: (run: ReturnType<typeof cliSpawn>) => Promise<void>) {
  const run = cliSpawn(['run', 'campaign.yaml', '--headless'], dir);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssKb(run.child.pid!))), 100);
  const extra = during?.(run);
  const code = await Promise.race([run.exited, new Promise<'late'>((r) => setTimeout(() => r('late'), deadlineMs))]);
  clearInterval(sampler);
  await extra;
  if (code === 'late') {
    run.child.kill('SIGKILL');
    await run.exited;
    return { code: null, peakMb: peak / 1024, out: run.out(), err: run.err() };
  }
  return { code, peakMb: peak / 1024, out: run.out(), err: run.err() };
}

describe('a trial that floods its output', () => {
  for (const [what, command] of [
    ['`yes`', 'yes'],
    ['an endless line without a newline', "yes x | tr -d '\\n'"],
  ] as const) {
    it(`${what}: ends as timeout at trial_timeout, with bounded supervisor memory and a capped log`, async () => {
      const dir = campaignDir({ 'campaign.yaml': campaign(command, '{ trials: 1, trial_timeout: 2s }') });
      dirs.push(dir);
      const out = path.join(dir, '.nightshift', 'flood');
      const r = await supervise(dir, 30_000);
      expect(r.code, `the supervisor did not finish in 30 s (frozen?)\n${r.out}${r.err}`).toBe(EXIT.ok);
      const evs = events(out);
      const decided = evs.find((e) => e.type === 'trial.decided');
      expect(decided).toMatchObject({ id: 1, status: 'timeout' });
      const finished = evs.find((e) => e.type === 'trial.finished');
      expect(finished?.type === 'trial.finished' && finished.duration_ms).toBeGreaterThanOrEqual(2000);
      // The timeout fired on time: 2 s plus well under the 1 s grace (yes dies on SIGTERM) plus slack.
      expect(finished?.type === 'trial.finished' && finished.duration_ms).toBeLessThan(6000);
      const log = path.join(out, 'trials', '1', 'output.log');
      expect(fs.statSync(log).size).toBeLessThanOrEqual(1024 * 1024);
      expect(fs.readFileSync(log, 'latin1')).toMatch(/\[nightshift\] output\.log passed max_log 1MB, \d+ bytes dropped here/);
      // Node alone is ~60-80 MB; a supervisor buffering the flood would be far past this.
      expect(r.peakMb).toBeGreaterThan(0);
      expect(r.peakMb).toBeLessThan(250);
    });
  }

  it('SIGTERM still stops the supervisor and the trial while `yes` floods', async () => {
    const dir = campaignDir({ 'campaign.yaml': campaign('yes', '{ trials: 1 }') });
    dirs.push(dir);
    const out = path.join(dir, '.nightshift', 'flood');
    let signalledAt = 0;
    const r = await supervise(dir, 30_000, async (run) => {
      await waitFor(() => events(out).some((e) => e.type === 'trial.started'), 20_000, 'the trial to start');
      await new Promise((res) => setTimeout(res, 1500));
      signalledAt = Date.now();
      run.child.kill('SIGTERM');
      await run.exited;
    });
    expect(r.code, `the supervisor ignored SIGTERM (frozen?)\n${r.out}${r.err}`).toBe(EXIT.interrupted);
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
    expect(events(out).some((e) => e.type === 'operator.quit')).toBe(true);
    await waitFor(() => processesWithEnv(out).length === 0, 10_000, 'the flooding trial to be gone');
  });

  it('a flood of metric lines keeps the journal small: a handful of points per batch, the newest kept', async () => {
    const dir = campaignDir({ 'campaign.yaml': campaign("yes 'step=1 loss=0.5'", '{ trials: 1, trial_timeout: 2s }') });
    dirs.push(dir);
    const out = path.join(dir, '.nightshift', 'flood');
    const r = await supervise(dir, 30_000);
    expect(r.code, `${r.out}${r.err}`).toBe(EXIT.ok);
    const evs = events(out);
    const metrics = evs.filter((e) => e.type === 'trial.metric');
    expect(metrics.length).toBeGreaterThan(0);
    // One step printed a million times is one point per batch, not a million.
    for (const e of metrics) if (e.type === 'trial.metric') expect(e.points.loss?.length ?? 0).toBeLessThanOrEqual(1);
    expect(fs.statSync(path.join(out, 'journal.jsonl')).size).toBeLessThan(200 * 1024);
  });

  it('a flood of metric lines with a rising step: each batch is bounded and ends on the newest point', async () => {
    const dir = campaignDir({
      'campaign.yaml': campaign('python3 count.py', '{ trials: 1 }'),
      'count.py': 'for i in range(1, 200001):\n    print(f"step={i} loss={1 / i}")\n',
    });
    dirs.push(dir);
    const out = path.join(dir, '.nightshift', 'flood');
    const r = await supervise(dir, 30_000);
    expect(r.code, `${r.out}${r.err}`).toBe(EXIT.ok);
    const metrics = events(out).filter((e) => e.type === 'trial.metric');
    expect(metrics.length, `${r.out}${r.err}`).toBeGreaterThan(0);
    let lastStep = 0;
    for (const e of metrics) {
      if (e.type !== 'trial.metric') continue;
      const pts = e.points.loss ?? [];
      expect(pts.length).toBeLessThanOrEqual(64);
      for (const [step] of pts) {
        expect(step).toBeGreaterThan(lastStep);
        lastStep = step;
      }
    }
    // Far more than 64 steps a batch were printed; the curve still ends on the last one.
    expect(lastStep).toBe(200_000);
    expect(metrics.length).toBeLessThan(200_000 / 64);
  });
});
