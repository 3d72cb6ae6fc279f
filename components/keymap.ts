// The key map as data, for every mode: the one source for key handling, the footer hints, the help
// overlay and the dialogs' key prompts. A command is its keys, words, category, danger flag, the
// reason it cannot act in the current state and, when it is dangerous, the question it asks first.
// What a command does lives in use-keys.ts. Tests press commands (by id), not raw bytes.
import type { Key } from 'ink';
import type { CampaignState, TrialState } from '../src/state.js';
import { formatScore } from '../src/format/number.js';
import type { Mode, UiState } from './ui-state.js';
import type { ProposerSide } from '../src/types.js';
import { INPUT_KEYS, REVIEW_KEYS, REVIEW_KEY_BYTES, SIDE_KEYS, type ReviewCommandId } from './keymap-review.js';

/** The table's commands: the ones the help overlay lists. */
export type TableCommandId =
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
  | 'quit'
  | ReviewCommandId;

/** The commands of the overlays (help, detail) and the dialogs at the foot of the screen. */
export type DialogCommandId =
  | 'confirm.yes'
  | 'confirm.no'
  | 'quit.stop'
  | 'quit.leave'
  | 'quit.stay'
  | 'switch.up'
  | 'switch.down'
  | 'switch.apply'
  | 'switch.cancel'
  | 'filter.apply'
  | 'filter.cancel'
  | 'filter.erase'
  | 'filter.type'
  | 'input.apply'
  | 'input.cancel'
  | 'input.erase'
  | 'input.type'
  | 'side.keep'
  | 'side.drop'
  | 'side.cancel'
  | 'help.close'
  | 'detail.close'
  | 'scroll.up'
  | 'scroll.down'
  | 'scroll.pageUp'
  | 'scroll.pageDown';

export type CommandId = TableCommandId | DialogCommandId;

export type Category = 'navigate' | 'steer' | 'review' | 'view' | 'dialog';

/** What a command's disabled reason and confirm text are computed from. */
export interface CommandContext {
  s: CampaignState;
  ui: UiState;
  /** The trial under the cursor, if any. */
  t: TrialState | undefined;
  proposers: readonly string[];
  /** Which side a configured proposer is on (params when not given). */
  sideOf?(name: string): ProposerSide;
}

export interface Binding<Id extends CommandId = CommandId> {
  id: Id;
  /** Human names of the keys, as shown in help and dialogs (the first one in hints). */
  keys: string[];
  /** Footer and prompt label (short). */
  label: string;
  description: string;
  category: Category;
  /** Asks for confirmation before it acts. */
  danger?: boolean;
  /** Shown in the footer. */
  hint?: boolean;
  /** Acts on the trial under the cursor: with none, the key does nothing. */
  needsTrial?: boolean;
  /** Why the command cannot act now (shown as a message instead), or null when it can. */
  disabled?(c: CommandContext): string | null;
  /** Dangerous commands: the question asked before acting (the dialog adds the keys). */
  confirm?(c: CommandContext & { t: TrialState }): string;
  match(input: string, key: Key): boolean;
}

const ctrlC = (i: string, k: Key) => k.ctrl && i === 'c';

const needsRunning = (cmd: string) => ({ t }: CommandContext) =>
  t && t.status === 'running' ? null : `${cmd} needs a running trial under the cursor${t ? ` (#${t.id} is ${t.status})` : ''}`;

export const KEYMAP: readonly Binding<TableCommandId>[] = [
  { id: 'up', keys: ['↑', 'k'], label: 'up', description: 'move the cursor up', category: 'navigate', match: (i, k) => k.upArrow || i === 'k' },
  { id: 'down', keys: ['↓', 'j'], label: 'down', description: 'move the cursor down', category: 'navigate', match: (i, k) => k.downArrow || i === 'j' },
  { id: 'pageUp', keys: ['PgUp'], label: 'page up', description: 'one screen up', category: 'navigate', match: (_, k) => k.pageUp },
  { id: 'pageDown', keys: ['PgDn'], label: 'page down', description: 'one screen down', category: 'navigate', match: (_, k) => k.pageDown },
  { id: 'top', keys: ['g', 'Home'], label: 'top', description: 'first row', category: 'navigate', match: (i, k) => i === 'g' || k.home },
  { id: 'bottom', keys: ['G', 'End'], label: 'bottom', description: 'last row', category: 'navigate', match: (i, k) => i === 'G' || k.end },
  { id: 'detail', keys: ['Enter'], label: 'detail', description: 'details of the selected trial: params, reason, output, diff', category: 'view', hint: true, needsTrial: true, match: (_, k) => k.return },
  { id: 'back', keys: ['Esc'], label: 'back', description: 'close the detail view, help or a dialog', category: 'view', match: (_, k) => k.escape },
  { id: 'help', keys: ['?'], label: 'help', description: 'this help', category: 'view', hint: true, match: (i) => i === '?' },
  { id: 'filter', keys: ['/'], label: 'filter', description: 'filter rows by status or text (empty to clear)', category: 'view', hint: true, match: (i) => i === '/' },
  { id: 'pause', keys: ['p'], label: 'pause', description: 'pause / resume dispatch: running trials go on, nothing new starts', category: 'steer', hint: true, match: (i) => i === 'p' },
  {
    id: 'prune',
    keys: ['x'],
    label: 'prune',
    description: 'prune the running trial: cooperative stop, status pruned',
    category: 'steer',
    danger: true,
    hint: true,
    disabled: needsRunning('prune'),
    confirm: ({ t }) => `Prune #${t.id}? It gets a cooperative stop (control file + SIGTERM) and is recorded as pruned.`,
    match: (i) => i === 'x',
  },
  {
    id: 'kill',
    keys: ['X'],
    label: 'kill',
    description: 'kill the running trial now: SIGKILL, status killed',
    category: 'steer',
    danger: true,
    hint: true,
    disabled: needsRunning('kill'),
    confirm: ({ t }) => `Kill #${t.id} now? SIGKILL to its process group; it is recorded as killed.`,
    match: (i) => i === 'X',
  },
  {
    id: 'promote',
    keys: ['+'],
    label: 'promote',
    description: 'queued: run it next; scored: plot it as the incumbent until a new best (proposers and keep/discard still go by the best)',
    category: 'steer',
    danger: true,
    hint: true,
    needsTrial: true,
    disabled: ({ t }) => (t && ['queued', 'keep', 'discard'].includes(t.status) ? null : `promote needs a queued or scored trial (#${t?.id} is ${t?.status})`),
    confirm: ({ s, t }) =>
      t.status === 'queued'
        ? `Run queued #${t.id} next, ahead of the queue?`
        : `Plot #${t.id} (${s.metric}=${formatScore(t.score)}) as the incumbent until a new best? Proposers and keep/discard still go by the best.`,
    match: (i) => i === '+' || i === '=',
  },
  // The engine says why a reorder or a drop cannot happen (not queued, already first, ...).
  { id: 'queueUp', keys: ['['], label: 'earlier', description: 'move the selected queued trial up the queue', category: 'steer', needsTrial: true, match: (i) => i === '[' },
  { id: 'queueDown', keys: [']'], label: 'later', description: 'move the selected queued trial down the queue', category: 'steer', needsTrial: true, match: (i) => i === ']' },
  { id: 'drop', keys: ['d'], label: 'drop', description: 'drop the selected queued proposal', category: 'steer', needsTrial: true, match: (i) => i === 'd' },
  {
    id: 'switch',
    keys: ['s'],
    label: 'proposer',
    description: 'switch proposer (takes effect for the next proposal)',
    category: 'steer',
    hint: true,
    disabled: ({ proposers }) => (proposers.length < 2 ? `only ${proposers[0] ?? 'one proposer'} is configured: list several under proposer: to switch` : null),
    match: (i) => i === 's',
  },
  ...REVIEW_KEYS,
  // Ctrl-C is the terminal's quit: it asks like q does when trials are running.
  { id: 'quit', keys: ['q'], label: 'quit', description: 'quit; with running trials, choose to stop them or leave them running', category: 'view', hint: true, match: (i, k) => i === 'q' || ctrlC(i, k) },
];

const dialog = (id: DialogCommandId, keys: string[], label: string, description: string, match: Binding['match']): Binding<DialogCommandId> => ({
  id,
  keys,
  label,
  description,
  category: 'dialog',
  match,
});

const SCROLL: readonly Binding<DialogCommandId>[] = [
  dialog('scroll.up', ['↑', 'k'], 'scroll', 'scroll up a row', (i, k) => k.upArrow || i === 'k'),
  dialog('scroll.down', ['↓', 'j'], 'scroll', 'scroll down a row', (i, k) => k.downArrow || i === 'j'),
  dialog('scroll.pageDown', ['PgDn'], 'page down', 'scroll down a screen', (_, k) => k.pageDown),
  dialog('scroll.pageUp', ['PgUp'], 'page up', 'scroll up a screen', (_, k) => k.pageUp),
];

const TABLE_ID: Readonly<Record<TableCommandId, Binding>> = Object.fromEntries(KEYMAP.map((b) => [b.id, b])) as Record<TableCommandId, Binding>;

/**
 * A layer of key handling. The open dialog or overlay is asked first; a key none of its commands
 * match goes on to the table below unless the layer consumes every key (all of today's do: a
 * stray `x` in a dialog must not prune a trial).
 */
export interface Layer {
  commands: readonly Binding[];
  consumes: boolean;
  /** The key hints its prompt shows: each group is `keys/keys label`. */
  prompt?: readonly (readonly CommandId[])[];
}

export const LAYERS: Readonly<Record<Mode, Layer>> = {
  table: { commands: KEYMAP, consumes: true },
  confirm: {
    consumes: true,
    commands: [
      dialog('confirm.yes', ['y'], 'yes', 'do it', (i) => i === 'y' || i === 'Y'),
      dialog('confirm.no', ['N', 'Esc', 'Enter'], 'no', 'do nothing (the default)', (i, k) => i === 'n' || i === 'N' || k.escape || k.return || ctrlC(i, k)),
    ],
  },
  quit: {
    consumes: true,
    commands: [
      dialog('quit.stop', ['s'], 'stop', 'stop them cooperatively and quit (re-queued for resume)', (i, k) => i === 's' || ctrlC(i, k)),
      dialog('quit.leave', ['l'], 'leave', 'leave them running and quit (resume re-attaches)', (i) => i === 'l'),
      dialog('quit.stay', ['Esc'], 'stay', 'stay', (i, k) => k.escape || i === 'n' || i === 'c'),
    ],
  },
  switch: {
    consumes: true,
    commands: [
      dialog('switch.up', ['↑', 'k'], 'choose', 'the proposer before', (i, k) => k.upArrow || i === 'k'),
      dialog('switch.down', ['↓', 'j'], 'choose', 'the proposer after', (i, k) => k.downArrow || i === 'j'),
      dialog('switch.apply', ['Enter'], 'switch', 'switch to the chosen proposer', (_, k) => k.return),
      dialog('switch.cancel', ['Esc'], 'cancel', 'keep the active proposer', (i, k) => k.escape || ctrlC(i, k)),
    ],
    prompt: [['switch.up', 'switch.down'], ['switch.apply'], ['switch.cancel']],
  },
  filter: {
    consumes: true,
    commands: [
      dialog('filter.apply', ['Enter'], 'apply', 'apply the filter', (_, k) => k.return),
      dialog('filter.cancel', ['Esc'], 'cancel', 'keep the filter as it was', (i, k) => k.escape || ctrlC(i, k)),
      dialog('filter.erase', ['Backspace'], 'erase', 'erase the last character', (_, k) => k.backspace || k.delete),
      dialog('filter.type', ['any'], 'type', 'add the character to the filter', (i, k) => Boolean(i) && !k.ctrl && !k.meta),
    ],
    prompt: [['filter.apply'], ['filter.cancel']],
  },
  input: { consumes: true, commands: INPUT_KEYS, prompt: [['input.apply'], ['input.cancel']] },
  side: { consumes: true, commands: SIDE_KEYS },
  help: {
    consumes: true,
    commands: [dialog('help.close', ['Esc', '?', 'q'], 'back', 'close the help', (i, k) => k.escape || i === '?' || i === 'q'), ...SCROLL],
    prompt: [['scroll.up', 'scroll.down']],
  },
  detail: {
    consumes: true,
    // q quits from here as from the table.
    commands: [dialog('detail.close', ['Esc', 'Enter'], 'back', 'close the detail view', (_, k) => k.escape || k.return), ...SCROLL, TABLE_ID.quit],
    prompt: [['detail.close'], ['scroll.up', 'scroll.down']],
  },
};

export const BY_ID: Readonly<Record<CommandId, Binding>> = Object.fromEntries(
  Object.values(LAYERS).flatMap((l) => l.commands.map((b) => [b.id, b])),
) as Record<CommandId, Binding>;

/** The layers a key goes through in a mode, topmost first. */
function stack(mode: Mode): Layer[] {
  return mode === 'table' ? [LAYERS.table] : [LAYERS[mode], LAYERS.table];
}

/** The command a key means in a mode, or null when the key does nothing there. */
export function route(mode: Mode, input: string, key: Key): CommandId | null {
  for (const layer of stack(mode)) {
    const b = layer.commands.find((c) => c.match(input, key));
    if (b) return b.id;
    if (layer.consumes) return null;
  }
  return null;
}

/** The table command a key means (the help and the README list these). */
export function commandFor(input: string, key: Key): TableCommandId | null {
  return (KEYMAP.find((b) => b.match(input, key))?.id as TableCommandId | undefined) ?? null;
}

/** `↑/↓ choose`: the first key of each command, then the first command's label. */
export function keyHint(ids: readonly CommandId[]): string {
  return `${ids.map((id) => BY_ID[id].keys[0]).join('/')} ${BY_ID[ids[0]].label}`;
}

/** The key hints a mode's prompt shows, in order. */
export function promptHints(mode: Mode): string[] {
  return (LAYERS[mode].prompt ?? []).map(keyHint);
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
  'confirm.yes': 'y',
  'confirm.no': 'n',
  'quit.stop': 's',
  'quit.leave': 'l',
  'quit.stay': '\u001B',
  'switch.up': '\u001B[A',
  'switch.down': '\u001B[B',
  'switch.apply': '\r',
  'switch.cancel': '\u001B',
  'filter.apply': '\r',
  'filter.cancel': '\u001B',
  'filter.erase': '\u007F',
  'filter.type': 'a',
  'help.close': '?',
  'detail.close': '\u001B',
  'scroll.up': '\u001B[A',
  'scroll.down': '\u001B[B',
  'scroll.pageUp': '\u001B[5~',
  'scroll.pageDown': '\u001B[6~',
  ...REVIEW_KEY_BYTES,
};

export const CATEGORY_TITLES: Record<Category, string> = {
  navigate: 'Navigate',
  steer: 'Steer the campaign',
  review: 'Code proposals',
  view: 'View',
  dialog: 'Dialogs',
};
