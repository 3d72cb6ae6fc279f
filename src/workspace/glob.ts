// Glob matching for `mutable:` / `frozen:` lists. Our own, because path.matchesGlob is
// experimental in Node 20 and we want exactly these rules: `*` and `?` stay inside one path
// segment, `**` spans any number of segments (including none), `{a,b}` is either word. Paths are
// repository-relative with forward slashes. The one matcher for every glob list (frozen files too),
// so the edit guard, the commit scope check and the frozen hashes never disagree about a path.

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  const hit = cache.get(glob);
  if (hit) return hit;
  let re = '';
  let i = 0;
  while (i < glob.length) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const atStart = i === 0 || glob[i - 1] === '/';
      const next = glob[i + 2];
      if (atStart && next === '/') {
        re += '(?:.*/)?'; // `**/` : zero or more whole segments
        i += 3;
        continue;
      }
      if (atStart && next === undefined) {
        re += '.*';
        i += 2;
        continue;
      }
      re += '[^/]*'; // `a**b` is just a star inside a segment
      i += 2;
      continue;
    }
    const close = c === '{' ? glob.indexOf('}', i) : -1;
    if (close > 0) {
      re += '(?:' + glob.slice(i + 1, close).split(',').map(escapeRe).join('|') + ')';
      i = close + 1;
      continue;
    }
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += escapeRe(c);
    i++;
  }
  const out = new RegExp(`^${re}$`);
  cache.set(glob, out);
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/** Strip a leading `./` so `./train.py` in a campaign file matches `train.py`. */
function tidy(p: string): string {
  return p.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

export function matchGlob(path: string, glob: string): boolean {
  return globToRegExp(tidy(glob)).test(tidy(path));
}

export function matchesAny(path: string, globs: readonly string[]): boolean {
  return globs.some((g) => matchGlob(path, g));
}
