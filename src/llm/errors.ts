// One-paragraph errors for everything that can go wrong talking to a model. They name the env var,
// the model and the base_url — never the key — and say what to do.
import OpenAI from 'openai';
import type { LlmConfig, LlmOutcome } from './types.js';

export type LlmErrorKind = Exclude<LlmOutcome, 'ok'>;

export class LlmError extends Error {
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    /** Worth retrying (429, 5xx, dropped connection); the client uses it, callers may ignore it. */
    readonly retryable = false,
    /** The server's response headers, for retry-after. */
    readonly headers?: Headers,
    /** HTTP status when there was one. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

export function endpoint(config: LlmConfig): string {
  return config.base_url ?? 'https://api.openai.com/v1 (the default; set llm.base_url for another server)';
}

export function missingKey(config: LlmConfig): LlmError {
  return new LlmError(
    'no_key',
    `the environment variable ${config.api_key_env} is not set, and llm.api_key_env names it as the API key for model ${config.model} at ${endpoint(config)}. ` +
      `Set it (export ${config.api_key_env}=...) before starting, or point llm.api_key_env at the variable that holds your key; a local server that needs no key accepts any non-empty value.`,
  );
}

/** The server's own message, bounded and with the key scrubbed (some servers echo the key back). */
function serverSays(err: InstanceType<typeof OpenAI.APIError>, key: string): string {
  let msg = err.message ?? '';
  if (key) msg = msg.split(key).join('[key]');
  msg = msg.replace(/\s+/g, ' ').trim();
  if (msg.length > 300) msg = `${msg.slice(0, 300)}…`;
  return msg ? ` The server said: ${msg}` : '';
}

/** Translate whatever the SDK threw into an LlmError (aborts by our caller's signal are kept apart). */
export function classify(err: unknown, config: LlmConfig, key: string, timeoutMs: number, attempts = 1): LlmError {
  if (err instanceof LlmError) return err;
  const where = `model ${config.model} at ${endpoint(config)}`;
  if (err instanceof OpenAI.APIConnectionTimeoutError) {
    return new LlmError('timeout', `the call to ${where} got no reply within ${timeoutMs} ms (llm.timeout). The server may be overloaded or the model slow to load; raise llm.timeout or check the server.`);
  }
  if (err instanceof OpenAI.APIUserAbortError) return new LlmError('aborted', `the call to ${where} was cancelled.`);
  if (err instanceof OpenAI.APIConnectionError) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? err.message;
    return new LlmError('connection', `could not reach ${where} after ${attempts} attempts: the connection failed (${scrub(String(why), key)}). Check that the server is running and llm.base_url is right.`, true);
  }
  if (err instanceof OpenAI.APIError) {
    const status = err.status ?? 0;
    const says = serverSays(err, key);
    const h = err.headers;
    if (status === 401 || status === 403) {
      return new LlmError('auth', `${where} refused the API key in ${config.api_key_env} (HTTP ${status}): the key is wrong, expired or not allowed to use this model. Put the right key in ${config.api_key_env}, or set llm.api_key_env to the variable that holds it.${says}`, false, h, status);
    }
    // Some servers (OpenRouter, llama.cpp) answer an unknown model with 400 rather than 404.
    if (status === 404 || (status === 400 && /model/i.test(err.message ?? '') && /not (exist|found|a valid)|invalid|unknown/i.test(err.message ?? ''))) {
      return new LlmError('not_found', `HTTP ${status} from ${endpoint(config)} for model ${config.model}: either the model does not exist on this server (check llm.model against the server's model list) or llm.base_url is wrong (OpenAI-compatible servers usually end in /v1).${says}`, false, h, status);
    }
    if (status === 429) {
      return new LlmError('rate_limited', `${where} kept answering HTTP 429 (rate limited or out of quota) after ${attempts} attempts. Wait, lower parallel or the proposer's batch size, or check the account's quota.${says}`, true, h, status);
    }
    if (status >= 500) {
      return new LlmError('server', `${where} failed with HTTP ${status} after ${attempts} attempts; the server is having trouble. Check its logs or try again later.${says}`, true, h, status);
    }
    return new LlmError('bad_request', `${where} rejected the request (HTTP ${status}).${says} Check llm.model, llm.temperature and llm.max_tokens against what this server supports.`, false, h, status);
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new LlmError('connection', `the call to ${where} failed: ${scrub(msg, key)}`, false);
}

export function scrub(text: string, key: string): string {
  return key ? text.split(key).join('[key]') : text;
}
