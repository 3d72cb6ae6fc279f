// llm: wired into the campaign (the section itself is checked by check/llm.ts), and the checks that
// tie it to other sections: a proposer that calls a model needs `llm:`, and budget.usd needs
// something that costs money (a model, or GPU time priced by budget.gpu_hour_usd).
import type { LlmConfig } from '../../llm/types.js';
import type { Checker } from '../checker.js';
import type { CampaignConfig, ProposerSpec } from '../types.js';
import { checkLlm } from './llm.js';

const LLM_EXAMPLE = 'llm: { model: gpt-4.1-mini, api_key_env: OPENAI_API_KEY } (or, for a local server such as Ollama, llm: { model: llama3.1:8b, base_url: http://localhost:11434/v1 })';

export function checkLlmSection(c: Checker, value: unknown): LlmConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const { config, problems } = checkLlm(value);
  // Unknown keys point at the key itself; everything else at the value written.
  for (const p of problems) c.add(['llm', ...p.key], p.detail, p.detail.startsWith('unknown key') ? 'key' : 'value');
  return config;
}

/** Problems across sections: LLM proposers without `llm:`, budget.usd with nothing priced. */
export function checkLlmNeeds(
  c: Checker,
  root: Record<string, unknown>,
  proposers: ProposerSpec[] | undefined,
  budget: CampaignConfig['budget'] | undefined,
): void {
  const hasLlm = root.llm !== undefined && root.llm !== null;
  if (!hasLlm && proposers) {
    const needing = proposers.filter((p) => c.registry[p.type]?.needsLlm).map((p) => p.type);
    if (needing.length > 0) {
      const which = needing.length === 1 ? `the ${needing[0]} proposer asks` : `the ${needing.join(' and ')} proposers ask`;
      c.add(['proposer'], `${which} a language model for its proposals, but the file has no llm: section. Add one, e.g. ${LLM_EXAMPLE}, export the key's variable, and run again.`);
    }
  }
  if (budget?.usd !== undefined && !hasLlm && budget.gpu_hour_usd === undefined) {
    c.add(['budget', 'usd'], `budget.usd limits what the campaign spends on model calls and GPU time, but nothing here costs money: there is no llm: section and no budget.gpu_hour_usd. Add llm: (with price:) or budget.gpu_hour_usd (US dollars per GPU-hour), or remove budget.usd, and run again.`);
  }
}
