// Where things live: the package's own files and a campaign's state directory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nightshift checkout (the folder holding package.json), from source or from dist/. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && fs.readFileSync(pkg, 'utf8').includes('"name": "nightshift"')) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the nightshift package root');
    dir = up;
  }
}

/** Default state directory: .nightshift/<name>/ beside the campaign file. */
export function defaultOutDir(campaignDir: string, name: string): string {
  return path.join(campaignDir, '.nightshift', name);
}

export const journalPath = (out: string) => path.join(out, 'journal.jsonl');
export const resultsPath = (out: string) => path.join(out, 'results.tsv');
export const trialDir = (out: string, id: number) => path.join(out, 'trials', String(id));

/**
 * Keeps run state out of the user's commits: when `dir` is inside a git work tree, adds
 * `.nightshift/` to that repository's .git/info/exclude (once).
 */
export function excludeFromGit(dir: string): void {
  let d = path.resolve(dir);
  for (;;) {
    const git = path.join(d, '.git');
    if (fs.existsSync(git)) {
      let gitDir = git;
      if (fs.statSync(git).isFile()) {
        // A worktree or submodule: ".git" is a file naming the real git dir.
        const m = /gitdir:\s*(.+)/.exec(fs.readFileSync(git, 'utf8'));
        if (!m) return;
        gitDir = path.resolve(d, m[1].trim());
        const common = path.join(gitDir, 'commondir');
        if (fs.existsSync(common)) gitDir = path.resolve(gitDir, fs.readFileSync(common, 'utf8').trim());
      }
      const exclude = path.join(gitDir, 'info', 'exclude');
      const have = fs.existsSync(exclude) ? fs.readFileSync(exclude, 'utf8') : '';
      if (!have.split('\n').some((l) => l.trim() === '.nightshift/')) {
        fs.mkdirSync(path.dirname(exclude), { recursive: true });
        fs.appendFileSync(exclude, `${have && !have.endsWith('\n') ? '\n' : ''}# nightshift run state\n.nightshift/\n`);
      }
      return;
    }
    const up = path.dirname(d);
    if (up === d) return;
    d = up;
  }
}
