// zod plumbing: every issue becomes "expected ..." text (the value itself is looked up for "got ..."
// by the Checker), the value shapes several keys share, and walking a schema or a value by key path.
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { parseSize } from './size.js';
import { listWords, type Path } from './words.js';

/** Identifiers: parameter names ({name} placeholders) and environment variable names. */
export const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DURATION_EXAMPLES = 'like 90s, 5m or 8h';

export const E = {
  whole: (min: number) => `expected a whole number ≥ ${min}`,
  duration: `expected a duration ${DURATION_EXAMPLES}`,
  positiveDuration: `expected a duration longer than 0, ${DURATION_EXAMPLES}`,
  goal: 'expected minimize or maximize',
  text: (what: string) => `expected ${what}`,
};

export function wholeNumber(min: number) {
  const error = E.whole(min);
  return z.number({ error }).int({ error }).min(min, { error }).max(Number.MAX_SAFE_INTEGER, { error });
}
export function number(what = 'a number') {
  return z.number({ error: `expected ${what}` });
}
export function text(what: string) {
  return z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
}
export function duration(positive: boolean) {
  return z.unknown().transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === null || (positive && ms === 0)) {
      ctx.issues.push({ code: 'custom', message: ms === null ? E.duration : E.positiveDuration, input: v });
      return z.NEVER;
    }
    return ms;
  });
}
/** Smallest max_log: below it the kept start and end of a log would hold almost nothing. */
export const MIN_MAX_LOG = 64 * 1024;
export function size() {
  const error = 'expected a size of at least 64KB, like 200MB, 1GB or 512KB';
  return z.unknown().transform((v, ctx) => {
    const bytes = parseSize(v);
    if (bytes === null || bytes < MIN_MAX_LOG) {
      ctx.issues.push({ code: 'custom', message: error, input: v });
      return z.NEVER;
    }
    return bytes;
  });
}
export const goal = z.enum(['minimize', 'maximize'], { error: E.goal });

/** Default wording for issues from schemas that did not set their own (the proposers' option schemas). */
export function defaultIssueText(iss: z.core.$ZodRawIssue): string | undefined {
  const n = (x: unknown) => String(x);
  switch (iss.code) {
    case 'invalid_type': {
      const words: Record<string, string> = {
        number: 'a number', int: 'a whole number', string: 'text', boolean: 'true or false',
        object: 'a map', array: 'a list', nonoptional: 'a value', bigint: 'a whole number', date: 'a date',
      };
      return `expected ${words[iss.expected] ?? iss.expected}`;
    }
    case 'too_small': {
      const op = iss.inclusive === false ? '>' : '≥';
      if (iss.origin === 'array' || iss.origin === 'set') return `expected a list with at least ${n(iss.minimum)} item${Number(iss.minimum) === 1 ? '' : 's'}`;
      if (iss.origin === 'string') return Number(iss.minimum) <= 1 ? 'expected non-empty text' : `expected text of at least ${n(iss.minimum)} characters`;
      return `expected a number ${op} ${n(iss.minimum)}`;
    }
    case 'too_big': {
      const op = iss.inclusive === false ? '<' : '≤';
      if (iss.origin === 'array' || iss.origin === 'set') return `expected a list with at most ${n(iss.maximum)} items`;
      if (iss.origin === 'string') return `expected text of at most ${n(iss.maximum)} characters`;
      return `expected a number ${op} ${n(iss.maximum)}`;
    }
    case 'invalid_value':
      return `expected ${listWords(iss.values.map((v) => (typeof v === 'string' ? v : String(v))))}`;
    case 'invalid_format':
      return iss.format === 'regex' && 'pattern' in iss ? `expected text matching ${String(iss.pattern)}` : `expected text in ${iss.format} format`;
    case 'not_multiple_of':
      return `expected a multiple of ${n(iss.divisor)}`;
    case 'invalid_union':
      return 'expected a value in one of the accepted forms';
    case 'invalid_key':
      return 'expected a valid key';
    case 'invalid_element':
      return 'expected a valid entry';
    default:
      return undefined;
  }
}

/** Best-effort: the (unwrapped) sub-schema of a zod schema at `p`, or undefined when it cannot be followed. */
export function schemaAt(schema: z.ZodType, p: Path): any {
  let s: any = schema;
  const unwrap = () => {
    for (let guard = 0; guard < 20 && s?._zod?.def; guard++) {
      const def = s._zod.def;
      if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional', 'success'].includes(def.type)) s = def.innerType;
      else if (def.type === 'pipe') s = def.in?._zod?.def?.type === 'transform' ? def.out : def.in;
      else if (def.type === 'lazy') s = def.getter();
      else break;
    }
  };
  unwrap();
  for (const seg of p) {
    const def = s?._zod?.def;
    if (!def) return undefined;
    if (def.type === 'object' && typeof seg === 'string') s = def.shape[seg];
    else if (def.type === 'array' && typeof seg === 'number') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else return undefined;
    unwrap();
  }
  return s;
}

/** The keys a (possibly wrapped) zod object schema allows at `p`. */
export function objectKeysAt(schema: z.ZodType, p: Path): string[] | undefined {
  const def = schemaAt(schema, p)?._zod?.def;
  return def?.type === 'object' ? Object.keys(def.shape) : undefined;
}

/** True when the number schema at `p` only accepts whole numbers (z.int() or .int()). */
export function isIntAt(schema: z.ZodType, p: Path): boolean {
  const def = schemaAt(schema, p)?._zod?.def;
  if (!def || def.type !== 'number') return false;
  const isInt = (d: any) => typeof d?.format === 'string' && d.format.includes('int');
  return isInt(def) || (Array.isArray(def.checks) && def.checks.some((c: any) => isInt(c?._zod?.def)));
}

export function getAt(value: unknown, p: Path): unknown {
  let v = value;
  for (const seg of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

export function isPlainMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Drops keys whose value is empty (`key:` with nothing after it), so optional keys left blank mean "not set". */
export function dropNulls(v: unknown): unknown {
  if (!isPlainMap(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null));
}
