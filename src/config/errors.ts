// ConfigError: one readable paragraph that names the file, the line, the key path and what was expected.

/** One problem found in a campaign file. */
export interface ConfigProblem {
  /** 1-based line of the offending key or value, when known. */
  line?: number;
  /** 1-based column (given for YAML syntax errors). */
  column?: number;
  /** Dotted key path such as `budget.wall`, `space.lr.low` or `proposer[1].gamma`; '' for the whole file. */
  keyPath: string;
  /** What is wrong and what to do, without the location prefix. */
  detail: string;
}

export interface ConfigErrorInit extends ConfigProblem {
  /** Absolute path of the campaign file. */
  file: string;
  /** How to show the file in the message (usually relative to the current directory); defaults to `file`. */
  displayFile?: string;
  /** Further problems found in the same file, reported in one short sentence after the first. */
  more?: ConfigProblem[];
}

/**
 * A campaign file that cannot be used. `.message` is one paragraph, no stack trace, meant to be
 * printed as is: `campaign.yaml:12: budget.trials: expected a whole number ≥ 1, got "forty". Fix it and run again.`
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** Absolute path of the campaign file. */
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** Dotted key path of the first problem; '' when the problem is the whole file (e.g. YAML syntax). */
  readonly keyPath: string;
  /** The first problem's explanation without the location prefix. */
  readonly detail: string;
  /** Every problem found, the one in `.message` first. */
  readonly problems: ConfigProblem[];

  constructor(init: ConfigErrorInit) {
    super(formatProblem(init.displayFile ?? init.file, init) + moreSuffix(init.more ?? []));
    this.file = init.file;
    this.line = init.line;
    this.column = init.column;
    this.keyPath = init.keyPath;
    this.detail = init.detail;
    this.problems = [
      { line: init.line, column: init.column, keyPath: init.keyPath, detail: init.detail },
      ...(init.more ?? []),
    ];
    // A configuration mistake is the user's to fix, not a bug: keep the stack out of what gets printed.
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** `file:line[:col]: keyPath: detail`, as one line of text. */
export function formatProblem(displayFile: string, p: ConfigProblem): string {
  let loc = displayFile;
  if (p.line !== undefined) loc += `:${p.line}`;
  if (p.line !== undefined && p.column !== undefined) loc += `:${p.column}`;
  const text = `${loc}: ${p.keyPath ? `${p.keyPath}: ` : ''}${p.detail}`;
  return oneParagraph(text);
}

function moreSuffix(more: ConfigProblem[]): string {
  if (more.length === 0) return '';
  const shown = more.slice(0, 5).map((p) => {
    const where = p.line !== undefined ? `line ${p.line}` : 'elsewhere';
    return p.keyPath ? `${where} (${p.keyPath})` : where;
  });
  const rest = more.length > shown.length ? `, and ${more.length - shown.length} more` : '';
  const noun = more.length === 1 ? 'problem' : 'problems';
  return ` The file has ${more.length} more ${noun}: ${shown.join(', ')}${rest}.`;
}

/** Collapses any line breaks so the message is a single paragraph. */
function oneParagraph(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}
