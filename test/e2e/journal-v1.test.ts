// A campaign journaled by version 1 of the format (trial.started carried pid and dir, no locator)
// must still replay: `report` and `export` print what they printed when it was written.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, events, ROOT, stateOf } from '../helpers.js';
import { getTrial } from '../../src/state.js';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'journal-v1');

function copyFixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-v1-'));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

describe('a version-1 journal', () => {
  it('replays into the same state, report and export', () => {
    const dir = copyFixture();
    const s = stateOf(path.join(dir, 'out'));
    expect(s.counts).toMatchObject({ keep: 1, discard: 3 });
    expect(s.best).toBe(1);
    expect(s.finished?.reason).toBe('trial budget reached: 4 trials');
    // pid and dir of a version-1 trial.started become the local runner's locator, so `resume` can re-attach.
    const started = events(path.join(dir, 'out')).find((e) => e.type === 'trial.started')!;
    expect(started.v).toBe(1);
    expect(getTrial(s, 1)!.locator).toEqual({ runner: 'local', host: 'vm', pid: started.type === 'trial.started' ? started.pid : -1, pid_start: expect.any(String), dir: '/tmp/v1fx/out/trials/1' });
    const report = cli(['report', 'campaign.yaml', '--out', 'out'], dir);
    expect(report.code).toBe(0);
    expect(report.stdout).toBe(fs.readFileSync(path.join(FIXTURE, 'report.txt'), 'utf8'));
    const json = cli(['report', 'campaign.yaml', '--out', 'out', '--json'], dir);
    expect(json.stdout).toBe(fs.readFileSync(path.join(FIXTURE, 'report.json'), 'utf8'));
    const exported = cli(['export', 'campaign.yaml', '--out', 'out'], dir);
    expect(exported.stdout).toBe(fs.readFileSync(path.join(FIXTURE, 'export.jsonl'), 'utf8'));
  });
});
