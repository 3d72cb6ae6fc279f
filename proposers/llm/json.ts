// Reading JSON out of a model's reply: the whole reply (response_format json_object), else a fenced
// ```json block, else the first balanced {...} or [...] in the text. Servers without
// response_format support and chatty models both end up here.

/** The parsed JSON value, or undefined when the reply holds none. */
export function extractJson(text: string): unknown {
  const whole = tryParse(text.trim());
  if (whole !== undefined) return whole;
  for (const m of text.matchAll(/```[ \t]*(?:json|JSON|javascript|js)?[ \t]*\r?\n([\s\S]*?)```/g)) {
    const v = tryParse(m[1].trim());
    if (v !== undefined) return v;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '{' && c !== '[') continue;
    const end = balancedEnd(text, i);
    if (end < 0) continue;
    const v = tryParse(text.slice(i, end + 1));
    if (v !== undefined) return v;
  }
  return undefined;
}

function tryParse(s: string): unknown {
  if (s === '' || (s[0] !== '{' && s[0] !== '[')) return undefined;
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** Index of the bracket closing the one at `start`, skipping strings; -1 when it never closes. */
function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The candidate points in a parsed reply: `{"points": [...]}` (what we ask for), a bare list, or a
 * single point; undefined when the shape is none of those.
 */
export function candidatePoints(value: unknown, paramNames: readonly string[]): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (!isMap(value)) return undefined;
  for (const key of ['points', 'proposals', 'candidates', 'params']) {
    if (Array.isArray(value[key])) return value[key] as unknown[];
  }
  // A lone point: its keys are parameter names.
  if (Object.keys(value).some((k) => paramNames.includes(k))) return [value];
  return undefined;
}
