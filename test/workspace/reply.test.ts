import { describe, expect, it } from 'vitest';
import { parseReply } from '../../src/workspace/edits.js';

const fence = '```';

describe('parseReply', () => {
  it('reads k labelled proposals, each with a hypothesis and its edits in any format', () => {
    const reply = [
      '### Proposal 1',
      'Hypothesis: a longer warmup stabilises early training.',
      `${fence}diff`,
      '--- a/train.py',
      '+++ b/train.py',
      '@@ -5,1 +5,1 @@',
      '-    warmup = 100',
      '+    warmup = 500',
      fence,
      '',
      '### Proposal 2',
      '**Hypothesis:** a higher base rate learns faster.',
      'train.py',
      `${fence}python`,
      '<<<<<<< SEARCH',
      '    base = 1e-3',
      '=======',
      '    base = 3e-3',
      '>>>>>>> REPLACE',
      fence,
      '## Proposal 3',
      'Hypothesis: rewrite the tiny config.',
      '`config.py`',
      `${fence}python`,
      'DEPTH = 4',
      fence,
    ].join('\n');
    const r = parseReply(reply);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.proposals.map((p) => p.hypothesis)).toEqual([
      'a longer warmup stabilises early training.',
      'a higher base rate learns faster.',
      'rewrite the tiny config.',
    ]);
    expect(r.proposals[0].edits).toEqual([{ kind: 'diff', text: expect.stringContaining('+    warmup = 500') }]);
    expect(r.proposals[1].edits).toEqual([
      { kind: 'search_replace', path: 'train.py', search: '    base = 1e-3', replace: '    base = 3e-3' },
    ]);
    expect(r.proposals[2].edits).toEqual([{ kind: 'rewrite', path: 'config.py', content: 'DEPTH = 4\n' }]);
  });

  it('accepts a single unlabelled proposal with bare SEARCH/REPLACE blocks', () => {
    const reply = [
      'Hypothesis: fewer steps.',
      'train.py',
      '<<<<<<< SEARCH',
      '    for step in range(1000):',
      '=======',
      '    for step in range(500):',
      '>>>>>>> REPLACE',
    ].join('\n');
    const r = parseReply(reply);
    expect(r.ok && r.proposals).toEqual([
      {
        hypothesis: 'fewer steps.',
        edits: [{ kind: 'search_replace', path: 'train.py', search: '    for step in range(1000):', replace: '    for step in range(500):' }],
      },
    ]);
  });

  it('a reply with no edit gives the reason', () => {
    const r = parseReply(`I think the learning rate is too low.\n${fence}python\nlr = 3e-3\n${fence}\n`);
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/^the reply contains no edit: /) });
    const plain = parseReply('Try a bigger model.');
    expect(plain.ok).toBe(false);
    if (!plain.ok) expect(plain.reason).toMatch(/no ```diff block, no SEARCH\/REPLACE block and no file rewrite/);
  });

  it('keeps the proposals with edits and says why the others were dropped', () => {
    const r = parseReply(['### Proposal 1', 'Hypothesis: nothing concrete.', '### Proposal 2', 'Hypothesis: x.', 'a.py', `${fence}`, 'x = 1', fence].join('\n'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.proposals).toHaveLength(1);
    expect(r.rejected).toEqual([{ hypothesis: 'nothing concrete.', reason: expect.stringMatching(/contains no edit/) }]);
  });
});
