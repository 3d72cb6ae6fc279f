// sandbox: how trials are isolated (issue 11). Model-written code is untrusted, so code trials run
// under bubblewrap by default; param trials run the user's own code and are sandboxed only when the
// file asks. `sandbox: none` turns it off explicitly.
import path from 'node:path';
import { z } from 'zod';
import type { Checker } from '../checker.js';
import { isPlainMap, size, text, wholeNumber } from '../schema.js';
import type { SandboxConfig } from '../types.js';

export const DEFAULT_SANDBOX: SandboxConfig = { mode: 'bwrap', trials: 'code', network: false, hide: [], read_only: [] };

const globs = (what: string) =>
  z.array(text(`a path or glob relative to workdir, e.g. ${what}`), { error: `expected a list of paths or globs relative to workdir, e.g. [${what}]` });

const schema = z.strictObject(
  {
    trials: z.enum(['code', 'all'], { error: 'expected code (only model-written code trials are sandboxed) or all (param trials too)' }).optional(),
    network: z.boolean({ error: 'expected true or false (default false: no network inside the trial)' }).optional(),
    hide: globs('eval/**').optional(),
    read_only: globs('data/train/**').optional(),
    memory: size().optional(),
    processes: wholeNumber(1).optional(),
  },
  { error: 'expected none, or a mapping like { network: false, hide: [eval/**], memory: 16g, processes: 512 }' },
);

export function checkSandbox(c: Checker, value: unknown): SandboxConfig | undefined {
  if (value === undefined || value === null) return { ...DEFAULT_SANDBOX };
  if (value === 'none' || value === false) return { ...DEFAULT_SANDBOX, mode: 'none' };
  if (!isPlainMap(value)) {
    c.expect(['sandbox'], 'expected none, or a mapping like { network: false, hide: [eval/**], memory: 16g, processes: 512 }');
    return undefined;
  }
  const v = c.parse(schema, value, ['sandbox']);
  if (!v) return undefined;
  let ok = true;
  for (const key of ['hide', 'read_only'] as const) {
    (v[key] ?? []).forEach((g, i) => {
      if (path.isAbsolute(g) || g.split(/[\\/]/).includes('..')) {
        c.expect(['sandbox', key, i], 'expected a path or glob inside workdir (relative, without ..)');
        ok = false;
      }
    });
  }
  if (!ok) return undefined;
  const out: SandboxConfig = { mode: 'bwrap', trials: v.trials ?? 'all', network: v.network ?? false, hide: v.hide ?? [], read_only: v.read_only ?? [] };
  if (v.memory !== undefined) out.memory_bytes = v.memory;
  if (v.processes !== undefined) out.processes = v.processes;
  return out;
}
