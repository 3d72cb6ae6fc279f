// The model client through the real `openai` SDK over real HTTP to a scripted server on 127.0.0.1.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLlm, LlmError, type LlmCallRecord, type LlmConfig, type LlmMessage } from '../../src/llm.js';
import { completion, startLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';

const KEY = 'sk-FAKEKEY-nightshift-7f3a9c2e1b';
const ENV = { NS_TEST_LLM_KEY: KEY };
const MESSAGES: LlmMessage[] = [
  { role: 'system', content: 'You propose experiments.' },
  { role: 'user', content: 'Propose one point for lr in [1e-4, 1e-1].' },
];

let server: FakeLlmServer;
let stateDir: string;
let records: LlmCallRecord[];

beforeEach(async () => {
  server = await startLlmServer();
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-llm-'));
  records = [];
});
afterEach(async () => {
  await server.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

function config(over: Partial<LlmConfig> = {}): LlmConfig {
  return { model: 'fake-model', base_url: server.baseUrl, api_key_env: 'NS_TEST_LLM_KEY', timeout_ms: 5000, ...over };
}

function llm(over: Partial<LlmConfig> = {}, attempts = 4) {
  // Small backoff so retries are quick; retry-after still comes from the server.
  return createLlm(config(over), { journal: (r) => void records.push(r), stateDir, env: ENV, retry: { attempts, base_ms: 10, max_ms: 40 } });
}

async function failure(p: Promise<unknown>): Promise<LlmError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(LlmError);
    return e as LlmError;
  }
  throw new Error('expected the call to fail');
}

function written(): string {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const f of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, f.name);
      if (f.isDirectory()) walk(p);
      else out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(stateDir);
  return out.join('\n');
}

describe('llm client', () => {
  it('returns the reply with usage and cost, journals the call and writes llm/<seq>.json', async () => {
    server.push({ text: '{"lr": 0.01}', usage: { prompt_tokens: 1000, completion_tokens: 500 } });
    const reply = await llm({ price: { input_per_mtok: 0.4, output_per_mtok: 1.6 }, temperature: 0.7, max_tokens: 123 }).complete({ proposer: 'llm-params', messages: MESSAGES });
    expect(reply.text).toBe('{"lr": 0.01}');
    expect(reply.usage).toEqual({ tokens_in: 1000, tokens_out: 500, usd: (1000 * 0.4 + 500 * 1.6) / 1e6, estimated: false });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].url).toBe('/v1/chat/completions');
    expect(server.requests[0].body).toMatchObject({ model: 'fake-model', temperature: 0.7, max_tokens: 123, messages: MESSAGES });
    expect(server.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ type: 'llm.call', proposer: 'llm-params', model: 'fake-model', tokens_in: 1000, tokens_out: 500, outcome: 'ok', attempts: 1, file: 'llm/1.json' });
    expect(records[0].prompt_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(records[0])).not.toContain('Propose one point');
    const file = JSON.parse(fs.readFileSync(path.join(stateDir, 'llm', '1.json'), 'utf8'));
    expect(file.messages).toEqual(MESSAGES);
    expect(file.reply).toBe('{"lr": 0.01}');
  });

  it('works against a base_url without /v1 and numbers calls on from the last file', async () => {
    fs.mkdirSync(path.join(stateDir, 'llm'), { recursive: true });
    fs.writeFileSync(path.join(stateDir, 'llm', '7.json'), '{}');
    server.push({ text: 'a' }, { text: 'b' });
    const client = llm({ base_url: server.baseUrl.replace(/\/v1$/, '') });
    await client.complete({ proposer: 'p', messages: MESSAGES });
    await client.complete({ proposer: 'p', messages: MESSAGES });
    expect(server.requests.map((r) => r.url)).toEqual(['/chat/completions', '/chat/completions']);
    expect(records.map((r) => r.file)).toEqual(['llm/8.json', 'llm/9.json']);
  });

  it('waits as long as retry-after says after a 429, then succeeds', async () => {
    server.push({ status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'slow down' } } }, { text: 'done' });
    const reply = await llm().complete({ proposer: 'p', messages: MESSAGES });
    expect(reply.text).toBe('done');
    expect(server.requests).toHaveLength(2);
    // Backoff alone would have waited at most 40 ms; retry-after asked for a second.
    expect(server.requests[1].at - server.requests[0].at).toBeGreaterThanOrEqual(950);
    expect(records[0]).toMatchObject({ outcome: 'ok', attempts: 2 });
  });

  it('retries a 500 and succeeds', async () => {
    server.push({ status: 500, body: { error: { message: 'boom' } } }, { text: 'fine' });
    const reply = await llm().complete({ proposer: 'p', messages: MESSAGES });
    expect(reply.text).toBe('fine');
    expect(records[0]).toMatchObject({ outcome: 'ok', attempts: 2 });
  });

  it('retries a dropped connection and succeeds', async () => {
    server.push({ destroy: true }, { text: 'back' });
    const reply = await llm().complete({ proposer: 'p', messages: MESSAGES });
    expect(reply.text).toBe('back');
    expect(server.requests).toHaveLength(2);
  });

  it('gives up on a 500 storm after the attempt budget with a clear error', async () => {
    server.push(...Array.from({ length: 5 }, () => ({ status: 503, body: { error: { message: 'overloaded' } } })));
    const e = await failure(llm({}, 3).complete({ proposer: 'p', messages: MESSAGES }));
    expect(e.kind).toBe('server');
    expect(e.message).toContain('HTTP 503 after 3 attempts');
    expect(server.requests).toHaveLength(3);
    expect(records[0]).toMatchObject({ outcome: 'server', attempts: 3, tokens_in: 0, usd: 0 });
  });

  it('gives up on a 429 storm beyond the retry budget', async () => {
    server.push(...Array.from({ length: 3 }, () => ({ status: 429, headers: { 'retry-after': '0' }, body: { error: { message: 'rate limit' } } })));
    const e = await failure(llm({}, 3).complete({ proposer: 'p', messages: MESSAGES }));
    expect(e.kind).toBe('rate_limited');
    expect(e.message).toMatch(/429.*after 3 attempts/);
  });

  it('a 401 names the env var, not the key, and is not retried', async () => {
    server.push({ status: 401, body: { error: { message: `Incorrect API key provided: ${KEY}` } } });
    const e = await failure(llm().complete({ proposer: 'p', messages: MESSAGES }));
    expect(e.kind).toBe('auth');
    expect(e.message).toContain('NS_TEST_LLM_KEY');
    expect(e.message).not.toContain(KEY);
    expect(server.requests).toHaveLength(1);
    expect(records[0].outcome).toBe('auth');
  });

  it('a 404 names the model and the base_url', async () => {
    const wrong = `${server.baseUrl}/nope`;
    const e = await failure(llm({ base_url: wrong, model: 'no-such-model' }).complete({ proposer: 'p', messages: MESSAGES }));
    expect(e.kind).toBe('not_found');
    expect(e.message).toContain('no-such-model');
    expect(e.message).toContain(wrong);
    expect(e.message.split('\n')).toHaveLength(1);
  });

  it('a 400 saying the model does not exist reads as a wrong model, not a bad request', async () => {
    server.push({ status: 400, body: { error: { message: 'gpt-9 is not a valid model ID' } } });
    const e = await failure(llm({ model: 'gpt-9' }).complete({ proposer: 'p', messages: MESSAGES }));
    expect(e.kind).toBe('not_found');
    expect(e.message).toContain('model gpt-9');
    expect(e.message).toContain(server.baseUrl);
  });

  it('stops at once when the caller aborts, without retrying', async () => {
    server.push({ delay_ms: 2000, text: 'late' }, { text: 'never asked' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const e = await failure(llm().complete({ proposer: 'p', messages: MESSAGES, signal: ac.signal }));
    expect(e.kind).toBe('aborted');
    expect(server.requests).toHaveLength(1);
    expect(records[0].outcome).toBe('aborted');
  });

  it('stops waiting for a retry when the caller aborts', async () => {
    server.push({ status: 429, headers: { 'retry-after': '30' }, body: { error: { message: 'later' } } });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const e = await failure(llm().complete({ proposer: 'p', messages: MESSAGES, signal: ac.signal }));
    expect(e.kind).toBe('aborted');
    expect(records[0].latency_ms).toBeLessThan(10_000);
  });

  it('times out a slow reply with a clear error', async () => {
    server.push({ delay_ms: 2000, text: 'too late' });
    const e = await failure(llm({ timeout_ms: 200 }).complete({ proposer: 'p', messages: MESSAGES }));
    expect(e.kind).toBe('timeout');
    expect(e.message).toContain('200 ms');
    expect(records[0].outcome).toBe('timeout');
  });

  it('prices a reply without usage from its text length and flags it estimated', async () => {
    const text = 'x'.repeat(400);
    server.push({ body: completion(text, null) });
    const reply = await llm({ price: { input_per_mtok: 1, output_per_mtok: 2 } }).complete({ proposer: 'p', messages: MESSAGES });
    expect(reply.usage.estimated).toBe(true);
    expect(reply.usage.tokens_out).toBe(100);
    expect(reply.usage.tokens_in).toBeGreaterThan(0);
    expect(reply.usage.usd).toBeGreaterThan(0);
    expect(records[0]).toMatchObject({ estimated: true, tokens_out: 100 });
  });

  it('asks again without response_format when the server rejects it', async () => {
    server.push({ status: 400, body: { error: { message: 'response_format not supported' } } }, { text: '{"a":1}' });
    const reply = await llm().complete({ proposer: 'p', messages: MESSAGES, json: true });
    expect(reply.text).toBe('{"a":1}');
    expect(server.requests[0].body.response_format).toEqual({ type: 'json_object' });
    expect(server.requests[1].body.response_format).toBeUndefined();
  });

  it('says which env var to set when the key is missing', () => {
    let err: unknown;
    try {
      createLlm(config({ api_key_env: 'NS_TEST_UNSET_KEY' }), { journal: () => {}, stateDir, env: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).kind).toBe('no_key');
    expect((err as LlmError).message).toContain('export NS_TEST_UNSET_KEY=');
  });

  it('never writes the key: not in errors, journal records or llm/*.json', async () => {
    server.push(
      { text: `echo ${KEY}` },
      { status: 401, body: { error: { message: `bad key ${KEY}` } } },
      ...Array.from({ length: 3 }, () => ({ status: 500, body: { error: { message: `internal ${KEY}` } } })),
      { destroy: true },
      { destroy: true },
      { destroy: true },
    );
    const client = llm({}, 3);
    const messages: string[] = [];
    await client.complete({ proposer: 'p', messages: MESSAGES });
    for (let i = 0; i < 3; i++) messages.push((await failure(client.complete({ proposer: 'p', messages: MESSAGES }))).message);
    expect(messages).toHaveLength(3);
    for (const m of messages) expect(m).not.toContain(KEY);
    expect(JSON.stringify(records)).not.toContain(KEY);
    const all = written();
    expect(all).toContain('bad key [key]');
    expect(all).not.toContain(KEY);
  });
});
