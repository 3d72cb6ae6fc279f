// The evaluator's clean room: a copy of the frozen files, made once per frozen set under the state
// directory (<state>/evaluator/<frozen-set hash>/) and checked against the hashes campaign.started
// recorded. The evaluator runs there, not in the user's workdir or a trial's worktree, so nothing a
// trial writes next to the evaluator (a shadowing json.py, a score file it might read, an edited
// evaluate.py) is on its path: its only input is the trial directory.
//
// The copy is read-only (files 0444, directories 0555) and re-checked before every evaluation (hashes
// and the exact list of entries), because an unsandboxed trial runs as the same user and could reach
// it; an altered copy is rebuilt from the workdir (itself checked) and the decision says so.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { frozenSetHash } from '../integrity.js';

export type CopyResult =
  | { ok: true; dir: string; /** Set when an altered copy was found and rebuilt (what was wrong). */ rebuilt?: string }
  | { ok: false; error: string };

interface Seen {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  hash: string;
}

/** Every entry under dir (files, directories, symlinks, anything), relative, sorted. */
function entries(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      out.push(e.isDirectory() ? `${r}/` : r);
      if (e.isDirectory() && !e.isSymbolicLink()) walk(r);
    }
  };
  walk('');
  return out.sort();
}

/** Directories a set of relative file paths needs, each with a trailing slash. */
function dirsOf(files: string[]): string[] {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/') + '/');
  }
  return [...dirs];
}

function chmodTree(dir: string, fileMode: number, dirMode: number): void {
  for (const e of entries(dir)) {
    const full = path.join(dir, e);
    const st = fs.lstatSync(full);
    if (st.isSymbolicLink()) continue;
    fs.chmodSync(full, st.isDirectory() ? dirMode : fileMode);
  }
  fs.chmodSync(dir, dirMode);
}

function removeTree(dir: string): void {
  if (!fs.existsSync(dir)) return;
  try {
    chmodTree(dir, 0o644, 0o755);
  } catch {
    // Whatever can be removed is removed below.
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

export class EvaluatorCopy {
  /** sha256 per copied file, re-read only when size, mtime, ctime or inode moved (ctime cannot be set back). */
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly workdir: string,
    private readonly stateDir: string,
  ) {}

  /** Where the copy of this frozen set lives. */
  dirFor(recorded: Record<string, string>): string {
    return path.join(this.stateDir, 'evaluator', frozenSetHash(recorded).slice(0, 16));
  }

  /**
   * The clean copy of the recorded frozen files, ready to run the evaluator in: made on first use,
   * re-checked on every later one. Refused when the workdir's frozen files no longer match the record.
   */
  ensure(recorded: Record<string, string>): CopyResult {
    const dir = this.dirFor(recorded);
    let rebuilt: string | undefined;
    if (fs.existsSync(dir)) {
      const wrong = this.problems(dir, recorded);
      if (wrong.length === 0) return { ok: true, dir };
      rebuilt = wrong.slice(0, 3).join(', ') + (wrong.length > 3 ? ', …' : '');
      removeTree(dir);
    }
    const tmp = `${dir}.tmp-${process.pid}`;
    removeTree(tmp);
    try {
      fs.mkdirSync(tmp, { recursive: true });
      for (const [rel, hash] of Object.entries(recorded)) {
        if (hash === 'missing') continue;
        fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
        try {
          // A reflink where the file system has them (instant for big data), else a real copy.
          fs.copyFileSync(path.join(this.workdir, rel), path.join(tmp, rel), fs.constants.COPYFILE_FICLONE);
        } catch {
          // Missing now: the check below names it.
        }
      }
      this.seen.clear();
      const wrong = this.problems(tmp, recorded);
      if (wrong.length) {
        removeTree(tmp);
        return {
          ok: false,
          error: `the frozen files in ${this.workdir} no longer match the hashes recorded when the campaign started (${wrong.slice(0, 5).join(', ')}${wrong.length > 5 ? ', …' : ''}), so no clean copy of the evaluator can be made; restore them (git checkout -- <file>) or start a new campaign`,
        };
      }
      chmodTree(tmp, 0o444, 0o555);
      fs.renameSync(tmp, dir);
    } catch (err) {
      removeTree(tmp);
      return { ok: false, error: `could not make the evaluator's clean copy in ${dir}: ${(err as Error).message}` };
    }
    this.seen.clear();
    return { ok: true, dir, rebuilt };
  }

  /** What differs between a copy and the record: changed or missing files, and anything extra. */
  private problems(dir: string, recorded: Record<string, string>): string[] {
    const wrong: string[] = [];
    const expected = Object.keys(recorded).filter((rel) => recorded[rel] !== 'missing');
    for (const rel of expected) {
      const got = this.hash(dir, rel);
      if (got !== recorded[rel]) wrong.push(got === 'missing' ? `${rel} missing` : `${rel} changed`);
    }
    let present: string[];
    try {
      present = entries(dir);
    } catch {
      return [...wrong, 'the copy is unreadable'];
    }
    const allowed = new Set([...expected, ...dirsOf(expected)]);
    for (const e of present) if (!allowed.has(e)) wrong.push(`${e.replace(/\/$/, '')} added`);
    return wrong;
  }

  private hash(dir: string, rel: string): string {
    const full = path.join(dir, rel);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(full);
    } catch {
      return 'missing';
    }
    // A symlink is not a frozen file's content: whatever it points to could change.
    if (!st.isFile()) return 'not a file';
    const key = `${dir}\0${rel}`;
    const hit = this.seen.get(key);
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && hit.ctimeMs === st.ctimeMs && hit.ino === st.ino) return hit.hash;
    const hash = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
    this.seen.set(key, { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, hash });
    return hash;
  }
}
