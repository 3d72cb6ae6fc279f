// Which paths a code trial may touch: only files matching a mutable glob, and never a frozen one.
// Pure, so the rule is testable without git; the globs are the campaign's (relative to workdir).
import { globToRegExp } from './glob.js';

export interface ScopeViolation {
  path: string;
  /** frozen: matches a frozen glob; outside: matches no mutable glob (or lies outside workdir). */
  reason: 'frozen' | 'outside';
}

export interface Scope {
  mutable: string[];
  frozen: string[];
}

export function compileScope(scope: Scope): { mutable: RegExp[]; frozen: RegExp[] } {
  return { mutable: scope.mutable.map(globToRegExp), frozen: scope.frozen.map(globToRegExp) };
}

/** True when the path is inside workdir and matches one of the globs. */
export function matchesAny(res: RegExp[], rel: string): boolean {
  return !rel.startsWith('../') && res.some((re) => re.test(rel));
}

/** The offending paths of a change set: frozen first (the worse sin), then those outside mutable. */
export function checkScope(paths: string[], scope: Scope): ScopeViolation[] {
  const c = compileScope(scope);
  const out: ScopeViolation[] = [];
  for (const p of paths) {
    if (matchesAny(c.frozen, p)) out.push({ path: p, reason: 'frozen' });
    else if (!matchesAny(c.mutable, p)) out.push({ path: p, reason: 'outside' });
  }
  return out;
}
