// The llm: section's checker: defaults, durations, prices, and one-sentence problems that name the key.
import { describe, expect, it } from 'vitest';
import { checkLlm } from '../../src/config/check/llm.js';

describe('checkLlm', () => {
  it('reads the documented example and fills defaults', () => {
    expect(
      checkLlm({ model: 'gpt-4.1-mini', base_url: 'http://localhost:11434/v1', temperature: 0.7, max_tokens: 4000, timeout: '120s', price: { input_per_mtok: 0.4, output_per_mtok: 1.6 } }),
    ).toEqual({
      problems: [],
      config: { model: 'gpt-4.1-mini', base_url: 'http://localhost:11434/v1', api_key_env: 'OPENAI_API_KEY', temperature: 0.7, max_tokens: 4000, timeout_ms: 120_000, price: { input_per_mtok: 0.4, output_per_mtok: 1.6 } },
    });
    expect(checkLlm({ model: 'm', api_key_env: 'OPENROUTER_API_KEY' }).config).toEqual({ model: 'm', api_key_env: 'OPENROUTER_API_KEY', timeout_ms: 120_000 });
  });

  it('names each bad key with what to write', () => {
    const r = checkLlm({ modle: 'x', base_url: 'localhost:11434', temperature: 5, max_tokens: 1.5, timeout: 'soon', price: { input_per_mtok: -1 } });
    expect(r.config).toBeUndefined();
    const by = Object.fromEntries(r.problems.map((p) => [p.key.join('.'), p.detail]));
    expect(by.modle).toContain('did you mean model?');
    expect(by.model).toMatch(/^missing; expected the model name/);
    expect(by.base_url).toContain('http(s) URL');
    expect(by.temperature).toContain('from 0 to 2');
    expect(by.max_tokens).toContain('whole number');
    expect(by.timeout).toContain('duration like 120s');
    expect(by['price.input_per_mtok']).toContain('non-negative');
    expect(by['price.output_per_mtok']).toContain('Add it');
    for (const p of r.problems) expect(p.detail.split('\n')).toHaveLength(1);
  });

  it('refuses a key written in place of the variable name, without echoing it', () => {
    const key = 'sk-proj-FAKE0123456789abcdef';
    const r = checkLlm({ model: 'm', api_key_env: key });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].detail).toContain('looks like an API key');
    expect(r.problems[0].detail).not.toContain(key);
  });
});
