// budget.first_crashes: a campaign whose first trials all crash the same way stops with exit 1 and
// one paragraph quoting the reason, instead of burning its budget and exiting 0. The real CLI.
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { campaignDir, cli, stateOf } from '../helpers.js';
import { allTrials } from '../../src/state.js';
import { firstCrashesStop } from '../../src/engine/crash-streak.js';
import { NEW_STREAK, nextCrashStreak, type CrashStreak } from '../../src/state/rules.js';
import { crashReason } from '../../src/engine/fate.js';

function campaign(command: string, extra = ''): string {
  return `name: broken
command: ${command}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: -1, high: 1 }
parallel: 2
budget: { trials: 20${extra} }
`;
}

function expectOneParagraph(text: string) {
  expect(text.trim().split('\n')).toHaveLength(1);
  expect(text).not.toMatch(/\n\s+at /); // no stack trace
}

describe('the first trials all crash the same way', () => {
  it('command not found: stops after 3 with exit 1 and quotes the reason without the wrapper name', () => {
    const dir = campaignDir({ 'campaign.yaml': campaign('python4 train.py {x}') });
    const r = cli(['run', 'campaign.yaml', '--headless'], dir);
    expect(r.code).toBe(1);
    expectOneParagraph(r.stderr);
    // The stop comes at the third crash; with 2 slots a fourth may have crashed before it was said.
    expect(r.stderr).toMatch(/first [34] trials all crashed the same way/);
    expect(r.stderr).toContain('python4: not found');
    expect(r.stderr).toContain('budget.first_crashes: 0');
    expect(r.stdout + r.stderr).not.toContain('nightshift-trial');
    const s = stateOf(path.join(dir, '.nightshift', 'broken'));
    // Three crashed the same way; with 2 slots at most one more was already running.
    const decided = allTrials(s).filter((t) => t.status !== 'queued');
    expect(decided.length).toBeGreaterThanOrEqual(3);
    expect(decided.length).toBeLessThanOrEqual(4);
    expect(decided.every((t) => t.status === 'crash' && !t.reason.includes('nightshift-trial'))).toBe(true);
    expect(s.exhausted?.which).toBe('crashes');
    expect(s.finished).not.toBeNull();
  });

  it('a script with a syntax error: stops after 3 with exit 1, quoting the SyntaxError', () => {
    const dir = campaignDir({ 'campaign.yaml': campaign('python3 train.py {x}'), 'train.py': 'print("loss:", 1\n' });
    const r = cli(['run', 'campaign.yaml', '--headless'], dir);
    expect(r.code).toBe(1);
    expectOneParagraph(r.stderr);
    expect(r.stderr).toContain('SyntaxError');
  });

  it('runs the whole budget with budget.first_crashes: 0', () => {
    const dir = campaignDir({ 'campaign.yaml': campaign('python4 train.py {x}', ', first_crashes: 0').replace('trials: 20', 'trials: 5') });
    const r = cli(['run', 'campaign.yaml', '--headless'], dir);
    expect(r.code).toBe(0);
    expect(stateOf(path.join(dir, '.nightshift', 'broken')).counts.crash).toBe(5);
  });

  it('goes on when a trial scored, or the crashes differ', () => {
    const where = { workdir: '/w', outDir: '/o', file: 'c.yaml' };
    let s: CrashStreak = NEW_STREAK;
    for (let i = 0; i < 3; i++) s = nextCrashStreak(s, 'crash', 'exit code 1: boom');
    expect(firstCrashesStop(s, 3, false, where)).toContain('"exit code 1: boom"');
    expect(firstCrashesStop(s, 3, true, where)).toBeNull();
    expect(firstCrashesStop(s, 4, false, where)).toBeNull();
    expect(firstCrashesStop(s, 0, false, where)).toBeNull();
    expect(nextCrashStreak(s, 'lost', 'x')).toEqual(s);
    expect(nextCrashStreak(nextCrashStreak(NEW_STREAK, 'crash', 'a'), 'crash', 'b')).toBeNull();
    expect(nextCrashStreak(nextCrashStreak(NEW_STREAK, 'keep', ''), 'crash', 'a')).toBeNull();
    expect(nextCrashStreak(nextCrashStreak(NEW_STREAK, 'timeout', ''), 'crash', 'a')).toBeNull();
  });

  it('never shows the runner wrapper name in a crash reason (dash and bash wording)', () => {
    expect(crashReason({ code: 127, signal: null }, 'nightshift-trial: 1: eval: python4: not found')).toBe('exit code 127: python4: not found');
    expect(crashReason({ code: 127, signal: null }, 'nightshift-trial: line 1: python4: command not found')).toBe('exit code 127: python4: command not found');
    expect(crashReason({ code: null, signal: 'SIGSEGV' }, '')).toBe('signal SIGSEGV');
  });
});
