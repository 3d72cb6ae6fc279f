// Loads a campaign file: YAML parsed with positions, structure checked with zod (strict objects),
// meaning checked by hand, and every problem reported as one paragraph naming the file, the line,
// the key path, what was expected and what to do.
import { readFileSync, statSync } from 'node:fs';
import { decodeUtf8 } from './encoding.js';
import path from 'node:path';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import type { Goal, ParamSpec, Space } from '../types.js';
import { parseDuration } from './duration.js';
import { parseSize } from './size.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import type { CampaignConfig, DecideConfig, PrunerConfig, ProposerSpec } from './types.js';

/** What the loader needs of a proposer registry entry (a subset of proposers/index.ts ProposerFactory). */
export interface ProposerEntry {
  options: z.ZodType;
  unsupported?(space: Space): string | null;
  summary?: string;
}
export type ProposerRegistry = Record<string, ProposerEntry>;

export interface LoadOptions {
  /** The proposer registry to validate `proposer:` against (proposers/index.ts PROPOSERS, passed in by the composition root). */
  proposers: ProposerRegistry;
  /** Directory used to shorten the file name in messages; defaults to process.cwd(). */
  cwd?: string;
}

/** Top-level keys, in the order the docs present them. */
export const CAMPAIGN_KEYS = [
  'name', 'workdir', 'command', 'metric', 'space', 'proposer', 'parallel', 'seed', 'budget',
  'pruner', 'evaluate', 'frozen', 'decide', 'kill_grace', 'env', 'queue_ahead', 'gpus', 'results', 'max_log',
] as const;

export const DEFAULTS = {
  proposer: 'random',
  parallel: 1,
  seed: 0,
  kill_grace_ms: 10_000,
  queue_ahead: 1,
  max_log_bytes: 200 * 2 ** 20,
  evaluate_timeout_ms: 10 * 60_000,
  pruner: { warmup_steps: 0, min_trials: 5, interval_steps: 1 },
} as const;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CAMPAIGN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const DURATION_EXAMPLES = 'like 90s, 5m or 8h';
/** Metric keys the default output reader (src/metrics.ts) can read, and the keys it treats as the step. */
const READABLE_KEY = /^[A-Za-z_](?:[\w./-]*\w)?$/;
const STEP_KEYS = ['step', 'global_step', 'iter', 'iteration'];

/**
 * Reads, parses and validates a campaign file. Returns the resolved config (absolute paths,
 * durations in ms, defaults filled in) or throws a ConfigError whose message names the file, line,
 * key path and what was expected.
 */
export function loadCampaign(file: string, options: LoadOptions): CampaignConfig {
  const abs = path.resolve(file);
  const cwd = options.cwd ?? process.cwd();
  const rel = path.relative(cwd, abs);
  const displayFile = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
  const fail = (p: ConfigProblem): never => {
    throw new ConfigError({ file: abs, displayFile, ...p });
  };

  let source: string;
  try {
    if (statSync(abs).isDirectory()) {
      fail({ keyPath: '', detail: `this is a directory, not a campaign file. Pass the YAML file itself, e.g. ${path.join(displayFile, 'campaign.yaml')}.` });
    }
    const decoded = decodeUtf8(readFileSync(abs));
    if (!('text' in decoded)) {
      return fail({ line: decoded.badLine, keyPath: '', detail: 'this file is not UTF-8 (this line holds bytes in another encoding, e.g. Latin-1). Save the file as UTF-8 and run again.' });
    }
    source = decoded.text;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    return fail({ keyPath: '', detail: `cannot read the campaign file (${why}). Check the path and run again.` });
  }
  return parseCampaign(source, abs, { ...options, displayFile });
}

/** As loadCampaign, for text already in memory; `file` still anchors relative paths and messages. */
export function parseCampaign(
  source: string,
  file: string,
  options: LoadOptions & { displayFile?: string },
): CampaignConfig {
  const abs = path.resolve(file);
  const displayFile = options.displayFile ?? path.basename(abs);
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = lineCounter.linePos(err.pos[0]);
    throw new ConfigError({
      file: abs,
      displayFile,
      line: pos.line,
      column: pos.col,
      keyPath: '',
      detail: yamlErrorDetail(err.code, err.message, source, err.pos[0]),
    });
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new ConfigError({
      file: abs,
      displayFile,
      keyPath: '',
      detail: `this YAML cannot be expanded (${(err as Error).message.replace(/\.$/, '')}). Use fewer aliases (*name) and run again.`,
    });
  }
  const ctx = new Checker(doc, raw, lineCounter, options.proposers);
  const config = ctx.campaign(abs);
  const problems = ctx.sortedProblems();
  if (problems.length > 0 || !config) {
    const [first, ...more] = problems.length > 0 ? problems : [{ keyPath: '', detail: 'the file could not be read as a campaign.' }];
    throw new ConfigError({ file: abs, displayFile, ...first, more });
  }
  return config;
}

function yamlErrorDetail(code: string, message: string, source: string, offset: number): string {
  const reason = message.replace(/\s*\r?\n[\s\S]*$/, '').replace(/\.$/, '');
  const base = `this is not valid YAML: ${reason}.`;
  switch (code) {
    case 'DUPLICATE_KEY': {
      const key = /^\s*(?:-\s+)?["']?([^"':#{}\[\],]+?)["']?\s*:/.exec(source.slice(offset).split('\n')[0])?.[1];
      return `${base} ${key ? `\`${key}\` appears` : 'The same key appears'} twice in one map; keep only one of them.`;
    }
    case 'TAB_AS_INDENT':
      return `${base} Indent with spaces, not tabs.`;
    case 'BAD_DQ_ESCAPE':
      return `${base} Inside "double quotes" a backslash starts an escape; write regular expressions in 'single quotes' instead, e.g. pattern: 'loss=(\\d+\\.\\d+)'.`;
    case 'BLOCK_AS_IMPLICIT_KEY':
      return `${base} A value containing ": " (a colon and a space) must be quoted, e.g. command: "echo loss: {lr}"; otherwise check that this line is not indented deeper than the one before.`;
    case 'BAD_SCALAR_START':
      return `${base} Put the value in quotes.`;
    case 'MULTIPLE_DOCS':
      return 'this file holds more than one YAML document (a `---` line separates them); a campaign file is a single document, so remove the extra `---`.';
    default:
      return `${base} Fix the syntax (indentation, a missing colon, an unclosed bracket or quote) and run again.`;
  }
}

// ---------------------------------------------------------------------------------------------
// Words and values in messages

type Path = Array<string | number>;

export function formatKeyPath(p: Path): string {
  let out = '';
  for (const seg of p) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** How a value the user wrote is shown after "got". */
function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const json = safeJson(v);
  if (Array.isArray(v)) return json && json.length <= 40 ? `a list (${json})` : `a list of ${v.length} items`;
  return json && json.length <= 40 ? `a map (${json})` : 'a map';
}

function safeJson(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

function listWords(items: readonly string[], conj = 'or'): string {
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return `${items[0]} ${conj} ${items[1]}`;
  return `${items.slice(0, -1).join(', ')} ${conj} ${items[items.length - 1]}`;
}

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest candidate when it is close enough to be a plausible typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word, c);
    if (dist < bestD) {
      best = c;
      bestD = dist;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(word.length, best.length) / 3));
  return bestD <= limit ? best : undefined;
}

/** Names people bring from Optuna, Ray Tune, W&B sweeps and friends, per map (key path without indices). */
const KEY_ALIASES: Record<string, Record<string, string>> = {
  '': {
    trials: 'budget.trials', n_trials: 'budget.trials', max_trials: 'budget.trials', num_samples: 'budget.trials',
    wall: 'budget.wall', timeout: 'budget.wall', time_budget: 'budget.wall', max_time: 'budget.wall',
    trial_timeout: 'budget.trial_timeout', patience: 'budget.patience', target: 'budget.target',
    objective: 'metric', metrics: 'metric', goal: 'metric.goal', direction: 'metric.goal',
    params: 'space', parameters: 'space', search_space: 'space', hyperparameters: 'space', config: 'space',
    sampler: 'proposer', proposers: 'proposer', algorithm: 'proposer', search_alg: 'proposer', method: 'proposer', optimizer: 'proposer',
    workers: 'parallel', n_jobs: 'parallel', concurrency: 'parallel', max_concurrent_trials: 'parallel', slots: 'parallel',
    evaluator: 'evaluate', eval: 'evaluate', environment: 'env', cwd: 'workdir', dir: 'workdir', directory: 'workdir',
    scheduler: 'pruner', early_stopping: 'pruner', grace: 'kill_grace', log_limit: 'max_log', max_log_size: 'max_log',
  },
  budget: {
    n_trials: 'trials', max_trials: 'trials', num_samples: 'trials', timeout: 'trial_timeout',
    wall_time: 'wall', max_time: 'wall', time: 'wall', time_budget: 'wall', early_stop: 'patience',
  },
  metric: { direction: 'goal', mode: 'goal', key: 'name', regex: 'pattern' },
  'space.*': { min: 'low', max: 'high', lower: 'low', upper: 'high', values: 'choices', options: 'choices', log_scale: 'log', logscale: 'log', q: 'step' },
  pruner: { n_warmup_steps: 'warmup_steps', warmup: 'warmup_steps', n_startup_trials: 'min_trials', interval: 'interval_steps', name: 'type' },
  evaluate: { cmd: 'command', run: 'command', trial_timeout: 'timeout' },
  decide: { type: 'mode' },
};

/** Values people write for an enum member, e.g. Ray Tune's `mode: min`. */
const VALUE_ALIASES: Record<string, string> = {
  min: 'minimize', minimum: 'minimize', lower: 'minimize', down: 'minimize', minimise: 'minimize',
  max: 'maximize', maximum: 'maximize', higher: 'maximize', up: 'maximize', maximise: 'maximize',
};

const TYPE_ALIASES: Record<string, string> = {
  uniform: 'float', loguniform: 'float', real: 'float', continuous: 'float', double: 'float', number: 'float',
  integer: 'int', randint: 'int', discrete: 'int',
  choice: 'categorical', category: 'categorical', categories: 'categorical', enum: 'categorical', string: 'categorical',
};

// ---------------------------------------------------------------------------------------------
// zod plumbing: every issue becomes "expected ..." text; the value itself is looked up for "got ..."

const E = {
  whole: (min: number) => `expected a whole number ≥ ${min}`,
  duration: `expected a duration ${DURATION_EXAMPLES}`,
  positiveDuration: `expected a duration longer than 0, ${DURATION_EXAMPLES}`,
  goal: 'expected minimize or maximize',
  text: (what: string) => `expected ${what}`,
};

function wholeNumber(min: number) {
  const error = E.whole(min);
  return z.number({ error }).int({ error }).min(min, { error }).max(Number.MAX_SAFE_INTEGER, { error });
}
function number(what = 'a number') {
  return z.number({ error: `expected ${what}` });
}
function text(what: string) {
  return z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
}
function duration(positive: boolean) {
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
function size() {
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
const goal = z.enum(['minimize', 'maximize'], { error: E.goal });

/** Default wording for issues from schemas that did not set their own (the proposers' option schemas). */
function defaultIssueText(iss: z.core.$ZodRawIssue): string | undefined {
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
function schemaAt(schema: z.ZodType, p: Path): any {
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
function objectKeysAt(schema: z.ZodType, p: Path): string[] | undefined {
  const def = schemaAt(schema, p)?._zod?.def;
  return def?.type === 'object' ? Object.keys(def.shape) : undefined;
}

/** True when the number schema at `p` only accepts whole numbers (z.int() or .int()). */
function isIntAt(schema: z.ZodType, p: Path): boolean {
  const def = schemaAt(schema, p)?._zod?.def;
  if (!def || def.type !== 'number') return false;
  const isInt = (d: any) => typeof d?.format === 'string' && d.format.includes('int');
  return isInt(def) || (Array.isArray(def.checks) && def.checks.some((c: any) => isInt(c?._zod?.def)));
}

function getAt(value: unknown, p: Path): unknown {
  let v = value;
  for (const seg of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function isPlainMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Drops keys whose value is empty (`key:` with nothing after it), so optional keys left blank mean "not set". */
function dropNulls(v: unknown): unknown {
  if (!isPlainMap(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null));
}

// ---------------------------------------------------------------------------------------------
// The checker

interface Problem extends ConfigProblem {
  order: number;
}

class Checker {
  private problems: Problem[] = [];
  constructor(
    private readonly doc: Document,
    private readonly raw: unknown,
    private readonly lc: LineCounter,
    private readonly registry: ProposerRegistry,
  ) {}

  sortedProblems(): ConfigProblem[] {
    return [...this.problems]
      .sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || a.order - b.order)
      .map(({ order: _order, ...p }) => p);
  }

  // ---- recording problems ------------------------------------------------------------------

  private add(p: Path, detail: string, at: 'key' | 'value' = 'value'): void {
    const pos = this.locate(p, at);
    this.problems.push({ line: pos?.line, keyPath: formatKeyPath(p), detail, order: this.problems.length });
  }

  /** `expected` starts with "expected ..." (or is free text); the value written is looked up for "got ...". */
  private expect(p: Path, expected: string, hint?: string): void {
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
  private parse<S extends z.ZodType>(schema: S, value: unknown, p: Path, extraKeys: readonly string[] = []): z.output<S> | undefined {
    const r = schema.safeParse(value, { error: defaultIssueText });
    if (r.success) return r.data;
    this.zodIssues(r.error, p, schema, value, extraKeys);
    return undefined;
  }

  // ---- positions ----------------------------------------------------------------------------

  private hasKey(p: Path): boolean {
    const parent = getAt(this.raw, p.slice(0, -1));
    return isPlainMap(parent) && Object.prototype.hasOwnProperty.call(parent, String(p[p.length - 1]));
  }

  /** Line of the key (at = 'key') or value at `p`; for a missing key, the line of its parent's key. */
  private locate(p: Path, at: 'key' | 'value'): { line: number; col: number } | undefined {
    let node: unknown = this.doc.contents;
    let keyNode: unknown;
    let complete = true;
    for (const seg of p) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((it) => (isScalar(it.key) ? String(it.key.value) : String(it.key)) === String(seg));
        if (!pair) {
          complete = false;
          break;
        }
        keyNode = pair.key;
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        keyNode = undefined;
        node = node.items[seg];
      } else {
        complete = false;
        break;
      }
    }
    const rangeOf = (n: unknown): [number, number, number] | undefined =>
      n && typeof n === 'object' && 'range' in n ? ((n as { range?: [number, number, number] }).range ?? undefined) : undefined;
    let target: unknown = node;
    if (keyNode && (at === 'key' || !complete || isMap(node) || isSeq(node) || !rangeOf(node))) target = keyNode;
    const range = rangeOf(target) ?? rangeOf(this.doc.contents);
    if (!range) return undefined;
    return this.lc.linePos(range[0]);
  }

  private scalarSource(p: Path): string | undefined {
    const node = this.doc.getIn(p, true);
    if (isScalar(node) && typeof node.source === 'string') return node.source;
    return undefined;
  }

  // ---- the campaign -------------------------------------------------------------------------

  campaign(file: string): CampaignConfig | undefined {
    const dir = path.dirname(file);
    const root = this.raw;
    if (root === null || root === undefined) {
      this.problems.push({
        line: 1,
        keyPath: '',
        detail: 'the file is empty. A campaign needs at least name, command, metric and space; see docs/campaign-file.md for an example.',
        order: 0,
      });
      return undefined;
    }
    if (!isPlainMap(root)) {
      this.add([], `expected a map of settings at the top level (name:, command:, metric:, space: ...), got ${describeValue(root)}. Write one \`key: value\` per line.`);
      return undefined;
    }

    const shape = Object.fromEntries(CAMPAIGN_KEYS.map((k) => [k, z.unknown().optional()]));
    this.parse(z.strictObject(shape), root, []);

    const name = this.name(root.name);
    const workdir = this.workdir(root.workdir, dir);
    const command = this.required(root, 'command', 'expected the shell command that runs one trial, e.g. python3 train.py --lr {lr}')
      ? this.command(root.command)
      : undefined;
    const metric = this.metric(root.metric);
    const space = this.space(root.space);
    const paramNames = isPlainMap(root.space) ? Object.keys(root.space) : [];
    if (command !== undefined && paramNames.length > 0) this.placeholders(command, paramNames, ['command']);
    const proposers = this.proposers(root.proposer, space);
    const gpus = this.gpus(root.gpus);
    // One trial per GPU unless parallel says otherwise.
    const parallel = this.optional(root.parallel, wholeNumber(1), ['parallel'], gpus && gpus.length ? gpus.length : DEFAULTS.parallel);
    const seed = this.optional(root.seed, wholeNumber(0), ['seed'], DEFAULTS.seed);
    const queueAhead = this.optional(root.queue_ahead, wholeNumber(0), ['queue_ahead'], DEFAULTS.queue_ahead);
    const killGrace = this.optional(root.kill_grace, duration(false), ['kill_grace'], DEFAULTS.kill_grace_ms);
    const maxLog = this.optional(root.max_log, size(), ['max_log'], DEFAULTS.max_log_bytes);
    const budget = this.budget(root.budget);
    const pruner = this.pruner(root.pruner);
    const evaluate = this.evaluate(root.evaluate);
    if (evaluate && paramNames.length > 0) {
      this.placeholders(evaluate.command, paramNames, typeof root.evaluate === 'string' ? ['evaluate'] : ['evaluate', 'command']);
    }
    const frozen = this.frozen(root.frozen);
    const decide = this.decide(root.decide);
    const env = this.env(root.env);
    const results = this.results(root.results, metric?.name);
    if (metric && decide && evaluate !== undefined) this.readable(metric, decide, true);
    else if (metric && decide && root.evaluate == null) this.readable(metric, decide, false);

    if (this.problems.length > 0) return undefined;
    const config: CampaignConfig = {
      file,
      dir,
      name: name!,
      workdir: workdir!,
      command: command!,
      metric: metric!,
      space: space!,
      proposers: proposers!,
      parallel: parallel!,
      seed: seed!,
      budget: budget!,
      kill_grace_ms: killGrace!,
      pruner: pruner!,
      frozen: frozen!,
      decide: decide!,
      env: env!,
      queue_ahead: queueAhead!,
      gpus: gpus!,
      results: results!,
      max_log_bytes: maxLog!,
    };
    if (evaluate) config.evaluate = evaluate;
    return config;
  }

  /**
   * Checks that every metric the campaign ranks by can actually be read: the default reader only
   * knows `key=value` keys (not the step keys), and with metric.pattern the trial's output yields
   * only metric.name, so other metrics named under decide need the default reader or an evaluator.
   */
  private readable(metric: CampaignConfig['metric'], decide: DecideConfig, hasEvaluator: boolean): void {
    const problem = (name: string): string | null => {
      if (STEP_KEYS.includes(name.toLowerCase())) return `${name} is read as the step (the x-axis), never as a metric`;
      if (!READABLE_KEY.test(name)) return `${JSON.stringify(name)} cannot be read from output: metric keys are letters, digits and _ . / - (e.g. val_loss, train/loss), printed as ${'`'}key=value${'`'} or ${'`'}key: value${'`'}`;
      return null;
    };
    if (metric.pattern === undefined && !hasEvaluator) {
      const why = problem(metric.name);
      if (why) this.add(['metric', 'name'], `${why}. Use the name the trial prints, or add metric.pattern to read it with a regular expression.`);
    }
    const refs: Array<[Path, string]> = [];
    if (decide.mode === 'constraint') refs.push([['decide', 'metric'], decide.metric]);
    if (decide.mode === 'pareto') decide.objectives.forEach((o, i) => refs.push([['decide', 'objectives', i, 'name'], o.name]));
    if (decide.mode === 'weighted') for (const k of Object.keys(decide.weights)) refs.push([['decide', 'weights', k], k]);
    for (const [p, name] of refs) {
      if (name === metric.name && metric.pattern !== undefined) continue;
      const why = problem(name);
      if (why) {
        this.add(p, `${why}. Use a name the ${hasEvaluator ? 'evaluator' : 'trial'} prints as ${'`'}${name.replace(/\W+/g, '_')}=<number>${'`'}.`, p[0] === 'decide' && p[1] === 'weights' ? 'key' : 'value');
      } else if (metric.pattern !== undefined && !hasEvaluator && name !== metric.name) {
        this.add(
          p,
          `${name} would never be read: with metric.pattern set, only ${metric.name} is read from the trial's output. Remove metric.pattern (the default reader reads every key=value pair) or add an evaluate command that prints ${name}.`,
          p[0] === 'decide' && p[1] === 'weights' ? 'key' : 'value',
        );
      }
    }
  }

  /** Records a problem when a required key is absent or empty; true when it is there. */
  private required(root: Record<string, unknown>, key: string, expected: string, hint?: string): boolean {
    if (root[key] !== undefined && root[key] !== null) return true;
    this.expect([key], expected, hint);
    return false;
  }

  private optional<S extends z.ZodType>(value: unknown, schema: S, p: Path, fallback: z.output<S>): z.output<S> | undefined {
    if (value === undefined || value === null) return fallback;
    return this.parse(schema, value, p);
  }

  private name(value: unknown): string | undefined {
    const expected =
      'expected a short campaign name made of letters, digits, `.`, `_` and `-`, starting with a letter or digit (it becomes a directory and the git branch nightshift/<name>), e.g. lr-sweep';
    if (!this.required({ name: value }, 'name', expected)) return undefined;
    if (typeof value === 'number' || typeof value === 'boolean') {
      this.expect(['name'], 'expected the name as text', `Put it in quotes: name: "${this.scalarSource(['name']) ?? String(value)}".`);
      return undefined;
    }
    if (typeof value !== 'string' || !CAMPAIGN_NAME.test(value)) {
      const fix = typeof value === 'string' ? value.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') : '';
      this.expect(['name'], expected, fix && CAMPAIGN_NAME.test(fix) ? `Try name: ${fix}.` : undefined);
      return undefined;
    }
    if (value.includes('..') || value.endsWith('.') || value.endsWith('.lock')) {
      this.expect(['name'], 'expected a name git accepts as a branch name (no `..`, not ending in `.` or `.lock`)');
      return undefined;
    }
    return value;
  }

  private workdir(value: unknown, dir: string): string | undefined {
    let rel = '.';
    if (value !== undefined && value !== null) {
      const parsed = this.parse(text('a directory path, relative to the campaign file (default: the file\'s own directory)'), value, ['workdir']);
      if (parsed === undefined) return undefined;
      rel = parsed;
    }
    const expanded = rel === '~' || rel.startsWith('~/') ? path.join(process.env.HOME ?? '~', rel.slice(1)) : rel;
    const abs = path.resolve(dir, expanded);
    let stat;
    try {
      stat = statSync(abs);
    } catch {
      this.add(['workdir'], `the directory ${abs} does not exist (workdir is resolved relative to the campaign file's directory, ${dir}). Create it or fix the path, then run again.`);
      return undefined;
    }
    if (!stat.isDirectory()) {
      this.add(['workdir'], `${abs} is a file, not a directory. Point workdir at the directory the command should run in.`);
      return undefined;
    }
    return abs;
  }

  private command(value: unknown): string | undefined {
    if (Array.isArray(value)) {
      this.expect(['command'], 'expected the command as one line of text', 'Join the words into one line, e.g. command: python3 train.py --lr {lr}; parameters go in as {name} placeholders.');
      return undefined;
    }
    const cmd = this.parse(text('the shell command that runs one trial, as text, e.g. python3 train.py --lr {lr}'), value, ['command']);
    if (cmd !== undefined && cmd.trim() === '') {
      this.expect(['command'], 'expected the shell command that runs one trial, e.g. python3 train.py --lr {lr}');
      return undefined;
    }
    return cmd;
  }

  private placeholders(command: string, known: string[], p: Path): void {
    for (const name of commandPlaceholders(command)) {
      if (known.includes(name)) continue;
      const guess = closest(name, known);
      const suggestion = guess ? ` Did you mean {${guess}}?` : '';
      this.add(
        p,
        `the placeholder {${name}} does not name a parameter in space (the parameters are ${listWords(known, 'and')}).${suggestion} Fix the placeholder or add ${name} to space; for a literal brace write {{ or }}, and shell variables such as \${HOME} are left alone.`,
      );
    }
  }

  private metric(value: unknown): CampaignConfig['metric'] | undefined {
    const example = 'Write metric: { name: val_loss, goal: minimize } (or goal: maximize for accuracy-like metrics).';
    if (!this.required({ metric: value }, 'metric', 'expected a map naming the number to optimise and its direction', example)) return undefined;
    if (typeof value === 'string') {
      this.expect(['metric'], 'expected a map with the metric name and its goal', `Write metric: { name: ${IDENT.test(value) ? value : 'val_loss'}, goal: minimize } (or goal: maximize).`);
      return undefined;
    }
    const schema = z.strictObject(
      {
        name: text('the metric name as the trial prints it, e.g. val_loss'),
        goal,
        pattern: z.string({ error: 'expected a regular expression as text' }).optional(),
      },
      { error: 'expected a map like { name: val_loss, goal: minimize }' },
    );
    const m = this.parse(schema, dropNulls(value), ['metric']);
    if (!m) return undefined;
    if (m.pattern !== undefined) {
      const reason = patternProblem(m.pattern);
      if (reason) {
        this.expect(
          ['metric', 'pattern'],
          `expected a regular expression with exactly one capture group around the number (and optionally a named group (?<step>\\d+)), e.g. '${m.name}[=:]\\s*([-+0-9.eE]+)'`,
          `${reason} Fix it and run again.`,
        );
        return undefined;
      }
    }
    const out: CampaignConfig['metric'] = { name: m.name, goal: m.goal };
    if (m.pattern !== undefined) out.pattern = m.pattern;
    return out;
  }

  private space(value: unknown): Space | undefined {
    const example = 'e.g. lr: { type: float, low: 1.0e-4, high: 1.0e-1, log: true }';
    if (!this.required({ space: value }, 'space', `expected a map of the parameters to search, ${example}`)) return undefined;
    if (!isPlainMap(value)) {
      this.expect(['space'], `expected a map of parameter names to their ranges, ${example}`);
      return undefined;
    }
    const names = Object.keys(value);
    if (names.length === 0) {
      this.expect(['space'], `expected at least one parameter, ${example}`);
      return undefined;
    }
    const space: Space = {};
    let ok = true;
    for (const name of names) {
      if (!IDENT.test(name)) {
        const fix = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^(?=[0-9])/, '_');
        this.add(
          ['space', name],
          `parameter names must be identifiers (letters, digits and _, not starting with a digit) because they are used as {name} placeholders and in params.json. Rename it, e.g. ${fix}.`,
          'key',
        );
        ok = false;
        continue;
      }
      const spec = this.param(name, value[name]);
      if (spec) space[name] = spec;
      else ok = false;
    }
    return ok ? space : undefined;
  }

  private param(name: string, value: unknown): ParamSpec | undefined {
    const p = ['space', name];
    const forms = '{ type: float, low: 0.0001, high: 0.1, log: true }, { type: int, low: 16, high: 256 } or { type: categorical, choices: [relu, gelu] }';
    if (!isPlainMap(value)) {
      const hint = Array.isArray(value)
        ? `For a list of values write ${name}: { type: categorical, choices: ${safeJson(value) ?? '[...]'} }.`
        : `To fix a value rather than search it, leave it out of space and write it into command.`;
      this.expect(p, `expected a map such as ${forms}`, hint);
      return undefined;
    }
    const v = dropNulls(value) as Record<string, unknown>;
    const types = ['float', 'int', 'categorical'];
    if (v.type === undefined) {
      this.expect([...p, 'type'], `expected type: float, int or categorical`);
      return undefined;
    }
    if (typeof v.type !== 'string' || !types.includes(v.type)) {
      const guess = typeof v.type === 'string' ? (TYPE_ALIASES[v.type.toLowerCase()] ?? closest(v.type, types)) : undefined;
      this.expect([...p, 'type'], 'expected float, int or categorical', guess ? `Did you mean \`${guess}\`?` : undefined);
      return undefined;
    }
    if (v.type === 'categorical') {
      const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a text, number or true/false choice' });
      const schema = z.strictObject({
        type: z.literal('categorical'),
        choices: z.array(scalar, { error: 'expected a list of choices, e.g. [relu, gelu, tanh]' }).min(1, { error: 'expected a non-empty list of choices' }),
      });
      const c = this.parse(schema, v, p);
      if (!c) return undefined;
      const seen = new Map<string, number>();
      for (const [i, choice] of c.choices.entries()) {
        const key = `${typeof choice}:${String(choice)}`;
        const first = seen.get(key);
        if (first !== undefined) {
          this.expect([...p, 'choices', i], 'expected distinct choices', `${describeValue(choice)} is already choices[${first}]; remove the repeat.`);
          return undefined;
        }
        seen.set(key, i);
      }
      return { type: 'categorical', choices: c.choices };
    }

    const isInt = v.type === 'int';
    const bound = isInt
      ? z.number({ error: 'expected a whole number' }).int({ error: 'expected a whole number' })
      : number('a number');
    const schema = z.strictObject({
      type: z.enum(['float', 'int']),
      low: bound,
      high: bound,
      log: z.boolean({ error: 'expected true or false' }).optional(),
      step: (isInt ? z.number({ error: 'expected a whole number ≥ 1' }).int({ error: 'expected a whole number ≥ 1' }).min(1, { error: 'expected a whole number ≥ 1' }) : z.number({ error: 'expected a number > 0' }).gt(0, { error: 'expected a number > 0' })).optional(),
    });
    const r = this.parse(schema, v, p);
    if (!r) return undefined;
    if (!(r.low < r.high)) {
      this.expect(
        [...p, 'high'],
        `expected a number greater than low (${r.low})`,
        r.low === r.high
          ? `A range needs low < high; to fix ${name} at one value, leave it out of space and write it into command.`
          : 'A range needs low < high; swap them.',
      );
      return undefined;
    }
    if (r.log && r.low <= 0) {
      this.expect([...p, 'low'], 'expected a number > 0 because log: true (a log scale cannot reach 0 or negative values)', `Raise low (e.g. ${isInt ? 1 : '1.0e-6'}) or drop log: true.`);
      return undefined;
    }
    if (r.log && r.step !== undefined) {
      this.add([...p, 'step'], 'step cannot be combined with log: true (steps are even in linear space, log spacing is not). Remove one of them and run again.', 'key');
      return undefined;
    }
    const spec: Extract<ParamSpec, { type: 'float' | 'int' }> = { type: r.type, low: r.low, high: r.high };
    if (r.log !== undefined) spec.log = r.log;
    if (r.step !== undefined) spec.step = r.step;
    return spec;
  }

  private proposers(value: unknown, space: Space | undefined): ProposerSpec[] | undefined {
    const known = Object.keys(this.registry);
    if (value === undefined || value === null) value = DEFAULTS.proposer;
    const single = !Array.isArray(value);
    const items = Array.isArray(value) ? value : [value];
    if (items.length === 0) {
      this.expect(['proposer'], `expected a proposer or a non-empty list of them (known: ${known.join(', ')})`);
      return undefined;
    }
    const out: ProposerSpec[] = [];
    const typesSeen = new Map<string, number>();
    let ok = true;
    for (const [i, item] of items.entries()) {
      const p: Path = single ? ['proposer'] : ['proposer', i];
      const spec = this.proposer(item, p, known, space);
      if (!spec) {
        ok = false;
        continue;
      }
      const first = typesSeen.get(spec.type);
      if (first !== undefined) {
        this.add(p, `${spec.type} is listed twice (also proposer[${first}]); the operator switches proposer by type, so list each type once. Remove one and run again.`);
        ok = false;
        continue;
      }
      typesSeen.set(spec.type, i);
      out.push(spec);
    }
    return ok ? out : undefined;
  }

  private proposer(item: unknown, p: Path, known: string[], space: Space | undefined): ProposerSpec | undefined {
    const knownText = `one of the known proposers (${known.join(', ')})`;
    let type: unknown;
    let rawOptions: Record<string, unknown> = {};
    const typePath = isPlainMap(item) ? [...p, 'type'] : p;
    if (typeof item === 'string') type = item;
    else if (isPlainMap(item)) {
      ({ type, ...rawOptions } = item);
      if (type === undefined || type === null) {
        this.expect(typePath, `expected the proposer's type, ${knownText}`, `Write e.g. { type: ${known[0] ?? 'random'}, ... }.`);
        return undefined;
      }
    } else {
      this.expect(p, `expected ${knownText}, or a map like { type: ${known[0] ?? 'random'}, ... } with its options`);
      return undefined;
    }
    if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(this.registry, type)) {
      const guess = typeof type === 'string' ? closest(type, known) : undefined;
      this.expect(typePath, `expected ${knownText}`, guess ? `Did you mean \`${guess}\`?` : 'Pick one of them and run again.');
      return undefined;
    }
    const entry = this.registry[type];
    const options = this.parse(entry.options, dropNulls(rawOptions), p, ['type']);
    if (options === undefined) return undefined;
    if (space && entry.unsupported) {
      const reason = entry.unsupported(space);
      if (reason) {
        this.add(p, `the ${type} proposer cannot search this space: ${reason.replace(/\.$/, '')}. Choose another proposer or change the space, then run again.`);
        return undefined;
      }
    }
    return { type, options: isPlainMap(options) ? options : {} };
  }

  private budget(value: unknown): CampaignConfig['budget'] | undefined {
    if (value === undefined || value === null) return {};
    const schema = z.strictObject(
      {
        trials: wholeNumber(1).optional(),
        wall: duration(true).optional(),
        trial_timeout: duration(true).optional(),
        patience: wholeNumber(1).optional(),
        target: number('a number (stop once the metric reaches it)').optional(),
        first_crashes: wholeNumber(0).optional(),
      },
      { error: 'expected a map like { trials: 40, wall: 2h, trial_timeout: 5m }' },
    );
    const b = this.parse(schema, dropNulls(value), ['budget']);
    if (!b) return undefined;
    const out: CampaignConfig['budget'] = {};
    if (b.trials !== undefined) out.trials = b.trials;
    if (b.wall !== undefined) out.wall_ms = b.wall;
    if (b.trial_timeout !== undefined) out.trial_timeout_ms = b.trial_timeout;
    if (b.patience !== undefined) out.patience = b.patience;
    if (b.target !== undefined) out.target = b.target;
    if (b.first_crashes !== undefined) out.first_crashes = b.first_crashes;
    return out;
  }

  private pruner(value: unknown): PrunerConfig | undefined {
    if (value === undefined || value === null) return { type: 'none' };
    const types = ['none', 'median'];
    const obj = typeof value === 'string' ? { type: value } : value;
    const typePath = typeof value === 'string' ? ['pruner'] : ['pruner', 'type'];
    if (!isPlainMap(obj)) {
      this.expect(['pruner'], 'expected none, median, or a map like { type: median, warmup_steps: 5, min_trials: 4 }');
      return undefined;
    }
    const type = obj.type;
    if (typeof type !== 'string' || !types.includes(type)) {
      const guess = typeof type === 'string' ? closest(type, types) : undefined;
      this.expect(typePath, 'expected none or median', guess ? `Did you mean \`${guess}\`?` : undefined);
      return undefined;
    }
    if (type === 'none') {
      return this.parse(z.strictObject({ type: z.literal('none') }), dropNulls(obj), ['pruner']) ? { type: 'none' } : undefined;
    }
    const schema = z.strictObject({
      type: z.literal('median'),
      warmup_steps: wholeNumber(0).default(DEFAULTS.pruner.warmup_steps),
      min_trials: wholeNumber(1).default(DEFAULTS.pruner.min_trials),
      interval_steps: wholeNumber(1).default(DEFAULTS.pruner.interval_steps),
    });
    const r = this.parse(schema, dropNulls(obj), ['pruner']);
    if (!r) return undefined;
    return { type: 'median', warmup_steps: r.warmup_steps, min_trials: r.min_trials, interval_steps: r.interval_steps };
  }

  private evaluate(value: unknown): CampaignConfig['evaluate'] | undefined {
    if (value === undefined || value === null) return undefined;
    const obj = typeof value === 'string' ? { command: value } : value;
    if (!isPlainMap(obj)) {
      this.expect(['evaluate'], 'expected the evaluator command as text, or a map like { command: python3 evaluate.py, timeout: 5m }');
      return undefined;
    }
    const schema = z.strictObject({
      command: text('the evaluator command as text, e.g. python3 evaluate.py'),
      timeout: duration(true).optional(),
    });
    const r = this.parse(schema, dropNulls(obj), ['evaluate']);
    if (!r) return undefined;
    if (r.command.trim() === '') {
      this.expect(typeof value === 'string' ? ['evaluate'] : ['evaluate', 'command'], 'expected the evaluator command, e.g. python3 evaluate.py');
      return undefined;
    }
    return { command: r.command, timeout_ms: r.timeout ?? DEFAULTS.evaluate_timeout_ms };
  }

  private frozen(value: unknown): string[] | undefined {
    if (value === undefined || value === null) return [];
    const list = typeof value === 'string' ? [value] : value;
    const single = typeof value === 'string';
    const schema = z.array(text('a file path or glob relative to workdir, e.g. evaluate.py or data/**'), {
      error: 'expected a list of file paths or globs relative to workdir, e.g. [evaluate.py, data/**]',
    });
    const globs = this.parse(schema, list, single ? [] : ['frozen']);
    if (!globs) {
      if (single) this.expect(['frozen'], 'expected a list of file paths or globs relative to workdir, e.g. [evaluate.py, data/**]');
      return undefined;
    }
    let ok = true;
    for (const [i, g] of globs.entries()) {
      const p: Path = single ? ['frozen'] : ['frozen', i];
      if (path.isAbsolute(g) || g.split(/[\\/]/).includes('..')) {
        this.expect(p, 'expected a path or glob inside workdir (relative, without ..)', 'Frozen files are hashed relative to workdir; move the file inside it or change workdir.');
        ok = false;
      }
    }
    return ok ? globs : undefined;
  }

  private decide(value: unknown): DecideConfig | undefined {
    if (value === undefined || value === null) return { mode: 'single' };
    const modes = ['single', 'constraint', 'pareto', 'weighted'];
    const examples: Record<string, string> = {
      constraint: 'decide: { mode: constraint, metric: gpu_mem_gb, max: 20 }',
      pareto: 'decide: { mode: pareto, objectives: [{ name: val_loss, goal: minimize }, { name: latency_ms, goal: minimize }] }',
      weighted: 'decide: { mode: weighted, weights: { val_loss: 1.0, latency_ms: 0.01 } }',
    };
    const obj = typeof value === 'string' ? { mode: value } : value;
    const modePath = typeof value === 'string' ? ['decide'] : ['decide', 'mode'];
    if (!isPlainMap(obj)) {
      this.expect(['decide'], 'expected a map like { mode: single }');
      return undefined;
    }
    const mode = obj.mode;
    if (mode === undefined || mode === null) {
      this.expect(['decide', 'mode'], `expected ${listWords(modes)}`);
      return undefined;
    }
    if (typeof mode !== 'string' || !modes.includes(mode)) {
      const guess = typeof mode === 'string' ? closest(mode, modes) : undefined;
      this.expect(modePath, `expected ${listWords(modes)}`, guess ? `Did you mean \`${guess}\`?` : undefined);
      return undefined;
    }
    if (typeof value === 'string' && mode !== 'single') {
      this.add(['decide'], `mode ${mode} needs more settings than a bare word; write ${examples[mode]}. See docs/campaign-file.md (decide).`);
      return undefined;
    }
    const d = dropNulls(obj);
    switch (mode) {
      case 'single':
        return this.parse(z.strictObject({ mode: z.literal('single') }), d, ['decide']) ? { mode: 'single' } : undefined;
      case 'constraint': {
        const schema = z.strictObject({
          mode: z.literal('constraint'),
          metric: text('the name of the metric to constrain, e.g. gpu_mem_gb'),
          min: number().optional(),
          max: number().optional(),
        });
        const r = this.parse(schema, d, ['decide']);
        if (!r) return undefined;
        if (r.min === undefined && r.max === undefined) {
          this.add(['decide'], `mode constraint needs min, max or both (a trial whose ${r.metric} falls outside them is discarded). Write e.g. ${examples.constraint}.`);
          return undefined;
        }
        if (r.min !== undefined && r.max !== undefined && r.min > r.max) {
          this.expect(['decide', 'max'], `expected a number ≥ min (${r.min})`, 'No trial could pass; swap min and max.');
          return undefined;
        }
        const out: DecideConfig = { mode: 'constraint', metric: r.metric };
        if (r.min !== undefined) out.min = r.min;
        if (r.max !== undefined) out.max = r.max;
        return out;
      }
      case 'pareto': {
        const schema = z.strictObject({
          mode: z.literal('pareto'),
          objectives: z
            .array(z.strictObject({ name: text('the metric name'), goal }, { error: 'expected a map like { name: val_loss, goal: minimize }' }), {
              error: `expected a list of at least two objectives, e.g. ${examples.pareto.replace('decide: ', '')}`,
            })
            .min(2, { error: 'expected at least two objectives (with one, use mode: single)' }),
        });
        const r = this.parse(schema, d, ['decide']);
        if (!r) return undefined;
        const seen = new Set<string>();
        for (const [i, o] of r.objectives.entries()) {
          if (seen.has(o.name)) {
            this.expect(['decide', 'objectives', i, 'name'], 'expected each objective once', 'Remove the repeated objective.');
            return undefined;
          }
          seen.add(o.name);
        }
        return { mode: 'pareto', objectives: r.objectives.map((o) => ({ name: o.name, goal: o.goal as Goal })) };
      }
      case 'weighted': {
        const schema = z.strictObject({
          mode: z.literal('weighted'),
          weights: z.record(z.string(), number('a number (the weight of that metric in the sum)'), {
            error: `expected a map of metric names to numbers, e.g. ${examples.weighted.replace('decide: { mode: weighted, weights: ', '').replace(/ }$/, '')}`,
          }),
        });
        const r = this.parse(schema, d, ['decide']);
        if (!r) return undefined;
        if (Object.keys(r.weights).length === 0) {
          this.expect(['decide', 'weights'], 'expected at least one metric: weight pair', `Write e.g. ${examples.weighted}.`);
          return undefined;
        }
        return { mode: 'weighted', weights: r.weights };
      }
    }
    return undefined;
  }

  /** `gpus: [0, 1]` (or device UUIDs): slot i runs with CUDA_VISIBLE_DEVICES = gpus[i mod n]. */
  private gpus(value: unknown): string[] | undefined {
    if (value === undefined || value === null) return [];
    const list = Array.isArray(value) ? value : typeof value === 'string' || typeof value === 'number' ? [value] : null;
    if (!list || list.length === 0) {
      this.expect(['gpus'], 'expected a list of GPU device ids, e.g. gpus: [0, 1] (each slot gets CUDA_VISIBLE_DEVICES set to one of them)');
      return undefined;
    }
    const out: string[] = [];
    list.forEach((g, i) => {
      const ok = (typeof g === 'number' && Number.isInteger(g) && g >= 0) || (typeof g === 'string' && /^[A-Za-z0-9:_,.-]+$/.test(g));
      if (ok) out.push(String(g));
      else this.expect(['gpus', i], 'expected a device id: a whole number ≥ 0 or a device UUID such as GPU-1a2b3c4d');
    });
    return out.length === list.length ? out : undefined;
  }

  /** `results: { columns: [memory_gb] }`: the secondary metrics results.tsv shows after the primary. */
  private results(value: unknown, primary: string | undefined): CampaignConfig['results'] | undefined {
    if (value === undefined || value === null) return { columns: [] };
    const example = 'e.g. results: { columns: [memory_gb] }';
    if (!isPlainMap(value)) {
      this.expect(['results'], `expected a map with the key columns, ${example}`);
      return undefined;
    }
    for (const k of Object.keys(value)) if (k !== 'columns') this.add(['results', k], `unknown key \`${k}\`; results takes only columns, ${example}. Remove it and run again.`, 'key');
    const list = value.columns ?? [];
    if (!Array.isArray(list)) {
      this.expect(['results', 'columns'], `expected a list of metric names, ${example}`);
      return undefined;
    }
    const columns: string[] = [];
    let ok = true;
    list.forEach((c, i) => {
      if (typeof c !== 'string' || !READABLE_KEY.test(c)) {
        this.expect(['results', 'columns', i], 'expected a metric name the trial prints, e.g. memory_gb');
        ok = false;
      } else if (c === primary) {
        this.expect(['results', 'columns', i], `expected a secondary metric; ${c} is metric.name, always the second column`, 'Remove it and run again.');
        ok = false;
      } else if (!columns.includes(c)) columns.push(c);
    });
    return ok ? { columns } : undefined;
  }

  private env(value: unknown): Record<string, string> | undefined {
    if (value === undefined || value === null) return {};
    if (!isPlainMap(value)) {
      this.expect(['env'], 'expected a map of environment variables, e.g. { OMP_NUM_THREADS: "4", WANDB_MODE: offline }');
      return undefined;
    }
    const out: Record<string, string> = {};
    let ok = true;
    for (const [key, v] of Object.entries(value)) {
      const p = ['env', key];
      if (!IDENT.test(key)) {
        this.add(p, 'environment variable names must be letters, digits and _, not starting with a digit. Rename it and run again.', 'key');
        ok = false;
      } else if (key.startsWith('NIGHTSHIFT_')) {
        this.add(p, `${key} is set by nightshift for every trial (NIGHTSHIFT_* is reserved). Remove it, or use another name.`, 'key');
        ok = false;
      } else if (typeof v === 'string') out[key] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') out[key] = this.scalarSource(p) ?? String(v);
      else {
        this.expect(p, 'expected a value as text (or a number)', v === null ? `Write ${key}: "" for an empty value.` : undefined);
        ok = false;
      }
    }
    return ok ? out : undefined;
  }
}

function aliasScope(parent: Path): string {
  if (parent.length === 2 && parent[0] === 'space') return 'space.*';
  if (parent.length === 2 && parent[0] === 'proposer' && typeof parent[1] === 'number') return 'proposer';
  if (parent.length === 3 && parent[0] === 'decide' && parent[1] === 'objectives') return 'metric';
  return formatKeyPath(parent);
}

/** `{name}` placeholders, `{{`/`}}` literal braces; `${VAR}` is shell syntax (same grammar as engine renderCommand). */
const PLACEHOLDER = /\{\{|\}\}|(?<!\$)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * The `{name}` placeholders in a command, in order of first use. `{{` and `}}` are literal braces,
 * `${VAR}` is shell syntax, and braces around anything but an identifier (`{a,b}`, `{1..3}`) are left alone.
 */
export function commandPlaceholders(command: string): string[] {
  const names: string[] = [];
  for (const m of command.matchAll(PLACEHOLDER)) {
    if (m[1] !== undefined && !names.includes(m[1])) names.push(m[1]);
  }
  return names;
}

/**
 * Why a metric pattern is unusable, or null when it is fine: it must compile (as `source` or
 * `/source/flags`, as src/metrics.ts reads it) and have exactly one group for the value, either
 * unnamed or named `value`; a named group `step` may come with it.
 */
export function patternProblem(pattern: string): string | null {
  let source = pattern;
  let flags = '';
  const literal = /^\/(.*)\/([dgimsuvy]*)$/s.exec(pattern);
  if (literal) {
    source = literal[1];
    flags = literal[2].replace(/[gy]/g, '');
  }
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (err) {
    const why = (err as Error).message.replace(/^Invalid regular expression: /, '');
    return `It does not compile (${why}).`;
  }
  const match = new RegExp(`${re.source}|`, re.flags).exec('');
  const total = match ? match.length - 1 : 0;
  const named = match?.groups ? Object.keys(match.groups) : [];
  const other = named.filter((n) => n !== 'step' && n !== 'value');
  if (other.length > 0) {
    return `It has the named group (?<${other[0]}>...); only (?<step>...) and (?<value>...) are understood, so make it unnamed or non-capturing (?:...).`;
  }
  const valueGroups = total - named.length + (named.includes('value') ? 1 : 0);
  if (valueGroups === 1) return null;
  if (valueGroups === 0) return 'It has no capture group for the value; put ( ) around the number.';
  return `It has ${valueGroups} capture groups for the value; keep the one around the number and make the others non-capturing with (?:...).`;
}
