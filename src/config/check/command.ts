// command: the shell command of one trial, and the `{name}` placeholders in it (and in evaluate),
// read with the runtime's own grammar (src/engine/command.ts).
import { commandPlaceholders } from '../../engine/command.js';
import type { Checker } from '../checker.js';
import { text } from '../schema.js';
import { closest, listWords, type Path } from '../words.js';

export function checkCommand(c: Checker, value: unknown): string | undefined {
  if (Array.isArray(value)) {
    c.expect(['command'], 'expected the command as one line of text', 'Join the words into one line, e.g. command: python3 train.py --lr {lr}; parameters go in as {name} placeholders.');
    return undefined;
  }
  const cmd = c.parse(text('the shell command that runs one trial, as text, e.g. python3 train.py --lr {lr}'), value, ['command']);
  if (cmd !== undefined && cmd.trim() === '') {
    c.expect(['command'], 'expected the shell command that runs one trial, e.g. python3 train.py --lr {lr}');
    return undefined;
  }
  if (cmd !== undefined && cmd.includes('\0')) {
    c.add(['command'], NUL_MESSAGE);
    return undefined;
  }
  return cmd;
}

/**
 * No process takes a NUL in its arguments or environment. It usually comes from YAML's "\0" escape:
 * in double quotes "\033" (meant as octal ESC for printf) reads as NUL followed by "33".
 */
export const NUL_MESSAGE =
  'contains a NUL character, which no program can receive. In a double-quoted YAML string "\\0" is NUL, so "\\033" is NUL followed by 33, not ESC: write "\\x1b" (or "\\e") for ESC, or single-quote the value so the shell sees \\033 itself.';

export function checkPlaceholders(c: Checker, command: string, known: string[], p: Path): void {
  for (const name of commandPlaceholders(command)) {
    if (known.includes(name)) continue;
    const guess = closest(name, known);
    const suggestion = guess ? ` Did you mean {${guess}}?` : '';
    c.add(
      p,
      `the placeholder {${name}} does not name a parameter in space (the parameters are ${listWords(known, 'and')}).${suggestion} Fix the placeholder or add ${name} to space; for a literal brace write {{ or }}, and shell variables such as \${HOME} are left alone.`,
    );
  }
}
