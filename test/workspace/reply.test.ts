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

describe('parseReply then applyEdits', () => {
  it('a git-style diff with a blank context line and prose after it applies', async () => {
    const { applyEdits } = await import('../../src/workspace/edits.js');
    const { tree, read, TRAIN } = await import('./tree.js');
    const dir = await tree({ 'train.py': TRAIN });
    const reply = [
      'Hypothesis: a cosine decay after warmup helps.',
      '',
      `${fence}diff`,
      'diff --git a/train.py b/train.py',
      'index 1111111..2222222 100644',
      '--- a/train.py',
      '+++ b/train.py',
      '@@ -7,4 +7,4 @@ def lr_at(step):',
      '         return base * step / warmup',
      '-    return base',
      '+    return base * 0.5 * (1 + math.cos(math.pi * step / 1000))',
      '',
      ' def main():',
      fence,
      'This keeps the warmup unchanged.',
    ].join('\n');
    const r = parseReply(reply);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.proposals[0].hypothesis).toBe('a cosine decay after warmup helps.');
    const a = await applyEdits(dir, r.proposals[0].edits, { mutable: ['train.py'], frozen: [] });
    expect(a).toEqual({ ok: true, files: ['train.py'] });
    expect(await read(dir, 'train.py')).toBe(TRAIN.replace('    return base\n', '    return base * 0.5 * (1 + math.cos(math.pi * step / 1000))\n'));
  });

  it('prose like "e.g." or a version number before a code block is not a file path', () => {
    expect(parseReply(`For instance, e.g.\n${fence}python\nlr = 1\n${fence}\n`).ok).toBe(false);
    expect(parseReply(`Python 3.11\n${fence}\nprint(1)\n${fence}\n`).ok).toBe(false);
  });
});

describe('parseReply headings', () => {
  it('accepts bold and plain "Proposal N:" headings, not prose that mentions a proposal', () => {
    const reply = ['**Proposal 1**', 'Hypothesis: a.', 'a.py', `${fence}`, 'a = 1', fence, 'Proposal 2: deeper net', 'b.py', `${fence}`, 'b = 2', fence, 'Proposal 2 is riskier than the first.'].join('\n');
    const r = parseReply(reply);
    expect(r.ok && r.proposals.map((p) => [p.hypothesis, p.edits.length])).toEqual([['a.', 1], ['deeper net', 1]]);
  });
});
