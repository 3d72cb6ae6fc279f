// Campaign files must be UTF-8: decoding other bytes leniently would silently turn them into U+FFFD
// and change the command a trial runs.

const strict = new TextDecoder('utf-8', { fatal: true });

function decodes(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The text of `bytes`, or the 1-based line holding the first bytes that are not valid UTF-8. */
export function decodeUtf8(bytes: Buffer): { text: string } | { badLine: number } {
  if (decodes(bytes)) return { text: strict.decode(bytes) };
  // A newline byte never occurs inside a UTF-8 sequence, so lines can be checked one by one.
  let start = 0;
  for (let line = 1; ; line++) {
    const nl = bytes.indexOf(0x0a, start);
    if (nl < 0 || !decodes(bytes.subarray(start, nl))) return { badLine: line };
    start = nl + 1;
  }
}
