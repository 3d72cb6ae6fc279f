// What `nightshift verify` was pointed at: the campaign file (its state directory found as usual),
// or the journal itself — what a person holding only the ledger has. A journal names the campaign
// file it was started from (campaign.started.config_file), which holds the frozen list to re-check.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface VerifyTarget {
  campaign: string;
  /** The state directory, when the journal named it; otherwise resolved from the campaign. */
  out?: string;
}

/** Null when `file` is not a journal; a reason (string) when it is one that names no usable campaign file. */
export function journalTarget(file: string): VerifyTarget | string | null {
  let first: string;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(64 * 1024);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      first = buf.subarray(0, n).toString('utf8').split('\n')[0];
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
  if (!first.startsWith('{')) return null;
  let start: { type?: unknown; config_file?: unknown };
  try {
    start = JSON.parse(first);
  } catch {
    return null;
  }
  if (start.type !== 'campaign.started') return null;
  const campaign = typeof start.config_file === 'string' ? start.config_file : '';
  if (!campaign || !fs.existsSync(campaign)) {
    return `${file} is a journal, but the campaign file it was started from (${campaign || 'not recorded'}) is not there. Run nightshift verify CAMPAIGN.yaml --out ${path.dirname(file)} with the campaign file.`;
  }
  return { campaign, out: path.dirname(path.resolve(file)) };
}
