// Quoting for the shell text runners build (trial wrappers, remote scripts, the sandbox): one place,
// so every script quotes the same way.

/** Single-quotes a string for any Bourne-style shell. */
export function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** One POSIX shell word: left bare when it is plainly safe (easier to read in a printed script), else quoted. */
export function sh(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : q(word);
}
