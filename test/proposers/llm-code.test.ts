// llm-code through the real `openai` SDK over HTTP to a scripted server, with a real CodeView over a
// real git repository: what the model is shown, how its edits are tried and revised, what is refused.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLlm, type LlmCallRecord } from '../../src/llm.js';
import { openWorkspace } from '../../src/workspace/git.js';
import { createCodeView } from '../../src/workspace/code-view.js';
import { applyEdits } from '../../src/workspace/edits.js';
import { LlmCodeProposer, llmCodeOptions } from '../../proposers/llm-code.js';
import type { ProposerContext, TrialView } from '../../src/types.js';
import { startLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';
import { git, makeRepo } from '../workspace/helpers.js';

const TRAIN = ['import sys', '', 'def main():', '    lr = 0.1', '    epochs = 3', '    print(f"loss: {lr * epochs}")', '', 'main()', ''].join('\n');
const FILES = { 'train.py': TRAIN, 'model.py': 'layers = 2\n', 'evaluate.py': 'print("score")\n', 'README.md': 'hello\n' };
const ENV = { NS_TEST_KEY: 'sk-test-llm-code' };

let server: FakeLlmServer;
let repo: string;
let stateDir: string;
let calls: LlmCallRecord[];

beforeEach(async () => {
  server = await startLlmServer();
  repo = makeRepo(FILES);
  stateDir = path.join(repo, '.nightshift', 'c');
  calls = [];
});
afterEach(async () => {
  await server.close();
  fs.rmSync(repo, { recursive: true, force: true });
});

async function proposer(options: Record<string, unknown> = {}) {
  const ws = await openWorkspace({ repo, campaign: 'c', stateDir, mutable: ['train.py', 'model.py', 'sub/*.py'], frozen: ['evaluate.py'] });
  const code = createCodeView(ws);
  const llm = createLlm(
    { model: 'fake-coder', base_url: server.baseUrl, api_key_env: 'NS_TEST_KEY', timeout_ms: 5000, price: { input_per_mtok: 1, output_per_mtok: 2 } },
    { journal: (r) => void calls.push(r), stateDir, env: ENV, retry: { attempts: 3, base_ms: 5, max_ms: 20 } },
  );
  const p = new LlmCodeProposer(llmCodeOptions.parse(options), { space: {}, llm, code, campaign: { name: 'c', metric: 'loss', goal: 'minimize', command: 'python3 train.py', mutable: ['train.py'] } });
  return { p, ws, code };
}

function ctx(over: Partial<ProposerContext> = {}): ProposerContext {
  return { space: {}, goal: 'minimize', history: [], incumbent: null, seed: 1, signal: new AbortController().signal, ...over };
}

const sr = (file: string, search: string, replace: string) => `${file}\n\`\`\`python\n<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE\n\`\`\``;
const userText = (i: number): string => server.requests[i].body.messages.map((m: { content: string }) => m.content).join('\n');
const worktrees = () => git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length;

describe('llm-code', () => {
  it('turns k proposals from one call into diffs that apply to the base, summing usage', async () => {
    const { p, ws } = await proposer();
    server.push({
      text: [
        '### Proposal 1', 'Hypothesis: A smaller learning rate lowers the loss.', sr('train.py', '    lr = 0.1', '    lr = 0.05'),
        '### Proposal 2', 'Hypothesis: Fewer epochs.', sr('train.py', '    epochs = 3', '    epochs = 2'),
        '### Proposal 3', 'Hypothesis: A deeper model.', 'model.py', '```python', 'layers = 3', '```',
      ].join('\n'),
      usage: { prompt_tokens: 1000, completion_tokens: 200 },
    });
    const r = await p.propose(ctx(), 3);
    const tip = await ws.tip();
    expect(r.proposals).toHaveLength(3);
    expect(r.proposals.map((x) => x.kind === 'code' && x.hypothesis)).toEqual(['A smaller learning rate lowers the loss.', 'Fewer epochs.', 'A deeper model.']);
    for (const x of r.proposals) {
      expect(x).toMatchObject({ kind: 'code', base: tip });
      expect(x).not.toHaveProperty('invalid');
    }
    const first = r.proposals[0];
    if (first.kind !== 'code') throw new Error('not code');
    expect(first.diff).toContain('--- a/train.py\n+++ b/train.py');
    expect(first.diff).toContain('-    lr = 0.1\n+    lr = 0.05');
    // The diff applies to a fresh checkout of the base and gives the edited file.
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-fresh-'));
    fs.writeFileSync(path.join(fresh, 'train.py'), TRAIN);
    expect(await applyEdits(fresh, [{ kind: 'diff', text: first.diff }], { mutable: ['train.py'], frozen: [] })).toEqual({ ok: true, files: ['train.py'] });
    expect(fs.readFileSync(path.join(fresh, 'train.py'), 'utf8')).toBe(TRAIN.replace('lr = 0.1', 'lr = 0.05'));
    expect(server.requests).toHaveLength(1);
    expect(userText(0)).toMatch(/Propose 3 different code changes.*diverse/);
    expect(r.usage).toEqual({ model: 'fake-coder', tokens_in: 1000, tokens_out: 200, usd: (1000 + 400) / 1e6 });
    // The user's tree is untouched and the scratch worktree is gone.
    expect(fs.readFileSync(path.join(repo, 'train.py'), 'utf8')).toBe(TRAIN);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(worktrees()).toBe(1);
  });

  it('a reply with no edit is one invalid proposal, with no revision call', async () => {
    const { p } = await proposer();
    server.push({ text: 'Hypothesis: I think the learning rate is too high, you should lower it.' });
    const r = await p.propose(ctx(), 2);
    expect(r.proposals).toHaveLength(1);
    expect(r.proposals[0]).toMatchObject({ kind: 'code', diff: '', invalid: expect.stringMatching(/^no edit in the reply/) });
    expect(server.requests).toHaveLength(1);
    expect(r.usage?.tokens_in).toBeGreaterThan(0);
  });

  it('an edit that does not apply goes back with the error, and the fixed revision is used', async () => {
    const { p } = await proposer();
    server.push(
      { text: ['Hypothesis: Lower the learning rate.', sr('train.py', '    lr = 0.3', '    lr = 0.05')].join('\n') },
      { text: ['### Proposal 1', 'Hypothesis: Lower the learning rate to 0.05.', sr('train.py', '    lr = 0.1', '    lr = 0.05')].join('\n') },
    );
    const r = await p.propose(ctx(), 1);
    expect(server.requests).toHaveLength(2);
    const second = server.requests[1].body.messages as { role: string; content: string }[];
    expect(second.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    // The model sees the error and the closest lines of the file.
    expect(second[3].content).toMatch(/SEARCH/);
    expect(second[3].content).toContain('lr = 0.1');
    expect(r.proposals).toHaveLength(1);
    expect(r.proposals[0]).toMatchObject({ kind: 'code', hypothesis: 'Lower the learning rate to 0.05.' });
    expect(r.proposals[0]).not.toHaveProperty('invalid');
    expect(r.usage?.tokens_in).toBe(20);
  });

  it('gives up after max_revisions with the reason, and revises only the failed proposals together', async () => {
    const { p } = await proposer({ max_revisions: 2 });
    const bad = sr('train.py', '    lr = 0.7', '    lr = 0.05');
    server.push(
      { text: ['### Proposal 1', 'Hypothesis: good one.', sr('train.py', '    epochs = 3', '    epochs = 4'), '### Proposal 2', 'Hypothesis: bad one.', bad].join('\n') },
      { text: ['### Proposal 1', 'Hypothesis: bad one again.', bad].join('\n') },
      { text: ['### Proposal 1', 'Hypothesis: bad one still.', bad].join('\n') },
    );
    const r = await p.propose(ctx(), 2);
    expect(server.requests).toHaveLength(3);
    expect(server.requests[1].body.messages.at(-1).content).toMatch(/^This proposal could not be applied/);
    expect(r.proposals[0]).not.toHaveProperty('invalid');
    expect(r.proposals[1]).toMatchObject({ diff: '', invalid: expect.stringMatching(/SEARCH.*after 2 revisions/s) });
  });

  it('SEARCH/REPLACE with drifted whitespace applies', async () => {
    const { p } = await proposer();
    server.push({ text: ['Hypothesis: More epochs.', sr('train.py', 'lr = 0.1 \nepochs   = 3', 'lr = 0.1\nepochs = 5')].join('\n') });
    const r = await p.propose(ctx(), 1);
    const x = r.proposals[0];
    expect(x).not.toHaveProperty('invalid');
    if (x.kind !== 'code') throw new Error('not code');
    expect(x.diff).toContain('-    epochs = 3\n+    epochs = 5');
  });

  it('refuses a frozen file, path traversal and a symlink escape: invalid, nothing written', async () => {
    fs.mkdirSync(path.join(repo, 'sub'));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-outside-'));
    fs.symlinkSync(outside, path.join(repo, 'sub', 'link'));
    fs.writeFileSync(path.join(repo, 'sub', 'ok.py'), 'x = 1\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'sub');
    const { p } = await proposer({ max_revisions: 0 });
    server.push({
      text: [
        '### Proposal 1', 'Hypothesis: Cheat the evaluator.', '```diff', '--- a/evaluate.py', '+++ b/evaluate.py', '@@ -1 +1 @@', '-print("score")', '+print("loss: 0")', '```',
        '### Proposal 2', 'Hypothesis: Escape.', '```diff', '--- a/../escape.py', '+++ b/../escape.py', '@@ -0,0 +1 @@', '+x = 1', '```',
        '### Proposal 3', 'Hypothesis: Through a link.', 'sub/link/evil.py', '```python', 'x = 2', '```',
      ].join('\n'),
    });
    const r = await p.propose(ctx(), 3);
    expect(r.proposals.map((x) => x.kind === 'code' && x.invalid)).toEqual([
      expect.stringMatching(/frozen/),
      expect.stringMatching(/\.\./),
      expect.stringMatching(/symlink|not mutable/),
    ]);
    for (const x of r.proposals) expect(x).toMatchObject({ diff: '' });
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(fs.existsSync(path.join(repo, '..', 'escape.py'))).toBe(false);
    expect(fs.readFileSync(path.join(repo, 'evaluate.py'), 'utf8')).toBe('print("score")\n');
  });

  it('the prompt holds the mutable files (not frozen ones), notes, lineage with deltas and a collapsed tail, escalation', async () => {
    const { p } = await proposer();
    const view = (over: Partial<TrialView>): TrialView => ({ id: 1, status: 'discard', params: {}, score: null, lastValue: null, lastStep: null, reason: '', summary: '', proposer: 'tpe', ...over });
    const progress = Array.from({ length: 50 }, (_, i) => `epoch 1: ${i * 2}%|${'#'.repeat(i % 10 + 5)}|`).join('\n');
    const repeated = Array.from({ length: 400 }, (_, i) => `step ${i} loss nan`).join('\n');
    const history = [
      view({ id: 1, status: 'keep', params: { lr: 0.1 }, score: 0.5 }),
      view({ id: 2, status: 'discard', params: { lr: 0.3 }, score: 0.7 }),
      view({ id: 3, status: 'crash', proposer: 'llm-code', hypothesis: 'Use a bigger batch.', diff: 'x', reason: 'exit 1', summary: `${progress}\n${repeated}\nRuntimeError: CUDA out of memory` }),
    ];
    server.push({ text: 'nothing' });
    await p.propose(ctx({ history, incumbent: history[0], notes: ['never touch the optimizer'], escalation: { from: 'tpe', reason: '15 trials without improvement' } }), 1);
    const text = userText(0);
    expect(text).toContain(TRAIN.trim());
    expect(text).toContain('layers = 2');
    expect(text).not.toContain('print("score")');
    expect(text).toContain('never touch the optimizer');
    expect(text).toMatch(/#2 discard score=0\.7 \(\+0\.2 vs incumbent, worse\)/);
    expect(text).toContain('#3 crash [llm-code] code: Use a bigger batch.');
    expect(text).toContain('why: exit 1');
    expect(text).toContain('RuntimeError: CUDA out of memory');
    expect(text).toMatch(/similar lines/);
    expect(text.match(/loss nan/g)?.length).toBeLessThanOrEqual(2);
    expect(text.match(/%\|/g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(text).toMatch(/15 trials without improvement/);
    expect(text).toMatch(/best: #1 score=0\.5 with lr=0\.1/);
  });

  it('keeps the prompt under the token budget: oldest lineage first, then the files', async () => {
    fs.writeFileSync(path.join(repo, 'model.py'), Array.from({ length: 400 }, (_, i) => `w${i} = ${i}  # a weight`).join('\n') + '\n');
    git(repo, 'commit', '-qam', 'big model');
    const { p } = await proposer({ token_budget: 1500 });
    const history = Array.from({ length: 30 }, (_, i): TrialView => ({ id: i + 1, status: 'discard', params: { lr: i }, score: i, lastValue: null, lastStep: null, reason: '', summary: '', proposer: 'tpe' }));
    server.push({ text: 'nothing' });
    await p.propose(ctx({ history }), 1);
    const text = userText(0);
    expect(text.length / 4).toBeLessThanOrEqual(1500);
    expect(text).not.toContain('#1 discard');
    expect(text).toMatch(/more lines not shown/);
    expect(text).toContain('w0 = 0');
  });

  it('a 429 with retry-after, then success', async () => {
    const { p } = await proposer();
    server.push({ status: 429, headers: { 'retry-after': '0' }, body: { error: { message: 'slow down' } } }, { text: ['Hypothesis: x.', sr('train.py', '    lr = 0.1', '    lr = 0.2')].join('\n') });
    const r = await p.propose(ctx(), 1);
    expect(server.requests).toHaveLength(2);
    expect(r.proposals[0]).not.toHaveProperty('invalid');
    expect(calls.map((c) => [c.outcome, c.attempts])).toEqual([['ok', 2]]);
  });

  it('a 500 storm ends in a clear failure of propose(), and the scratch worktree is cleaned', async () => {
    const { p } = await proposer();
    for (let i = 0; i < 3; i++) server.push({ status: 500, body: { error: { message: 'upstream exploded' } } });
    const err = await p.propose(ctx(), 1).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/fake-coder/);
    expect(err?.message).toMatch(/500|server/i);
    expect(err?.message).not.toContain(ENV.NS_TEST_KEY);
    expect(worktrees()).toBe(1);
  });
});
