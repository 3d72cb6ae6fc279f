// The Checker collects problems while the section checkers (check/*.ts) read the campaign: it words
// each one (expected ..., got ..., what to do), finds its line, and turns zod issues into the same
// wording with did-you-mean suggestions. Problems are reported sorted by line.
import type { Document, LineCounter } from 'yaml';
import type { z } from 'zod';
import type { ConfigProblem } from './errors.js';
import type { ProposerRegistry } from './registry.js';
import { defaultIssueText, getAt, isIntAt, isPlainMap, objectKeysAt } from './schema.js';
import { locate, scalarSource } from './yaml.js';
import { KEY_ALIASES, VALUE_ALIASES, aliasScope, closest, describeValue, formatKeyPath, type Path } from './words.js';

interface Problem extends ConfigProblem {
  order: number;
}

export class Checker {
  private problems: Problem[] = [];
  constructor(
    private readonly doc: Document,
    /** The whole file as plain data (aliases expanded). */
    readonly raw: unknown,
    private readonly lc: LineCounter,
    /** The proposers `proposer:` may name. */
    readonly registry: ProposerRegistry,
  ) {}

  get problemCount(): number {
    return this.problems.length;
  }

  /** A problem at a fixed line, reported first among the problems of that line. */
  addAtLine(line: number, detail: string): void {
    this.problems.push({ line, keyPath: '', detail, order: -1 });
  }

  /** The text of the scalar at `p` exactly as written. */
  scalarSource(p: Path): string | undefined {
    return scalarSource(this.doc, p);
  }

  sortedProblems(): ConfigProblem[] {
    return [...this.problems]
      .sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || a.order - b.order)
      .map(({ order: _order, ...p }) => p);
  }

  // ---- recording problems ------------------------------------------------------------------

  add(p: Path, detail: string, at: 'key' | 'value' = 'value'): void {
    const pos = locate(this.doc, this.lc, p, at);
    this.problems.push({ line: pos?.line, keyPath: formatKeyPath(p), detail, order: this.problems.length });
  }

  /** `expected` starts with "expected ..." (or is free text); the value written is looked up for "got ...". */
  expect(p: Path, expected: string, hint?: string): void {
    const value = getAt(this.raw, p);
    const present = value !== undefined || this.hasKey(p);
    if (!expected.startsWith('expected ')) {
      // Free text from a proposer's own schema message.
      const got = present ? `, got ${describeValue(value)}` : '';
      this.add(p, `${expected.replace(/\.$/, '')}${got}. ${hint ?? 'Fix it and run again.'}`);
      return;
    }
    if (!present) {
      this.add(p, `missing; ${expected}. ${hint ?? 'Add it and run again.'}`);
      return;
    }
    this.add(p, `${expected}, got ${describeValue(value)}. ${hint ?? 'Fix it and run again.'}`);
  }

  /** Records an unknown key; returns the key it probably meant (in the same map), if any. */
  private unknownKey(p: Path, allowed: readonly string[]): string | undefined {
    const key = String(p[p.length - 1]);
    const parent = p.slice(0, -1);
    const where = parent.length === 0 ? 'at the top level' : `under ${formatKeyPath(parent)}`;
    const aliasTable = KEY_ALIASES[aliasScope(parent)] ?? {};
    const alias = aliasTable[key];
    const guess = alias ?? closest(key, allowed);
    const suggestion = guess ? ` Did you mean \`${guess}\`?` : '';
    const list = allowed.length > 0 ? ` The keys allowed ${where} are ${allowed.join(', ')}.` : '';
    this.add(p, `unknown key \`${key}\`.${suggestion}${list} Rename or remove it and run again.`, 'key');
    return guess && !guess.includes('.') ? guess : undefined;
  }

  /** Records zod issues under the path prefix `base`. */
  private zodIssues(error: z.ZodError, base: Path, schema: z.ZodType, value: unknown, extraKeys: readonly string[] = []): void {
    const relPath = (iss: z.core.$ZodIssue) => iss.path.filter((s): s is string | number => typeof s !== 'symbol');
    // Unknown keys first: `min:` written for `low:` should read "did you mean low", not "low: missing".
    const meant = new Set<string>();
    for (const iss of error.issues) {
      if (iss.code !== 'unrecognized_keys') continue;
      const rel = relPath(iss);
      const allowed = [...extraKeys.filter(() => rel.length === 0), ...(objectKeysAt(schema, rel) ?? [])];
      for (const key of iss.keys) {
        const guess = this.unknownKey([...base, ...rel, key], allowed);
        if (guess) meant.add(JSON.stringify([...rel, guess]));
      }
    }
    for (const iss of error.issues) {
      if (iss.code === 'unrecognized_keys') continue;
      const rel = relPath(iss);
      const p = [...base, ...rel];
      if (meant.has(JSON.stringify(rel)) && getAt(value, rel) === undefined) continue;
      let hint: string | undefined;
      let expected = iss.message;
      if ((iss.code === 'too_small' || iss.code === 'too_big') && expected.startsWith('expected a number ') && isIntAt(schema, rel)) {
        expected = expected.replace('expected a number', 'expected a whole number');
      }
      const v = getAt(value, rel);
      if (iss.code === 'invalid_value' && typeof v === 'string') {
        const values = iss.values.map(String);
        const alias = VALUE_ALIASES[v.toLowerCase()];
        const guess = alias && values.includes(alias) ? alias : closest(v, values);
        if (guess) hint = `Did you mean \`${guess}\`?`;
      }
      this.expect(p, expected, hint);
    }
  }

  /** Parses with zod; on failure records the issues and returns undefined. */
  parse<S extends z.ZodType>(schema: S, value: unknown, p: Path, extraKeys: readonly string[] = []): z.output<S> | undefined {
    const r = schema.safeParse(value, { error: defaultIssueText });
    if (r.success) return r.data;
    this.zodIssues(r.error, p, schema, value, extraKeys);
    return undefined;
  }

  hasKey(p: Path): boolean {
    const parent = getAt(this.raw, p.slice(0, -1));
    return isPlainMap(parent) && Object.prototype.hasOwnProperty.call(parent, String(p[p.length - 1]));
  }

  /** Records a problem when a required key is absent or empty; true when it is there. */
  required(root: Record<string, unknown>, key: string, expected: string, hint?: string): boolean {
    if (root[key] !== undefined && root[key] !== null) return true;
    this.expect([key], expected, hint);
    return false;
  }

  optional<S extends z.ZodType>(value: unknown, schema: S, p: Path, fallback: z.output<S>): z.output<S> | undefined {
    if (value === undefined || value === null) return fallback;
    return this.parse(schema, value, p);
  }
}
