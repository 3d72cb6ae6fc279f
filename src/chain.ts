// The journal's hash chain: every line written carries `prev`, the hash of the previous line's exact
// bytes (the first line: of a fixed genesis string), so a line edited, deleted, inserted or moved
// after it was written breaks the link of the line after it.
//
// The hash is sha256 cut to 32 hex digits (128 bits). What the chain needs is second-preimage
// resistance (nobody can make a different line with the same hash), and 128 bits of that are far
// beyond reach; the full 64 digits would add 32 bytes to every line for nothing.
//
// A chain alone cannot see its own tail: the last line can be changed, or the file cut short, with no
// later line to notice. `nightshift verify` prints the head hash so it can be kept elsewhere.
import * as crypto from 'node:crypto';

/** `prev` of the first line of a chained journal. */
export const GENESIS = 'nightshift journal genesis';

export const HASH_HEX = 32;

// crypto.hash (Node 20.12 on) is the one-shot form: a quarter of createHash's cost on a short line,
// which is most of what the chain adds to an append. Older Node 20s fall back to createHash.
const oneShot = (crypto as { hash?: (alg: string, data: string | Buffer, enc: 'hex') => string }).hash;

/** The hash a line's successor records as `prev`: of the line's bytes without its newline. */
export function lineHash(line: string | Buffer): string {
  const hex = oneShot ? oneShot('sha256', line, 'hex') : crypto.createHash('sha256').update(line).digest('hex');
  return hex.slice(0, HASH_HEX);
}

export const GENESIS_HASH = lineHash(GENESIS);

/** A short form for people (reports): the first 12 hex digits. */
export function shortHash(h: string): string {
  return h.slice(0, 12);
}
