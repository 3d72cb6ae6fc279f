// A trial's directory must hold only its own run. When a trial is started under an id whose
// directory already has files (the supervisor died after starting it but before its
// trial.started line reached the journal, so `resume` runs it again), appending to the old
// output.log would make the new run read the old run's metrics as its own. The old directory is
// renamed, not deleted: it is evidence, and a process of the earlier run may still be writing to it.
import * as fs from 'node:fs';

/** Renames a non-empty `dir` to `<dir>.stale-<n>` (the first free n); returns the new path, or null when there was nothing to move. */
export function moveAsideStaleDir(dir: string): string | null {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return null; // does not exist yet: the usual case
  }
  if (entries.length === 0) return null;
  for (let n = 1; ; n++) {
    const to = `${dir}.stale-${n}`;
    if (fs.existsSync(to)) continue;
    fs.renameSync(dir, to);
    return to;
  }
}
