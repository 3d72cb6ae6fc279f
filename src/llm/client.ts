// The only place that talks to a model: the `openai` SDK against any OpenAI-compatible base_url, with
// our own retries (the SDK's are off so backoff, retry-after and the attempt budget are ours to see),
// one journal record per call and the prompt and reply in llm/<seq>.json for a person to read.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import OpenAI from 'openai';
import { LlmError, classify, missingKey, scrub } from './errors.js';
import { priceCall } from './price.js';
import { DEFAULT_RETRY, type RetryPolicy, sleep, waitMs } from './retry.js';
import type { CompleteRequest, Llm, LlmCallRecord, LlmConfig, LlmOutcome, LlmReply, LlmUsage } from './types.js';

export interface LlmDeps {
  /** Receives one record per call, success or failure; the engine appends it to the journal. */
  journal: (record: LlmCallRecord) => void | Promise<void>;
  /** The campaign's state directory; calls go to <stateDir>/llm/<seq>.json. */
  stateDir: string;
  retry?: Partial<RetryPolicy>;
  /** Where the key is read from (tests pass their own). */
  env?: NodeJS.ProcessEnv;
  random?: () => number;
}

/** Throws LlmError('no_key') when the key's variable is unset, so a campaign can refuse to start. */
export function readKey(config: LlmConfig, env: NodeJS.ProcessEnv = process.env): string {
  const key = env[config.api_key_env];
  if (key === undefined || key === '') throw missingKey(config);
  return key;
}

export function promptSha256(messages: CompleteRequest['messages']): string {
  return createHash('sha256').update(JSON.stringify(messages)).digest('hex');
}

export function createLlm(config: LlmConfig, deps: LlmDeps): Llm {
  const key = readKey(config, deps.env);
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...deps.retry };
  const client = new OpenAI({
    apiKey: key,
    baseURL: config.base_url ?? null,
    maxRetries: 0,
    timeout: config.timeout_ms,
    // The SDK's logger could print request details; nothing of ours goes to stderr behind the TUI.
    logLevel: 'off',
  });
  const dir = path.join(deps.stateDir, 'llm');
  mkdirSync(dir, { recursive: true });
  // Continue numbering after a resume instead of overwriting what a person may be reading.
  let seq = lastSeq(dir);

  async function complete(req: CompleteRequest): Promise<LlmReply> {
    const n = ++seq;
    const started = Date.now();
    let attempts = 0;
    let json = req.json === true;
    let text = '';
    let usage: LlmUsage = { tokens_in: 0, tokens_out: 0, usd: 0, estimated: false };
    let failure: LlmError | undefined;
    for (;;) {
      attempts++;
      try {
        const res = await client.chat.completions.create(
          {
            model: config.model,
            messages: req.messages,
            ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
            ...(config.max_tokens !== undefined ? { max_tokens: config.max_tokens } : {}),
            ...(json ? { response_format: { type: 'json_object' as const } } : {}),
          },
          { signal: req.signal },
        );
        text = res.choices?.[0]?.message?.content ?? '';
        usage = priceCall(config.price, req.messages, text, res.usage);
        if (text === '') failure = new LlmError('empty', `model ${config.model} returned an empty reply (finish reason: ${res.choices?.[0]?.finish_reason ?? 'none'}).`);
        break;
      } catch (err) {
        const e = req.signal?.aborted ? new LlmError('aborted', `the call to model ${config.model} was cancelled.`) : classify(err, config, key, config.timeout_ms, attempts);
        // Not every server knows response_format; ask again plainly once (callers also read fenced JSON).
        if (json && e.kind === 'bad_request') {
          json = false;
          attempts--;
          continue;
        }
        if (!e.retryable || attempts >= policy.attempts) {
          failure = e;
          break;
        }
        try {
          await sleep(waitMs(policy, attempts, e.headers, deps.random), req.signal);
        } catch {
          failure = new LlmError('aborted', `the call to model ${config.model} was cancelled while waiting to retry.`);
          break;
        }
      }
    }
    const latency_ms = Date.now() - started;
    const outcome: LlmOutcome = failure ? failure.kind : 'ok';
    const file = `llm/${n}.json`;
    const record: LlmCallRecord = {
      type: 'llm.call',
      proposer: req.proposer,
      model: config.model,
      prompt_sha256: promptSha256(req.messages),
      tokens_in: usage.tokens_in,
      tokens_out: usage.tokens_out,
      usd: usage.usd,
      latency_ms,
      outcome,
      ...(usage.estimated ? { estimated: true } : {}),
      attempts,
      file,
    };
    await writeCall(path.join(deps.stateDir, file), key, {
      seq: n,
      proposer: req.proposer,
      model: config.model,
      base_url: config.base_url ?? null,
      outcome,
      ...(failure ? { error: failure.message } : {}),
      attempts,
      latency_ms,
      usage,
      messages: req.messages,
      reply: text,
    });
    await deps.journal(record);
    if (failure) throw failure;
    return { text, usage, latency_ms };
  }

  return { model: config.model, complete };
}

function lastSeq(dir: string): number {
  let max = 0;
  for (const f of readdirSync(dir)) {
    const m = /^(\d+)\.json$/.exec(f);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
}

/** Written whole (temp + rename) so a reader never sees half a file; the key is scrubbed in case a prompt quoted it. */
async function writeCall(file: string, key: string, body: object): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, `${scrub(JSON.stringify(body, null, 2), key)}\n`);
  await rename(tmp, file);
}
