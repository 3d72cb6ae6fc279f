// Shipping the campaign's code to a host: one deterministic tar of the workdir (without the state
// directory, .git and caches) plus nightshift's python helper, named by its content hash. A host
// that already holds that hash (workdir/.nightshift-cache/<hash>/) is sent nothing; otherwise the tar
// goes over one channel and is unpacked atomically.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { HostConnection } from './connection.js';
import { cachedScript, shCommand, shipScript } from './remote.js';

export interface CodePack {
  tar: Buffer;
  hash: string;
}

/** Where the python helper lands inside a shipped tree (PYTHONPATH points there). */
export const HELPER_DIR = '.nightshift-python';

/** Paths (absolute) under `workdir` to leave out, besides .git and nightshift's own directories. */
export function packCode(workdir: string, helperDir: string, exclude: string[]): Promise<CodePack> {
  const rel = exclude.map((p) => path.relative(workdir, p)).filter((r) => r && !r.startsWith('..') && !path.isAbsolute(r));
  const args = [
    // Modes normalised too: the same files give the same hash whatever the directory's umask was
    // (a mkdtemp workdir is 0700, a git worktree 0755), so a commit's tree matches the campaign's.
    '-c', '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--mode=u+rwX,go+rX,go-w',
    '--exclude=./.git', '--exclude=./.nightshift', '--exclude=./.nightshift-cache', '--exclude=__pycache__',
    ...rel.map((r) => `--exclude=./${r}`),
    // The helper's members are the only ones not starting with ./ : renamed so a workdir python/ is untouched.
    `--transform=s,^python\\(/\\|$\\),${HELPER_DIR}\\1,`,
    '-C', workdir, '.',
    '-C', path.dirname(helperDir), path.basename(helperDir),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b));
    child.on('error', (e) => reject(new Error(`cannot run tar to pack ${workdir}: ${e.message}`)));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`tar could not pack ${workdir}: ${err.trim() || `exit ${code}`}`));
      const tar = Buffer.concat(chunks);
      resolve({ tar, hash: createHash('sha256').update(tar).digest('hex').slice(0, 16) });
    });
  });
}

export function codeDirFor(workdir: string, hash: string): string {
  return `${workdir}/.nightshift-cache/${hash}`;
}

/** Makes sure the host holds the pack; returns whether it was sent (false: cached). */
export async function ensureShipped(conn: HostConnection, workdir: string, pack: CodePack): Promise<boolean> {
  const codeDir = codeDirFor(workdir, pack.hash);
  const check = await conn.exec(shCommand(cachedScript(codeDir)));
  if (check.stdout.toString().trim() === 'cached') return false;
  const r = await conn.exec(shCommand(shipScript(workdir, codeDir)), { stdin: pack.tar, timeoutMs: 600_000 });
  if (r.code === 4) throw new Error(`cannot create ${workdir}/.nightshift-cache on ${conn.target.name} (check that workdir exists or can be created, and is writable by ${conn.target.user})`);
  if (r.code !== 0) throw new Error(`unpacking the code on ${conn.target.name} failed (exit ${r.code}): ${r.stderr.trim().split('\n').pop() ?? ''} (a full disk?)`);
  return true;
}
