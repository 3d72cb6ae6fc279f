// mutable:, review: and preflight: — what code trials may change, whether a person approves each
// one, and the command run in a code trial's worktree before it takes a slot.
import path from 'node:path';
import { z } from 'zod';
import type { Checker } from '../checker.js';
import { DEFAULTS } from '../defaults.js';
import { dropNulls, duration, isPlainMap, text } from '../schema.js';
import type { CampaignConfig, ProposerSpec } from '../types.js';
import type { Path } from '../words.js';

const GLOB_EXAMPLE = 'e.g. mutable: [train.py, model/*.py]';

export function checkMutable(c: Checker, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  const single = typeof value === 'string';
  const list = single ? [value] : value;
  const schema = z.array(text(`a file path or glob relative to workdir, ${GLOB_EXAMPLE}`), {
    error: `expected a list of file paths or globs relative to workdir, ${GLOB_EXAMPLE}`,
  });
  const globs = c.parse(schema, list, single ? [] : ['mutable']);
  if (!globs) {
    if (single) c.expect(['mutable'], `expected a file path or glob relative to workdir, ${GLOB_EXAMPLE}`);
    return undefined;
  }
  let ok = true;
  for (const [i, g] of globs.entries()) {
    const p: Path = single ? ['mutable'] : ['mutable', i];
    if (path.isAbsolute(g) || g.split(/[\\/]/).includes('..')) {
      c.expect(p, 'expected a path or glob inside workdir (relative, without ..)', 'Code trials edit files of the repository the workdir is in; name them relative to workdir.');
      ok = false;
    }
  }
  return ok ? globs : undefined;
}

/** A literal path (no glob characters) named both mutable and frozen: which wins would be a guess. */
export function checkOverlap(c: Checker, mutable: string[], frozen: string[], singleMutable: boolean): void {
  const norm = (g: string) => path.posix.normalize(g.replace(/\\/g, '/')).replace(/^\.\//, '');
  const literal = (g: string) => !/[*?{[]/.test(g);
  const frozenSet = new Set(frozen.filter(literal).map(norm));
  mutable.forEach((g, i) => {
    if (literal(g) && frozenSet.has(norm(g))) {
      c.add(
        singleMutable ? ['mutable'] : ['mutable', i],
        `${g} is listed both as mutable and as frozen. A frozen file may never change and a mutable one is what code trials edit; remove it from one of the two lists.`,
      );
    }
  });
}

export function checkReview(c: Checker, value: unknown): 'auto' | 'manual' | undefined {
  if (value === undefined || value === null) return 'auto';
  if (value === 'auto' || value === 'manual') return value;
  c.expect(['review'], 'expected auto (code trials run as soon as they are prepared) or manual (each waits for your approval in the TUI)');
  return undefined;
}

export function checkPreflight(c: Checker, value: unknown): CampaignConfig['preflight'] | undefined | null {
  if (value === undefined || value === null) return null;
  const obj = typeof value === 'string' ? { command: value } : value;
  if (!isPlainMap(obj)) {
    c.expect(['preflight'], 'expected a command as text, or a map like { command: python3 train.py --steps 1, timeout: 2m }');
    return undefined;
  }
  const schema = z.strictObject({
    command: text('the pre-flight command as text, e.g. python3 train.py --steps 1'),
    timeout: duration(true).optional(),
  });
  const r = c.parse(schema, dropNulls(obj), ['preflight']);
  if (!r) return undefined;
  if (r.command.trim() === '') {
    c.expect(typeof value === 'string' ? ['preflight'] : ['preflight', 'command'], 'expected the pre-flight command, e.g. python3 train.py --steps 1');
    return undefined;
  }
  return { command: r.command, timeout_ms: r.timeout ?? DEFAULTS.preflight_timeout_ms };
}

/** The `proposer:` types as written (before they are checked), to decide whether `space:` is needed. */
export function proposerTypes(value: unknown): string[] {
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return items.map((i) => (typeof i === 'string' ? i : isPlainMap(i) && typeof i.type === 'string' ? i.type : '')).filter(Boolean);
}

/** Whether every proposer written is a known code proposer: then the campaign needs no space. */
export function allCode(c: Checker, value: unknown): boolean {
  const types = proposerTypes(value);
  return types.length > 0 && types.every((t) => Object.prototype.hasOwnProperty.call(c.registry, t) && c.registry[t].side === 'code');
}

/** A code proposer with nothing it may change is a mistake worth naming before anything runs. */
export function checkCodeNeedsMutable(c: Checker, proposers: ProposerSpec[], mutable: string[], single: boolean): void {
  if (mutable.length > 0) return;
  proposers.forEach((p, i) => {
    if (c.registry[p.type]?.side !== 'code') return;
    c.add(
      single ? ['proposer'] : ['proposer', i],
      `the ${p.type} proposer edits code, so the campaign needs \`mutable:\`, the files it may change (relative to workdir), ${GLOB_EXAMPLE}. Add it and run again.`,
    );
  });
}
