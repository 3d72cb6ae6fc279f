// How a trial's params are written for it: into the command's `{name}` placeholders, params.json and
// NIGHTSHIFT_PARAMS. Two rules matter to training scripts:
//   - a `type: float` value is written as a float even when it is whole (`1.0`, not `1`): scripts
//     that check the type of what they parse (nanoGPT's configurator, `ast.literal_eval`, argparse
//     choices) otherwise get an int and crash;
//   - a placeholder's value is one shell word whatever it holds (a choice "x y" must not split into
//     two arguments, and `$(...)` or `;` in a choice must not run), quoted to suit where the
//     placeholder sits: bare, inside '…' or inside "…".
import type { ParamSpec, Params, ParamValue, Space } from '../types.js';

/** A param's text: whole-number floats get a `.0`; everything else as String() writes it. */
export function formatParam(spec: ParamSpec | undefined, value: unknown): string {
  if (spec?.type === 'float' && typeof value === 'number' && Number.isInteger(value)) {
    const s = String(value);
    // 1e+21 is already a float literal in Python and JSON; `1e+21.0` would be neither.
    return /e/i.test(s) ? s : `${s}.0`;
  }
  return String(value);
}

/** Characters that never need quoting in a POSIX shell word. */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

type QuoteState = '' | "'" | '"';

function quoteFor(state: QuoteState, text: string): string {
  if (state === "'") return text.replace(/'/g, `'\\''`); // close, escaped quote, reopen
  if (state === '"') return text.replace(/[\\"$`]/g, '\\$&');
  if (SAFE_WORD.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/y;

/**
 * The placeholder grammar, once for both its users (renderCommand here, commandPlaceholders for the
 * campaign-file check): walks `command` as the shell would quote it and offers every `{name}` to
 * `fill` with the quoting in force there. `{{` and `}}` are literal braces; `${VAR}` is left to the
 * shell; `fill` returning undefined leaves the placeholder as written.
 */
function scanCommand(command: string, fill: (name: string, quote: QuoteState) => string | undefined): string {
  let out = '';
  let quote: QuoteState = '';
  let i = 0;
  while (i < command.length) {
    const c = command[i];
    if ((c === '{' || c === '}') && command[i + 1] === c) {
      out += c;
      i += 2;
      continue;
    }
    if (c === '{' && command[i - 1] !== '$') {
      PLACEHOLDER.lastIndex = i;
      const m = PLACEHOLDER.exec(command);
      const text = m ? fill(m[1], quote) : undefined;
      if (m && text !== undefined) {
        out += text;
        i += m[0].length;
        continue;
      }
    }
    // Follow the shell's quoting so a value is quoted to suit where its placeholder sits.
    if (quote === "'") {
      if (c === "'") quote = '';
    } else if (c === '\\') {
      out += command.slice(i, i + 2);
      i += 2;
      continue;
    } else if (quote === '"') {
      if (c === '"') quote = '';
    } else if (c === "'" || c === '"') quote = c;
    out += c;
    i++;
  }
  return out;
}

/**
 * Renders `{name}` placeholders; `{{` and `}}` are literal braces; `${VAR}` is left to the shell;
 * a `{name}` that is not a param stays as written. Values are quoted for the shell (see above).
 */
export function renderCommand(command: string, params: Record<string, unknown>, space: Space = {}): string {
  return scanCommand(command, (name, quote) =>
    Object.prototype.hasOwnProperty.call(params, name) ? quoteFor(quote, formatParam(space[name], params[name])) : undefined,
  );
}

/**
 * The `{name}` placeholders in a command, in order of first use, read with renderCommand's grammar:
 * `{{` and `}}` are literal braces, `${VAR}` is shell syntax, and braces around anything but an
 * identifier (`{a,b}`, `{1..3}`) are left alone.
 */
export function commandPlaceholders(command: string): string[] {
  const names: string[] = [];
  scanCommand(command, (name) => {
    if (!names.includes(name)) names.push(name);
    return undefined;
  });
  return names;
}

/** JSON for params.json / NIGHTSHIFT_PARAMS: ordinary JSON, except whole-number floats read `1.0` (still valid JSON). */
export function paramsJson(params: Params, space: Space, indent = 2): string {
  const entries = Object.entries(params).map(([name, value]: [string, ParamValue]) => {
    const text = typeof value === 'number' && Number.isFinite(value) ? formatParam(space[name], value) : JSON.stringify(value);
    return `${JSON.stringify(name)}:${indent ? ' ' : ''}${text}`;
  });
  if (entries.length === 0) return '{}';
  if (!indent) return `{${entries.join(',')}}`;
  const pad = ' '.repeat(indent);
  return `{\n${pad}${entries.join(`,\n${pad}`)}\n}`;
}
