// What the one model-facing module takes and gives. Kept free of the SDK's types so proposers and
// the engine depend on nightshift's vocabulary, not on `openai`.

/** The campaign file's `llm:` section after loading (durations already in ms). */
export interface LlmConfig {
  model: string;
  /** Any OpenAI-compatible endpoint (OpenAI, OpenRouter, vLLM, Ollama, llama.cpp); the SDK default when absent. */
  base_url?: string;
  /** Name of the environment variable holding the key; the key itself never enters config or journal. */
  api_key_env: string;
  temperature?: number;
  max_tokens?: number;
  /** Per attempt, not per call: a retried call may take longer in total. */
  timeout_ms: number;
  /** USD per million tokens; without it a call costs 0 but its tokens are still counted. */
  price?: { input_per_mtok: number; output_per_mtok: number };
}

export const LLM_DEFAULTS = { api_key_env: 'OPENAI_API_KEY', timeout_ms: 120_000 } as const;

export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LlmUsage {
  tokens_in: number;
  tokens_out: number;
  usd: number;
  /** True when the server reported no usage and tokens were estimated from text length. */
  estimated: boolean;
}

export interface LlmReply {
  text: string;
  usage: LlmUsage;
  latency_ms: number;
}

export type LlmOutcome = 'ok' | 'auth' | 'not_found' | 'rate_limited' | 'server' | 'connection' | 'timeout' | 'aborted' | 'bad_request' | 'no_key' | 'empty';

/** The journal body of one call (prompt by hash only; the text goes to llm/<seq>.json). */
export interface LlmCallRecord {
  type: 'llm.call';
  proposer: string;
  model: string;
  prompt_sha256: string;
  tokens_in: number;
  tokens_out: number;
  usd: number;
  latency_ms: number;
  outcome: LlmOutcome;
  /** Set when tokens were estimated from text length (no usage in the reply). */
  estimated?: boolean;
  /** How many HTTP attempts the call took (1 = no retry). */
  attempts: number;
  /** The llm/<seq>.json file, relative to the state directory. */
  file: string;
}

export interface CompleteRequest {
  proposer: string;
  messages: LlmMessage[];
  signal?: AbortSignal;
  /** Ask for a JSON object reply (servers that do not support it get a plain request). */
  json?: boolean;
}

export interface Llm {
  readonly model: string;
  complete(req: CompleteRequest): Promise<LlmReply>;
}
