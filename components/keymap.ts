// The key map as data: the one source for key handling, the footer hints and the help overlay.
// Tests press commands (by id), not raw bytes.
import type { Key } from 'ink';

export type CommandId =
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'top'
  | 'bottom'
  | 'detail'
  | 'back'
  | 'help'
  | 'filter'
  | 'pause'
  | 'prune'
  | 'kill'
  | 'promote'
  | 'queueUp'
  | 'queueDown'
  | 'drop'
  | 'switch'
  | 'quit';

export type Category = 'navigate' | 'steer' | 'view';

export interface Binding {
  id: CommandId;
  /** Human names of the keys, as shown in help. */
  keys: string[];
  /** Footer label (short). */
  label: string;
  description: string;
  category: Category;
  /** Asks for confirmation before it acts. */
  danger?: boolean;
  /** Shown in the footer. */
  hint?: boolean;
  match(input: string, key: Key): boolean;
}

export const KEYMAP: readonly Binding[] = [
  { id: 'up', keys: ['↑', 'k'], label: 'up', description: 'move the cursor up', category: 'navigate', match: (i, k) => k.upArrow || i === 'k' },
  { id: 'down', keys: ['↓', 'j'], label: 'down', description: 'move the cursor down', category: 'navigate', match: (i, k) => k.downArrow || i === 'j' },
  { id: 'pageUp', keys: ['PgUp'], label: 'page up', description: 'one screen up', category: 'navigate', match: (_, k) => k.pageUp },
  { id: 'pageDown', keys: ['PgDn'], label: 'page down', description: 'one screen down', category: 'navigate', match: (_, k) => k.pageDown },
  { id: 'top', keys: ['g', 'Home'], label: 'top', description: 'first row', category: 'navigate', match: (i, k) => i === 'g' || k.home },
  { id: 'bottom', keys: ['G', 'End'], label: 'bottom', description: 'last row', category: 'navigate', match: (i, k) => i === 'G' || k.end },
  { id: 'detail', keys: ['Enter'], label: 'detail', description: 'details of the selected trial: params, reason, output, diff', category: 'view', hint: true, match: (_, k) => k.return },
  { id: 'back', keys: ['Esc'], label: 'back', description: 'close the detail view, help or a dialog', category: 'view', match: (_, k) => k.escape },
  { id: 'help', keys: ['?'], label: 'help', description: 'this help', category: 'view', hint: true, match: (i) => i === '?' },
  { id: 'filter', keys: ['/'], label: 'filter', description: 'filter rows by status or text (empty to clear)', category: 'view', hint: true, match: (i) => i === '/' },
  { id: 'pause', keys: ['p'], label: 'pause', description: 'pause / resume dispatch: running trials go on, nothing new starts', category: 'steer', hint: true, match: (i) => i === 'p' },
  { id: 'prune', keys: ['x'], label: 'prune', description: 'prune the running trial: cooperative stop, status pruned', category: 'steer', danger: true, hint: true, match: (i) => i === 'x' },
  { id: 'kill', keys: ['X'], label: 'kill', description: 'kill the running trial now: SIGKILL, status killed', category: 'steer', danger: true, hint: true, match: (i) => i === 'X' },
  { id: 'promote', keys: ['+'], label: 'promote', description: 'queued: run it next; scored: plot it as the incumbent until a new best (proposers and keep/discard still go by the best)', category: 'steer', danger: true, hint: true, match: (i) => i === '+' || i === '=' },
  { id: 'queueUp', keys: ['['], label: 'earlier', description: 'move the selected queued trial up the queue', category: 'steer', match: (i) => i === '[' },
  { id: 'queueDown', keys: [']'], label: 'later', description: 'move the selected queued trial down the queue', category: 'steer', match: (i) => i === ']' },
  { id: 'drop', keys: ['d'], label: 'drop', description: 'drop the selected queued proposal', category: 'steer', match: (i) => i === 'd' },
  { id: 'switch', keys: ['s'], label: 'proposer', description: 'switch proposer (takes effect for the next proposal)', category: 'steer', hint: true, match: (i) => i === 's' },
  { id: 'quit', keys: ['q'], label: 'quit', description: 'quit; with running trials, choose to stop them or leave them running', category: 'view', hint: true, match: (i) => i === 'q' },
];

export const BY_ID: Readonly<Record<CommandId, Binding>> = Object.fromEntries(KEYMAP.map((b) => [b.id, b])) as Record<CommandId, Binding>;

export function commandFor(input: string, key: Key): CommandId | null {
  for (const b of KEYMAP) if (b.match(input, key)) return b.id;
  return null;
}

/** The bytes a terminal sends for a command's first key, for tests and tmux. */
export const KEY_BYTES: Readonly<Record<CommandId, string>> = {
  up: '\u001B[A',
  down: '\u001B[B',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  top: 'g',
  bottom: 'G',
  detail: '\r',
  back: '\u001B',
  help: '?',
  filter: '/',
  pause: 'p',
  prune: 'x',
  kill: 'X',
  promote: '+',
  queueUp: '[',
  queueDown: ']',
  drop: 'd',
  switch: 's',
  quit: 'q',
};

export const CATEGORY_TITLES: Record<Category, string> = { navigate: 'Navigate', steer: 'Steer the campaign', view: 'View' };
