// A real temporary directory with files, for the workspace tests.
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ns-edits-'));
  for (const [p, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, p)), { recursive: true });
    await writeFile(path.join(dir, p), text);
  }
  return dir;
}

export const read = (dir: string, p: string): Promise<string> => readFile(path.join(dir, p), 'utf8');

export const TRAIN = [
  'import math',
  '',
  'def lr_at(step):',
  '    base = 1e-3',
  '    warmup = 100',
  '    if step < warmup:',
  '        return base * step / warmup',
  '    return base',
  '',
  'def main():',
  '    for step in range(1000):',
  '        lr = lr_at(step)',
  '    print("loss: 0.5")',
  '',
  'main()',
  '',
].join('\n');
