// The one module that talks to a model (see src/llm/): re-exported here so callers import one path.
export { createLlm, promptSha256, readKey, type LlmDeps } from './llm/client.js';
export { LlmError, type LlmErrorKind } from './llm/errors.js';
export { CHARS_PER_TOKEN, estimateTokens, priceCall, usd } from './llm/price.js';
export { DEFAULT_RETRY, backoffMs, retryAfterMs, type RetryPolicy } from './llm/retry.js';
export * from './llm/types.js';
