// The YAML side of the loader: syntax errors in words a campaign author can act on, and the line of
// a key or value by key path (messages name the line of what is wrong, not of the whole map).
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';
import type { Path } from './words.js';

export function yamlErrorDetail(code: string, message: string, source: string, offset: number): string {
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

/** Line of the key (at = 'key') or value at `p`; for a missing key, the line of its parent's key. */
export function locate(doc: Document, lc: LineCounter, p: Path, at: 'key' | 'value'): { line: number; col: number } | undefined {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  let complete = true;
  for (const seg of p) {
    if (isAlias(node)) node = node.resolve(doc);
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
  const range = rangeOf(target) ?? rangeOf(doc.contents);
  if (!range) return undefined;
  return lc.linePos(range[0]);
}

/** The text of a scalar exactly as written (`1.10`, not 1.1), for messages that quote it back. */
export function scalarSource(doc: Document, p: Path): string | undefined {
  const node = doc.getIn(p, true);
  if (isScalar(node) && typeof node.source === 'string') return node.source;
  return undefined;
}
