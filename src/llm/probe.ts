// Is anything listening at the model's base_url? Asked once before a campaign starts, so a server
// that was never started (`ollama serve` forgotten) is a message at the prompt, not five proposer
// failures hours later when the hybrid switch first reaches for the model. Only a refused or
// unresolvable connection refuses: a slow, unauthorised or model-less answer still means "a server
// is there", and the first real call reports those with its own one-paragraph errors.
import type { LlmConfig } from './types.js';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Returns a one-paragraph refusal when nothing answers at base_url, else undefined. */
export async function probeEndpoint(config: LlmConfig, timeoutMs = 3000): Promise<string | undefined> {
  if (!config.base_url) return undefined; // the SDK's default endpoint: the first call says what is wrong
  const url = `${config.base_url.replace(/\/+$/, '')}/models`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return undefined;
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    if (!code || !UNREACHABLE.has(code)) return undefined;
    return `Nothing answers at llm.base_url ${config.base_url} (${code}): the model server for ${config.model} is not running or the address is wrong. Start it (for Ollama: \`ollama serve\`, then \`ollama pull ${config.model}\`), or set llm.base_url in the campaign file to the server's OpenAI-compatible address (ending in /v1), then run again.`;
  }
}
