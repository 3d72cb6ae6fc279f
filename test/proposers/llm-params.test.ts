// llm-params through the real `openai` SDK over HTTP to a scripted server on 127.0.0.1: validation
// against the space with one re-ask carrying the reasons, the fenced-JSON fallback, repeats, usage.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLlm, type LlmCallRecord } from '../../src/llm.js';
import { LlmParamsProposer, llmParamsOptions } from '../../proposers/llm-params.js';
import { paramsPrompt } from '../../proposers/llm/params-prompt.js';
import type { ProposerContext, Space, TrialView } from '../../src/types.js';
import { startLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';

const SPACE: Space = {
  lr: { type: 'float', low: 1e-4, high: 0.1, log: true },
  layers: { type: 'int', low: 1, high: 8 },
  act: { type: 'categorical', choices: ['relu', 'gelu'] },
};

let server: FakeLlmServer;
let stateDir: string;
let records: LlmCallRecord[];

beforeEach(async () => {
  server = await startLlmServer();
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-llmp-'));
  records = [];
});
afterEach(async () => {
  await server.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

function proposer(options: Record<string, unknown> = {}) {
  const llm = createLlm(
    { model: 'fake-model', base_url: server.baseUrl, api_key_env: 'K', timeout_ms: 5000, price: { input_per_mtok: 1, output_per_mtok: 2 } },
    { journal: (r) => void records.push(r), stateDir, env: { K: 'sk-test-key-123' }, retry: { attempts: 2, base_ms: 5, max_ms: 10 } },
  );
  return new LlmParamsProposer(llmParamsOptions.parse(options), { space: SPACE, llm, campaign: { name: 't', metric: 'loss', goal: 'minimize', command: 'x', mutable: [] } });
}

function trial(id: number, params: TrialView['params'], score: number | null, status: TrialView['status'] = score === null ? 'crash' : 'discard', reason = ''): TrialView {
  return { id, status, params, score, lastValue: null, lastStep: null, reason, summary: '', proposer: 'llm-params' };
}

function ctx(history: TrialView[] = [], notes: string[] = []): ProposerContext {
  return { space: SPACE, goal: 'minimize', history, incumbent: null, seed: 0, notes, signal: new AbortController().signal };
}

const pts = (...points: object[]) => JSON.stringify({ points });
const userText = (i: number): string => server.requests[i].body.messages.map((m: { content: string }) => m.content).join('\n');

describe('llm-params', () => {
  it('rejects out-of-range and ill-typed points and asks once more with the reasons', async () => {
    server.push(
      { text: pts({ lr: 0.5, layers: 2, act: 'relu' }, { lr: 0.01, layers: 2.5, act: 'tanh' }, { lr: 0.001, layers: 3, act: 'gelu' }), usage: { prompt_tokens: 100, completion_tokens: 20 } },
      { text: pts({ lr: 0.02, layers: 4, act: 'relu' }, { lr: 0.003, layers: 1, act: 'gelu' }), usage: { prompt_tokens: 150, completion_tokens: 30 } },
    );
    const r = await proposer().propose(ctx([trial(1, { lr: 0.01, layers: 2, act: 'relu' }, 0.5)]), 3);
    expect(r.proposals).toEqual([
      { kind: 'params', params: { lr: 0.001, layers: 3, act: 'gelu' } },
      { kind: 'params', params: { lr: 0.02, layers: 4, act: 'relu' } },
      { kind: 'params', params: { lr: 0.003, layers: 1, act: 'gelu' } },
    ]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0].body.response_format).toEqual({ type: 'json_object' });
    const second = userText(1);
    expect(second).toContain('lr=0.5 is above the upper bound 0.1');
    expect(second).toContain('layers=2.5 is not a whole number');
    expect(second).toContain('act="tanh" is not one of the choices ["relu","gelu"]');
    expect(second).toContain('Give 2 replacement points');
    // The model sees its own first answer before the reasons.
    expect(server.requests[1].body.messages.at(-2).role).toBe('assistant');
    expect(r.usage).toEqual({ model: 'fake-model', tokens_in: 250, tokens_out: 50, usd: (250 * 1 + 50 * 2) / 1e6 });
    expect(records.map((c) => c.outcome)).toEqual(['ok', 'ok']);
  });

  it('reads a fenced JSON block when the server rejects response_format', async () => {
    server.push(
      { status: 400, body: { error: { message: "Unrecognized request argument supplied: response_format" } } },
      { text: 'Sure! Here are my points:\n```json\n{"points": [{"lr": 0.005, "layers": 6, "act": "gelu"}]}\n```\nGood luck.' },
    );
    const r = await proposer().propose(ctx(), 1);
    expect(r.proposals).toEqual([{ kind: 'params', params: { lr: 0.005, layers: 6, act: 'gelu' } }]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0].body.response_format).toBeDefined();
    expect(server.requests[1].body.response_format).toBeUndefined();
  });

  it('rejects exact repeats of earlier trials and within the reply, then fails with one line when the re-ask gives nothing usable', async () => {
    const old = { lr: 0.01, layers: 2, act: 'relu' };
    const fresh = { lr: 0.02, layers: 2, act: 'relu' };
    server.push({ text: pts(old, fresh, fresh) }, { text: pts(old) });
    const p = proposer();
    const r = await p.propose(ctx([trial(1, old, 0.3)]), 3);
    expect(r.proposals).toEqual([{ kind: 'params', params: fresh }]);
    const second = userText(1);
    expect(second).toContain('exactly repeats an earlier trial');
    expect(second).toContain('repeats another point in this reply');

    // Nothing usable after the re-ask: an error the engine journals as proposer.failed.
    server.push({ text: 'I cannot help with that.' }, { text: pts(old) });
    const err = await p.propose(ctx([trial(1, old, 0.3)]), 1).then(() => null, (e: Error) => e);
    expect(err?.message).toBe('the model gave no usable point after being asked again (exactly repeats an earlier trial)');
    expect(userText(3)).toContain('the reply held no points');
  });

  it('puts the best trial last, keeps the top k_history, notes, and drops the worst to fit the token budget', () => {
    const history = Array.from({ length: 30 }, (_, i) => trial(i + 1, { lr: 0.001 * (i + 1), layers: 1 + (i % 8), act: 'relu' }, 1 + ((i * 7) % 30) / 10));
    history.push(trial(31, { lr: 0.09, layers: 8, act: 'gelu' }, null, 'crash', 'CUDA out of memory'));
    const opts = llmParamsOptions.parse({});
    const [, user] = paramsPrompt(ctx(history, ['lr ≤ 3e-3']), 2, { metric: 'loss' }, opts);
    const lines = user.content.split('\n').filter((l) => l.startsWith('params:') && l.includes('loss:'));
    expect(lines).toHaveLength(20);
    const scores = lines.map((l) => Number(/loss: (\S+)/.exec(l)![1]));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores.at(-1)).toBe(1);
    expect(user.content).toContain('minimize loss (lower is better)');
    expect(user.content).toContain('- lr: float from 0.0001 to 0.1 inclusive, log scale');
    expect(user.content).toContain('- act: one of ["relu","gelu"]');
    expect(user.content).toContain('crash: CUDA out of memory');
    expect(user.content).toContain('- lr ≤ 3e-3');
    expect(user.content).toContain('Give 2 new points');

    const small = paramsPrompt(ctx(history), 2, { metric: 'loss' }, { ...opts, token_budget: 400 });
    const kept = small[1].content.split('\n').filter((l) => l.includes('loss:') && l.startsWith('params:'));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(20);
    // The best survive; the failures went first.
    expect(Number(/loss: (\S+)/.exec(kept.at(-1)!)![1])).toBe(1);
    expect(small[1].content).not.toContain('CUDA out of memory');
  });
});
