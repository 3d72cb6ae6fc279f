// What `resume` may not change: the keys that define what a trial's score means. The journal
// records them at the start; a resumed campaign whose file says otherwise would judge new trials by
// other rules than old ones (e.g. a flipped goal keeps the worst) while the journal says the first.
import * as path from 'node:path';
import type { CampaignConfig } from './config/types.js';
import type { CampaignState } from './state.js';

/** JSON with sorted keys, so reordering a mapping in YAML is not a change. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The defining keys that differ between the campaign file and the journal, described for the user. */
export function identityChanges(config: CampaignConfig, state: CampaignState): string[] {
  const changes: string[] = [];
  if (config.metric.name !== state.metric) changes.push(`metric.name (${state.metric} → ${config.metric.name})`);
  if (config.metric.goal !== state.goal) changes.push(`metric.goal (${state.goal} → ${config.metric.goal})`);
  if (state.space !== undefined) {
    const was = state.space;
    const now = config.space;
    for (const name of new Set([...Object.keys(was), ...Object.keys(now)])) {
      if (!(name in now)) changes.push(`space.${name} (removed)`);
      else if (!(name in was)) changes.push(`space.${name} (added)`);
      else if (canonical(was[name]) !== canonical(now[name])) changes.push(`space.${name} (${canonical(was[name])} → ${canonical(now[name])})`);
    }
  }
  if (state.command !== undefined && state.command !== config.command) changes.push(`command (${JSON.stringify(state.command)} → ${JSON.stringify(config.command)})`);
  return changes;
}

/** One paragraph for `resume` when the file changed a defining key; undefined when it may go on. */
export function identityRefusal(config: CampaignConfig, state: CampaignState): string | undefined {
  const changes = identityChanges(config, state);
  if (changes.length === 0) return undefined;
  const file = path.relative(process.cwd(), config.file) || config.file;
  const what = changes.length === 1 ? `${changes[0]} has` : `${changes.slice(0, -1).join(', ')} and ${changes.at(-1)} have`;
  return (
    `${file}: ${what} changed since campaign ${state.name} started, so its new trials would not be judged like the old ones; ` +
    `resume keeps a campaign's metric, goal, space and command (budget and pruner changes are fine). ` +
    `Put the file back to resume; or start a new campaign beside this one (a new \`name:\` in the file, or another --out); or start over with \`nightshift run ${file} --fresh\` (the old state directory is kept, renamed).`
  );
}
