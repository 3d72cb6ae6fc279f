// llm: which model to ask and how (src/llm). Zod-free on purpose: each problem is one sentence naming
// the key, what was expected, what was written and what to do; the loader adds file:line when it
// wires this in (map each problem to c.add(['llm', ...key], detail)).
import { LLM_DEFAULTS, type LlmConfig } from '../../llm/types.js';
import { parseDuration } from '../duration.js';
import { closest, describeValue } from '../words.js';

export interface LlmProblem {
  /** Key path under llm, e.g. ['price', 'input_per_mtok']; [] for the section itself. */
  key: string[];
  detail: string;
}

const KEYS = ['model', 'base_url', 'api_key_env', 'temperature', 'max_tokens', 'timeout', 'price'] as const;
const PRICE_KEYS = ['input_per_mtok', 'output_per_mtok'] as const;
const EXAMPLE = '{ model: gpt-4.1-mini, base_url: http://localhost:11434/v1, api_key_env: OPENAI_API_KEY, timeout: 120s }';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkLlm(value: unknown): { config?: LlmConfig; problems: LlmProblem[] } {
  const problems: LlmProblem[] = [];
  const bad = (key: string[], expected: string, got: unknown, fix = 'Fix it and run again.'): void => {
    problems.push({ key, detail: `expected ${expected}, got ${describeValue(got)}. ${fix}` });
  };
  if (!isMap(value)) {
    bad([], `a map like ${EXAMPLE}`, value);
    return { problems };
  }
  for (const k of Object.keys(value)) {
    if ((KEYS as readonly string[]).includes(k)) continue;
    const near = closest(k, [...KEYS]);
    problems.push({ key: [k], detail: `unknown key${near ? `; did you mean ${near}?` : '.'} llm takes ${KEYS.join(', ')}.` });
  }

  const model = value.model;
  if (typeof model !== 'string' || model.trim() === '') {
    if (model === undefined) problems.push({ key: ['model'], detail: 'missing; expected the model name the server knows, e.g. model: gpt-4.1-mini or model: llama3.1:8b. Add it and run again.' });
    else bad(['model'], 'the model name as text, e.g. gpt-4.1-mini', model);
  }

  let base_url: string | undefined;
  if (value.base_url !== undefined && value.base_url !== null) {
    const u = value.base_url;
    let ok = typeof u === 'string';
    if (ok) {
      try {
        ok = ['http:', 'https:'].includes(new URL(u as string).protocol);
      } catch {
        ok = false;
      }
    }
    if (ok) base_url = u as string;
    else bad(['base_url'], 'an http(s) URL of an OpenAI-compatible server, e.g. http://localhost:11434/v1', u, 'Leave it out to use OpenAI.');
  }

  let api_key_env: string = LLM_DEFAULTS.api_key_env;
  if (value.api_key_env !== undefined && value.api_key_env !== null) {
    const e = value.api_key_env;
    const keyLike = typeof e === 'string' && (/^sk[-_]/.test(e) || e.length > 40);
    if (typeof e === 'string' && ENV_NAME.test(e) && !keyLike) api_key_env = e;
    else {
      // The commonest mistake is the key itself; never echo what was written back.
      const what = keyLike ? 'this looks like an API key, not the name of an environment variable' : 'expected the name of an environment variable (letters, digits and _)';
      problems.push({ key: ['api_key_env'], detail: `${what}. Never put the key in the campaign file: export it (export OPENAI_API_KEY=...) and write api_key_env: OPENAI_API_KEY.` });
    }
  }

  const num = (key: string, min: number, max: number, int: boolean, example: string): number | undefined => {
    const v = value[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!int || Number.isInteger(v))) return v;
    bad([key], `${int ? 'a whole number' : 'a number'} from ${min} to ${max}, e.g. ${key}: ${example}`, v);
    return undefined;
  };
  const temperature = num('temperature', 0, 2, false, '0.7');
  const max_tokens = num('max_tokens', 1, 10_000_000, true, '4000');

  let timeout_ms: number = LLM_DEFAULTS.timeout_ms;
  if (value.timeout !== undefined && value.timeout !== null) {
    const ms = parseDuration(value.timeout);
    if (ms !== null && ms > 0) timeout_ms = ms;
    else bad(['timeout'], 'a positive duration like 120s or 5m', value.timeout);
  }

  let price: LlmConfig['price'];
  if (value.price !== undefined && value.price !== null) {
    const p = value.price;
    if (!isMap(p)) bad(['price'], 'a map like { input_per_mtok: 0.40, output_per_mtok: 1.60 } (USD per million tokens)', p);
    else {
      for (const k of Object.keys(p)) if (!(PRICE_KEYS as readonly string[]).includes(k)) problems.push({ key: ['price', k], detail: `unknown key; price takes input_per_mtok and output_per_mtok (USD per million tokens).` });
      const read = (k: (typeof PRICE_KEYS)[number]): number | undefined => {
        const v = p[k];
        if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
        bad(['price', k], 'a non-negative number of US dollars per million tokens, e.g. 0.40', v, v === undefined ? 'Add it and run again.' : undefined);
        return undefined;
      };
      const i = read('input_per_mtok');
      const o = read('output_per_mtok');
      if (i !== undefined && o !== undefined) price = { input_per_mtok: i, output_per_mtok: o };
    }
  }

  if (problems.length > 0) return { problems };
  return {
    problems,
    config: {
      model: model as string,
      ...(base_url !== undefined ? { base_url } : {}),
      api_key_env,
      ...(temperature !== undefined ? { temperature } : {}),
      ...(max_tokens !== undefined ? { max_tokens } : {}),
      timeout_ms,
      ...(price ? { price } : {}),
    },
  };
}
