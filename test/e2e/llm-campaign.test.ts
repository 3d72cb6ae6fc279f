// A campaign with `proposer: llm-params` through the real CLI (`run --headless`, a child process),
// the real `openai` SDK and a scripted chat-completions server on 127.0.0.1 in this process: end to
// end, the USD budget stop, a missing key, a refused key, and what `report` says about spend.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliAsync, campaignDir, events, QUADRATIC_PY } from '../helpers.js';
import { formatTokens, formatUsd } from '../../src/format/number.js';
import { completion, startLlmServer, type FakeLlmServer, type RecordedRequest, type ScriptedResponse } from '../fakes/llm-server.js';

const KEY = 'sk-e2e-SECRET-4b1d9a7f0c';
const ENV_NAME = 'NS_E2E_LLM_KEY';

let server: FakeLlmServer;
beforeEach(async () => {
  server = await startLlmServer();
});
afterEach(async () => {
  await server.close();
});

const run = cliAsync;

function campaign(extra: string, trialDelay = 0): string {
  return campaignDir({
    'campaign.yaml': `name: opro
command: python3 quad.py {x} {y} ${trialDelay}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: -1, high: 1 }
  y: { type: float, low: -1, high: 1 }
proposer: llm-params
llm: { model: fake-model, base_url: ${server.baseUrl}, api_key_env: ${ENV_NAME}, timeout: 10s, price: { input_per_mtok: 4, output_per_mtok: 10 } }
${extra}`,
    'quad.py': QUADRATIC_PY,
  });
}

/** A model that always answers with k fresh points (k read from the prompt), costing what `usage` says. */
function fresh(usage = { prompt_tokens: 1000, completion_tokens: 100 }): (req: RecordedRequest) => ScriptedResponse {
  let n = 0;
  return (req) => {
    const text = req.body.messages.at(-1).content as string;
    const k = Number(/Give (\d+) (?:new|replacement) point/.exec(text)?.[1] ?? 1);
    const points = Array.from({ length: k }, () => {
      n++;
      return { x: Number(((n * 0.37) % 2 - 1).toFixed(4)), y: Number(((n * 0.61) % 2 - 1).toFixed(4)) };
    });
    return { body: completion(JSON.stringify({ points }), usage) };
  };
}

/** Every file under `dir`, concatenated (to look for the key). */
function everything(dir: string): string {
  let out = '';
  for (const f of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (f.isFile()) out += fs.readFileSync(path.join(f.parentPath, f.name), 'utf8');
  }
  return out;
}

describe('llm-params campaign through the CLI', () => {
  it('runs end to end against the scripted server, journals every call, and report shows tokens and dollars per proposer', async () => {
    server.respond(fresh());
    const dir = campaign('parallel: 2\nbudget: { trials: 4 }\n');
    const r = await run(['run', 'campaign.yaml', '--headless'], dir, { [ENV_NAME]: KEY });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/finished: trial budget reached: 4 trials/);
    const out = path.join(dir, '.nightshift', 'opro');
    const journal = events(out);
    const calls = journal.filter((e) => e.type === 'llm.call');
    expect(calls.length).toBe(server.requests.length);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.type === 'llm.call' && c.outcome === 'ok' && c.proposer === 'llm-params')).toBe(true);
    expect(journal.filter((e) => e.type === 'trial.decided').map((e) => (e as { status: string }).status).every((s) => s === 'keep' || s === 'discard')).toBe(true);
    expect(journal.filter((e) => e.type === 'trial.proposed').every((e) => (e as { proposer: string }).proposer === 'llm-params')).toBe(true);
    expect(fs.existsSync(path.join(out, 'llm', '1.json'))).toBe(true);
    // The server got the key; nothing we wrote did.
    expect(server.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(everything(out)).not.toContain(KEY);
    expect(r.stdout + r.stderr).not.toContain(KEY);

    const report = await run(['report', 'campaign.yaml'], dir, {});
    expect(report.code).toBe(0);
    const n = calls.length;
    const usd = (n * 1000 * 4 + n * 100 * 10) / 1e6;
    expect(report.stdout).toContain('model spend per proposer:');
    expect(report.stdout).toContain(`llm-params: ${n} call${n === 1 ? '' : 's'} to fake-model, ${formatTokens(n * 1000)} tokens in, ${formatTokens(n * 100)} out, ${formatUsd(usd)}`);
    const json = JSON.parse((await run(['report', 'campaign.yaml', '--json'], dir, {})).stdout);
    expect(json.spend['llm-params']).toMatchObject({ model: 'fake-model', calls: n, tokens_in: n * 1000, tokens_out: n * 100 });
    expect(json.spend['llm-params'].usd).toBeCloseTo(usd, 10);
  });

  it('stops on budget.usd: no model call after the limit, running trials finish and are judged, the reason is printed', async () => {
    // 100k prompt tokens at $4/Mtok: $0.40 a call; budget.usd 1 is crossed by the third call.
    server.respond(fresh({ prompt_tokens: 100_000, completion_tokens: 0 }));
    const dir = campaign('parallel: 2\nbudget: { trials: 50, usd: 1 }\n', 0.2);
    const r = await run(['run', 'campaign.yaml', '--headless'], dir, { [ENV_NAME]: KEY });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/budget: USD budget reached: \$1\.20 of \$1 spent \(LLM \$1\.20\)/);
    expect(r.stdout).toMatch(/finished: USD budget reached/);
    const journal = events(path.join(dir, '.nightshift', 'opro'));
    const exhausted = journal.find((e) => e.type === 'budget.exhausted');
    expect(exhausted).toMatchObject({ which: 'usd' });
    expect(journal.filter((e) => e.type === 'llm.call')).toHaveLength(3);
    expect(server.requests).toHaveLength(3);
    expect(journal.some((e) => e.type === 'llm.call' && e.seq > exhausted!.seq)).toBe(false);
    // Every trial that started was judged on its own output (none lost or killed).
    const started = journal.filter((e) => e.type === 'trial.started').map((e) => (e as { id: number }).id);
    const decided = new Map(journal.filter((e) => e.type === 'trial.decided').map((e) => [(e as { id: number }).id, (e as { status: string }).status]));
    expect(started.length).toBeGreaterThan(0);
    for (const id of started) expect(['keep', 'discard']).toContain(decided.get(id));
    expect(journal.some((e) => e.type === 'trial.decided' && e.seq > exhausted!.seq)).toBe(true);
  });

  it('refuses to start without the key: exit 2, names the variable and how to set it, no stack trace, no state written', async () => {
    const dir = campaign('budget: { trials: 2 }\n');
    const r = await run(['run', 'campaign.yaml', '--headless'], dir, { [ENV_NAME]: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`The environment variable ${ENV_NAME} is not set`);
    expect(r.stderr).toContain(`export ${ENV_NAME}=`);
    expect(r.stderr).toContain('any non-empty value');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(path.join(dir, '.nightshift', 'opro', 'journal.jsonl'))).toBe(false);
    expect(server.requests).toHaveLength(0);
  });

  it('a refused key (401) ends the campaign at once with a message naming the variable, never the key', async () => {
    server.respond(() => ({ status: 401, body: { error: { message: `Incorrect API key provided: ${KEY}` } } }));
    const dir = campaign('budget: { trials: 2 }\n');
    const r = await run(['run', 'campaign.yaml', '--headless'], dir, { [ENV_NAME]: KEY });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`refused the API key in ${ENV_NAME} (HTTP 401)`);
    expect(r.stderr).toContain(`proposer llm-params cannot use its model`);
    expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // Not retried five times: one call, and the server's message had the key scrubbed.
    expect(server.requests).toHaveLength(1);
    expect(everything(path.join(dir, '.nightshift', 'opro'))).not.toContain(KEY);
  });
});
