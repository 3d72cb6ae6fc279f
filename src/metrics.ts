// Turns trial output lines into metric points. Runs on every stdout line of every trial, so it is
// written to do as little as possible per line: regexes are compiled once, a line with neither '='
// nor ':' is rejected with two indexOf calls, and a line without metrics allocates nothing.
//
// Default grammar (no `pattern`):
//   - a pair is `key=value`, `key = value`, `key: value` (the colon form needs whitespace after the
//     colon, so `host:8080` and `12:30:01` are not pairs) or a quoted key `'key': value` /
//     `"key":value` (Python dict / JSON logs such as Hugging Face Trainer's);
//   - a key starts with a letter or `_`, may contain letters, digits, `_ . / -`, and ends with a
//     letter, digit or `_` (`val_loss`, `train/loss`, `val-acc`, `lr.group0`); it must start the
//     line or follow whitespace or one of `, ; : | ( [ {` (so Python logging's `INFO:root:loss: 0.5`
//     is read, while `http://x:8080` and `--lr=3` are not);
//   - a value is an int, float or exponent with optional sign, or nan / inf / infinity (any case,
//     optional sign). It must be followed by the end of the line, whitespace, `; | ) ] } %`, or a
//     comma not followed by a digit. So `2024-01-05`, `1,234,567`, `45ms`, `12:30` and `True` are
//     not values, and `acc=81.2%` reads 81.2;
//   - `step`, `global_step`, `iter`, `iteration` (any case) with a non-negative integer value are
//     the x-axis for the other metrics on the same line and are not metrics themselves; a line
//     that starts with `step 953`, `iter 100` or `iteration 7` (no separator, as autoresearch's
//     progress line and nanoGPT print) gets that step too, unless a `step=` pair says otherwise;
//   - without a step, a metric's report is at (the last step of that metric) + 1, i.e. the n-th
//     report of a metric that never had a step is step n (1-based, counted per metric);
//   - `epoch` is an ordinary metric, not the x-axis;
//   - a key reported twice on one line: the first wins;
//   - only the first MAX_PARSED_CHARS (16 KiB) of a line are read, up to the last whitespace
//     there, and at most MAX_POINTS_PER_LINE (256) metrics per line: a hostile line costs bounded,
//     linear work;
//   - a line holding carriage returns (tqdm / autoresearch `\r` progress output that never ends
//     in a newline) is read as one line per `\r` segment.
//   - Phrases without a separator are not read: nanoGPT's `step 100: train loss 2.31, val loss
//     2.40` yields nothing (its step prefix is seen, but `train loss 2.31` is not a pair). Such
//     output needs `metric.pattern`, e.g. `val loss ([\d.]+)` with `^step (?<step>\d+):`.
//
// With `pattern`: only the primary metric is read, from lines the pattern matches (first match on
// the line). Its value is the named group `value` if there is one, else the first capture group
// that is not the named group `step`; `(?<step>\d+)` gives the step. The pattern may be written
// `/source/flags`.

export interface MetricPoint {
  name: string;
  step: number;
  value: number;
}

export interface MetricParserOptions {
  /** The campaign's primary metric (`metric.name`). */
  primary: string;
  /** A regex with one capture group holding the primary metric's value; optional `(?<step>\d+)`. */
  pattern?: string;
}

/** Only this much of a line is read: a hostile line costs bounded work. */
export const MAX_PARSED_CHARS = 16 * 1024;
/** At most this many metrics are read from one line. */
export const MAX_POINTS_PER_LINE = 256;

const KEY = String.raw`[A-Za-z_](?:[\w./-]*\w)?`;
// The fraction's digits only follow a dot: `\d+\.?\d*` could split a run of digits in n ways and
// backtracked quadratically on a long run that fails the lookahead (16k digits: over a second).
const NUM = String.raw`[-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|[nN][aA][nN]|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)`;
// Groups: 1 quote, 2 quoted key, 3 bare key, 4 value.
const PAIR_SOURCE =
  String.raw`(?<=^|[\s,;:|(\[{])` +
  String.raw`(?:(["'])(${KEY})\1\s*[:=]\s*|(${KEY})(?:\s*=\s*|\s*:\s+))` +
  `(${NUM})` +
  String.raw`(?=$|[\s;|)\]}%]|,(?!\d))`;

const METRIC_KEY = new RegExp(`^${KEY}$`);
/** True for a name the default reader can read as a key (`val_loss`, `train/loss`). */
export function isMetricKey(name: string): boolean {
  return METRIC_KEY.test(name);
}

const LEADING_STEP = /^\s*(?:step|iter|iteration)\s+(\d+)(?![\w.])/i;
const STEP_KEYS: ReadonlySet<string> = new Set(['step', 'global_step', 'iter', 'iteration']);
const EMPTY: MetricPoint[] = Object.freeze([]) as unknown as MetricPoint[];

/** Parses a number token of the default grammar (or a pattern capture); NaN for nan, null if not a number. */
export function parseMetricNumber(text: string): number | null {
  const s = text.trim();
  if (s.length === 0) return null;
  let i = 0;
  let sign = 1;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 /* + */ || c0 === 45 /* - */) {
    i = 1;
    if (c0 === 45) sign = -1;
  }
  const c = s.charCodeAt(i) | 0x20; // lower-case letters
  if (c === 110 /* n */) return s.length - i === 3 && s.slice(i).toLowerCase() === 'nan' ? NaN : null;
  if (c === 105 /* i */) {
    const rest = s.slice(i).toLowerCase();
    return rest === 'inf' || rest === 'infinity' ? sign * Infinity : null;
  }
  const v = Number(s);
  // Number('') is 0 and Number('0x10') is 16: only decimal forms get here after the regex, but a
  // pattern capture may hold anything, so check the shape loosely.
  if (Number.isNaN(v) || /[xXbBoO_]/.test(s)) return null;
  return v;
}

/** Metrics on a line up to which duplicates are found by a linear scan. */
const SMALL_LINE = 16;

/**
 * The first MAX_PARSED_CHARS of a line, ending at whitespace: a token cut in two must not be read
 * (`loss=0.123456` cut to `loss=0.12`). A line with no whitespace in that span yields nothing.
 */
function cutLine(line: string): string {
  if (line.charCodeAt(MAX_PARSED_CHARS) <= 32) return line.slice(0, MAX_PARSED_CHARS);
  for (let i = MAX_PARSED_CHARS - 1; i >= 0; i--) if (line.charCodeAt(i) <= 32) return line.slice(0, i);
  return '';
}

/** True for a key the default reader takes as the step (the x-axis), never as a metric. */
export function isStepKey(key: string): boolean {
  return STEP_KEYS.has(key) || (key.length <= 11 && STEP_KEYS.has(key.toLowerCase()));
}

/**
 * The metric-pattern compiler, once for both its users (MetricParser here, the campaign-file check
 * through patternProblem): `source` or `/source/flags`, where `g` and `y` are dropped (a pattern is
 * matched once per line from its start). Throws SyntaxError when it does not compile.
 */
export function compilePattern(pattern: string): RegExp {
  let source = pattern;
  let flags = '';
  const m = /^\/(.*)\/([dgimsuvy]*)$/s.exec(pattern);
  if (m) {
    source = m[1];
    flags = m[2].replace(/[gy]/g, '');
  }
  return new RegExp(source, flags);
}

/** A compiled pattern's capture groups: how many in all, and the names of the named ones. */
function patternGroups(re: RegExp): { total: number; named: string[] } {
  // Matching the pattern or nothing against '' yields one slot per group whatever the pattern.
  const probe = new RegExp(`${re.source}|`, re.flags).exec('');
  return { total: probe ? probe.length - 1 : 0, named: probe?.groups ? Object.keys(probe.groups) : [] };
}

/**
 * Why a metric pattern is unusable, or null when it is fine: it must compile and have exactly one
 * group for the value, either unnamed or named `value`; a named group `step` may come with it.
 */
export function patternProblem(pattern: string): string | null {
  let re: RegExp;
  try {
    re = compilePattern(pattern);
  } catch (err) {
    const why = (err as Error).message.replace(/^Invalid regular expression: /, '');
    return `It does not compile (${why}).`;
  }
  const { total, named } = patternGroups(re);
  const other = named.filter((n) => n !== 'step' && n !== 'value');
  if (other.length > 0) {
    return `It has the named group (?<${other[0]}>...); only (?<step>...) and (?<value>...) are understood, so make it unnamed or non-capturing (?:...).`;
  }
  const valueGroups = total - named.length + (named.includes('value') ? 1 : 0);
  if (valueGroups === 1) return null;
  if (valueGroups === 0) return 'It has no capture group for the value; put ( ) around the number.';
  return `It has ${valueGroups} capture groups for the value; keep the one around the number and make the others non-capturing with (?:...).`;
}

export class MetricParser {
  readonly primary: string;
  readonly pattern: string | undefined;
  private readonly pairRe: RegExp;
  private readonly patternRe: RegExp | null;
  /** Last step per metric name, for lines that print no step. */
  private readonly lastStep = new Map<string, number>();

  constructor(opts: MetricParserOptions) {
    this.primary = opts.primary;
    this.pattern = opts.pattern;
    this.pairRe = new RegExp(PAIR_SOURCE, 'g');
    this.patternRe = null;
    if (opts.pattern !== undefined && opts.pattern !== '') {
      try {
        this.patternRe = compilePattern(opts.pattern);
      } catch (e) {
        throw new Error(`metric.pattern is not a valid regular expression: ${(e as Error).message}`);
      }
      // A pattern must capture something, or nothing could ever be read.
      const { total, named } = patternGroups(this.patternRe);
      if (total - (named.includes('step') ? 1 : 0) < 1) {
        throw new Error('metric.pattern needs a capture group around the value, e.g. "val loss ([0-9.]+)"');
      }
    }
  }

  /** Forgets the per-metric step counters (a new trial). */
  reset(): void {
    this.lastStep.clear();
  }

  /** Feed one line (no trailing newline). Returns the points it holds, in line order. */
  parse(line: string): MetricPoint[] {
    if (line.length > MAX_PARSED_CHARS) line = cutLine(line);
    if (line.indexOf('\r') !== -1) {
      let out: MetricPoint[] = EMPTY;
      for (const segment of line.split('\r')) {
        if (segment.length === 0) continue;
        const pts = this.parseSegment(segment);
        if (pts.length > 0) out = out.length === 0 ? pts : out.concat(pts);
      }
      return out;
    }
    return this.parseSegment(line);
  }

  private parseSegment(line: string): MetricPoint[] {
    if (this.patternRe) return this.parseWithPattern(line, this.patternRe);
    if (line.indexOf('=') === -1 && line.indexOf(':') === -1) return EMPTY;

    const re = this.pairRe;
    re.lastIndex = 0;
    let points: MetricPoint[] | null = null;
    let step = -1;
    let seen: Set<string> | null = null;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line)) !== null) {
      const key = m[3] ?? m[2];
      const value = parseMetricNumber(m[4]);
      if (value === null) continue;
      if (isStepKey(key)) {
        if (step < 0 && Number.isInteger(value) && value >= 0) step = value;
        continue;
      }
      if (points === null) points = [];
      else if (seen !== null ? seen.has(key) : points.some((p) => p.name === key)) continue;
      points.push({ name: key, step: -1, value });
      // A linear scan is cheapest for the usual handful of keys; a set keeps many keys linear.
      if (seen !== null) seen.add(key);
      else if (points.length === SMALL_LINE) seen = new Set(points.map((p) => p.name));
      if (points.length >= MAX_POINTS_PER_LINE) break;
    }
    if (points === null) return EMPTY;
    if (step < 0) {
      const lead = LEADING_STEP.exec(line);
      if (lead) step = Number(lead[1]);
    }
    for (const p of points) this.assignStep(p, step);
    return points;
  }

  private parseWithPattern(line: string, re: RegExp): MetricPoint[] {
    const m = re.exec(line);
    if (m === null) return EMPTY;
    const stepText = m.groups?.step;
    let valueText = m.groups?.value;
    if (valueText === undefined) {
      for (let i = 1; i < m.length; i++) {
        if (m[i] !== undefined && m[i] !== stepText) {
          valueText = m[i];
          break;
        }
      }
      // The value and the step may print the same text ("step 5 loss 5").
      if (valueText === undefined && stepText !== undefined && m.length > 2) valueText = stepText;
    }
    if (valueText === undefined) return EMPTY;
    const value = parseMetricNumber(valueText);
    if (value === null) return EMPTY;
    let step = -1;
    if (stepText !== undefined) {
      const s = Number(stepText);
      if (Number.isInteger(s) && s >= 0) step = s;
    }
    const p: MetricPoint = { name: this.primary, step: -1, value };
    this.assignStep(p, step);
    return [p];
  }

  private assignStep(p: MetricPoint, step: number): void {
    if (step >= 0) {
      p.step = step;
    } else {
      const last = this.lastStep.get(p.name);
      p.step = last === undefined ? 1 : last + 1;
    }
    this.lastStep.set(p.name, p.step);
  }
}
