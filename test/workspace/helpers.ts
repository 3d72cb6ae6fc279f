// Real git repositories in temp directories for the workspace tests.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A repository with one commit of the given files, on branch `main`, with a local identity. */
export function makeRepo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-git-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test User');
  git(dir, 'config', 'user.email', 'test@example.com');
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

/** What the user sees of their repository: HEAD, branch, status (incl. untracked) and index. */
export function userView(dir: string): { head: string; branch: string; status: string; index: string } {
  return {
    head: git(dir, 'rev-parse', 'HEAD').trim(),
    branch: git(dir, 'symbolic-ref', 'HEAD').trim(),
    status: git(dir, 'status', '--porcelain=v1', '--untracked-files=all'),
    index: git(dir, 'ls-files', '--stage'),
  };
}

export const FILES = {
  'train.py': 'lr = 0.1\n',
  'model.py': 'layers = 2\n',
  'evaluate.py': 'print("score")\n',
  'README.md': 'hello\n',
};
