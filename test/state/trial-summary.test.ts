// TrialView.summary: what a proposer reads of a trial's output, short, plain and de-duplicated.
import { describe, expect, it } from 'vitest';
import { SUMMARY_LINE_CHARS, summarizeOutput } from '../../src/trial-summary.js';
import { getTrial, replay, trialView } from '../../src/state.js';
import type { EventBody, NightshiftEvent } from '../../src/events.js';

describe('summarizeOutput', () => {
  it.each<[string, string[], string]>([
    ['nothing known yet', [''], ''],
    ['a failure label as it is', ['exit code 1: ModuleNotFoundError: No module named torch'], 'exit code 1: ModuleNotFoundError: No module named torch'],
    ['surrounding blanks trimmed', ['  kept: best so far \n'], 'kept: best so far'],
    ['escape sequences and controls removed', ['\x1b[31mCUDA\x1b[0m out of\x07 memory\x1b]0;title\x07'], 'CUDA out of memory'],
    ['a progress bar keeps its last redraw', ['epoch 1 10%\repoch 1 55%\repoch 1 100%\r'], 'epoch 1 100%'],
    ['a repeated line kept once, at its last place', ['loss nan\nretrying\nloss nan'], 'retrying\nloss nan'],
    ['the last three distinct lines', ['a\nb\n\nc\nd\nd'], 'b\nc\nd'],
    ['several texts, oldest first', ['warming up', 'exit code 2: bad flag'], 'warming up\nexit code 2: bad flag'],
    ['bidi overrides cannot reorder the text', ['ok\u202egnp.exe'], 'okgnp.exe'],
    ['tabs become spaces', ['a\tb'], 'a b'],
  ])('%s', (_name, texts, expected) => {
    expect(summarizeOutput(texts)).toBe(expected);
  });

  it('cuts a long line', () => {
    const s = summarizeOutput(['x'.repeat(500)]);
    expect(s).toHaveLength(SUMMARY_LINE_CHARS);
    expect(s.endsWith('…')).toBe(true);
    const astral = summarizeOutput(['x'.repeat(SUMMARY_LINE_CHARS - 2) + '😀'.repeat(10)]);
    expect(astral).toBe('x'.repeat(SUMMARY_LINE_CHARS - 2) + '…');
  });
});

describe('trialView', () => {
  it('summarises the decision reason (the state keeps no output lines)', () => {
    const bodies: EventBody[] = [
      { type: 'campaign.started', name: 'c', goal: 'minimize', metric: 'loss', seed: 0, proposer: 'random', proposers: ['random'], config_file: 'c.yaml', config_hash: 'h', frozen: {}, budget: {}, parallel: 1 },
      { type: 'trial.proposed', id: 1, proposer: 'random', proposal: { kind: 'params', params: { x: 1 } } },
      { type: 'trial.proposed', id: 2, proposer: 'random', proposal: { kind: 'params', params: { x: 2 } } },
      { type: 'trial.decided', id: 1, status: 'crash', reason: 'exit code 1: \x1b[1mTraceback\x1b[0m', score: null, best: false },
    ];
    const s = replay(bodies.map((b, i) => ({ v: 1, seq: i + 1, t: 1000 + i, ...b }) as NightshiftEvent));
    expect(trialView(getTrial(s, 1)!).summary).toBe('exit code 1: Traceback');
    expect(trialView(getTrial(s, 2)!).summary).toBe('');
  });
});
