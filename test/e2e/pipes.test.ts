// report and export into pipes: a slow reader gets every byte, a closed pipe ends them quietly, and
// a closed pipe never stops a running campaign's supervisor.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, campaignDir, cliSpawn, QUADRATIC_PY, stateOf } from '../helpers.js';
import { Journal } from '../../src/journal.js';
import type { EventBody } from '../../src/events.js';

const CAMPAIGN = `name: big
command: python3 quad.py {x} {y}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: -1, high: 1 }
  y: { type: float, low: -1, high: 1 }
budget: { trials: 2000 }
`;

const TRIALS = 2000;

/** A finished 2,000-trial campaign written straight through the journal API (no real trials). */
function bigCampaign(): string {
  const dir = campaignDir({ 'campaign.yaml': CAMPAIGN, 'quad.py': QUADRATIC_PY });
  const out = path.join(dir, 'state');
  fs.mkdirSync(out);
  let t = 1_700_000_000_000;
  const journal = Journal.create(path.join(out, 'journal.jsonl'), () => (t += 10));
  const fingerprint = { key: 'abcd1234', host: 'h', hardware: 'cpu', budget: '{}' };
  const bodies: EventBody[] = [
    {
      type: 'campaign.started', name: 'big', goal: 'minimize', metric: 'loss', seed: 1, proposer: 'random', proposers: ['random'],
      config_file: path.join(dir, 'campaign.yaml'), config_hash: 'x', frozen: {}, budget: { trials: TRIALS }, parallel: 1,
    },
  ];
  for (let id = 1; id <= TRIALS; id++) {
    const x = Math.sin(id);
    const y = Math.cos(id);
    const loss = (x - 0.3) ** 2 + (y + 0.2) ** 2;
    bodies.push(
      { type: 'trial.proposed', id, proposer: 'random', proposal: { kind: 'params', params: { x, y } } },
      { type: 'trial.started', id, slot: 0, host: 'h', pid: 1000 + id, dir: path.join(out, 'trials', String(id)), fingerprint },
      { type: 'trial.metric', id, points: { loss: [[1, loss + 1], [2, loss + 0.5]] } },
      { type: 'trial.finished', id, exit_code: 0, signal: null, duration_ms: 1234, metrics: { loss }, score: loss },
      { type: 'trial.decided', id, status: id % 3 ? 'discard' : 'keep', reason: `loss ${loss} versus the incumbent, a reason long enough to fill the pipe`, score: loss, best: false },
    );
  }
  bodies.push({ type: 'campaign.finished', reason: `trial budget reached: ${TRIALS} trials` });
  // Journal.append fsyncs every decision; a tmpfs or a disk both take this in well under a second or two.
  for (const b of bodies) journal.append(b);
  journal.close();
  return dir;
}

/** `nightshift ARGS | python3 SLOW_READER`: the reader waits until the pipe is full, then reads in small sips. */
function throughSlowReader(dir: string, args: string[]): { code: number | null; text: string; stderr: string } {
  const reader = `import sys, time
time.sleep(1.0)
data = b''
while True:
    chunk = sys.stdin.buffer.read(4096)
    if not chunk:
        break
    data += chunk
    time.sleep(0.001)
sys.stdout.buffer.write(data)
`;
  const script = `"${process.execPath}" "${BIN}" ${args.join(' ')} | python3 -c "$READER"; echo "exit=\${PIPESTATUS[0]}" >&2`;
  const r = spawnSync('bash', ['-c', script], { cwd: dir, env: { ...process.env, READER: reader }, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  const m = /exit=(\d+)/.exec(r.stderr);
  return { code: m ? Number(m[1]) : null, text: r.stdout, stderr: r.stderr.replace(/exit=\d+\n?/, '') };
}

describe('report and export through pipes', () => {
  const dir = bigCampaign();

  it('a slow reader gets the whole export (jsonl, csv, tsv) and the whole report --json', () => {
    const jsonl = throughSlowReader(dir, ['export', 'campaign.yaml', '--out', 'state', '--format', 'jsonl']);
    expect(jsonl.stderr).toBe('');
    expect(jsonl.code).toBe(0);
    expect(jsonl.text.length).toBeGreaterThan(256 * 1024);
    const rows = jsonl.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(TRIALS);
    expect(rows.at(-1).id).toBe(TRIALS);

    for (const [format, sep] of [['csv', ','], ['tsv', '\t']] as const) {
      const r = throughSlowReader(dir, ['export', 'campaign.yaml', '--out', 'state', '--format', format]);
      expect(r.code).toBe(0);
      const lines = r.text.split('\n');
      expect(lines.at(-1)).toBe('');
      expect(lines).toHaveLength(TRIALS + 2);
      expect(lines[TRIALS].split(sep)[0]).toBe(String(TRIALS));
    }

    const report = throughSlowReader(dir, ['report', 'campaign.yaml', '--out', 'state', '--json']);
    expect(report.code).toBe(0);
    const json = JSON.parse(report.text);
    expect(json.trials).toHaveLength(TRIALS);
  });

  it('a closed pipe (| head -1) ends report and export quietly with exit 0', () => {
    for (const args of [
      ['export', 'campaign.yaml', '--out', 'state'],
      ['export', 'campaign.yaml', '--out', 'state', '--format', 'csv'],
      ['report', 'campaign.yaml', '--out', 'state', '--json'],
      ['report', 'campaign.yaml', '--out', 'state'],
    ]) {
      const script = `"${process.execPath}" "${BIN}" ${args.join(' ')} | head -1; echo "exit=\${PIPESTATUS[0]}" >&2`;
      const r = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      expect(r.stdout.split('\n')).toHaveLength(2);
      expect(r.stderr).toBe('exit=0\n');
    }
  });
});

describe('a headless supervisor whose stdout is closed', () => {
  it('keeps supervising: every trial still runs and is decided, and it exits 0', async () => {
    const dir = campaignDir({
      'campaign.yaml': CAMPAIGN.replace('budget: { trials: 2000 }', 'budget: { trials: 6 }\nparallel: 2').replace('quad.py {x} {y}', 'quad.py {x} {y} 0.05'),
      'quad.py': QUADRATIC_PY,
    });
    const out = path.join(dir, '.nightshift', 'big');
    const run = cliSpawn(['run', 'campaign.yaml', '--headless'], dir);
    // Read the first line, then close our end, as `| head -1` does.
    await new Promise<void>((resolve) => {
      const check = () => (run.out().includes('\n') ? resolve() : setTimeout(check, 20));
      check();
    });
    run.child.stdout.destroy();
    expect(await run.exited).toBe(0);
    expect(run.err()).toBe('');
    const s = stateOf(out);
    expect(s.finished?.reason).toMatch(/trial budget reached: 6 trials/);
    expect(s.counted).toBe(6);
    expect((s.counts.keep ?? 0) + (s.counts.discard ?? 0)).toBe(6);
  });

  it('keeps supervising when its stdout is a pipe closed by head -1', () => {
    const dir = campaignDir({
      'campaign.yaml': CAMPAIGN.replace('budget: { trials: 2000 }', 'budget: { trials: 5 }').replace('quad.py {x} {y}', 'quad.py {x} {y} 0.02'),
      'quad.py': QUADRATIC_PY,
    });
    const script = `"${process.execPath}" "${BIN}" run campaign.yaml --headless | head -1; echo "exit=\${PIPESTATUS[0]}" >&2`;
    const r = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).toMatch(/campaign big: metric loss/);
    expect(r.stderr).toBe('exit=0\n');
    const s = stateOf(path.join(dir, '.nightshift', 'big'));
    expect(s.finished).not.toBeNull();
    expect((s.counts.keep ?? 0) + (s.counts.discard ?? 0)).toBe(5);
  });
});

