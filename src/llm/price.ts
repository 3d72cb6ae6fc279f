// What a call costs. A reply without usage is never free: its tokens are estimated from text length.
import type { LlmConfig, LlmMessage, LlmUsage } from './types.js';

/** ~4 characters a token for English and code; rounding up so an estimate never undercounts to 0. */
export const CHARS_PER_TOKEN = 4;

export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function promptText(messages: LlmMessage[]): string {
  return messages.map((m) => `${m.role}: ${m.content}`).join('\n');
}

export function usd(price: LlmConfig['price'], tokensIn: number, tokensOut: number): number {
  if (!price) return 0;
  return (tokensIn * price.input_per_mtok + tokensOut * price.output_per_mtok) / 1_000_000;
}

interface ReportedUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
}

export function priceCall(price: LlmConfig['price'], messages: LlmMessage[], reply: string, reported: ReportedUsage | null | undefined): LlmUsage {
  const hasUsage = reported != null && typeof reported.prompt_tokens === 'number' && typeof reported.completion_tokens === 'number';
  const tokens_in = hasUsage ? reported.prompt_tokens! : estimateTokens(promptText(messages));
  const tokens_out = hasUsage ? reported.completion_tokens! : estimateTokens(reply);
  return { tokens_in, tokens_out, usd: usd(price, tokens_in, tokens_out), estimated: !hasUsage };
}
