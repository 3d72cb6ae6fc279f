// Which trials run sandboxed and with what (issue 11). Model-written code is untrusted: in a
// campaign with `mutable:` files every trial runs a commit of the campaign branch, which holds the
// model's kept edits, so all of them count as code trials. Param trials of a plain campaign run the
// user's own code and are sandboxed only with `trials: all`.
import type { CampaignConfig } from '../config/types.js';
import type { SandboxSpec } from '../runner.js';
import type { TrialState } from '../state.js';
import { sizeLabel } from '../config/size.js';

export function sandboxed(config: Pick<CampaignConfig, 'sandbox' | 'mutable'>, t?: Pick<TrialState, 'proposal'>): boolean {
  const s = config.sandbox;
  if (s.mode !== 'bwrap') return false;
  if (s.trials === 'all') return true;
  return config.mutable.length > 0 || t?.proposal.kind === 'code';
}

/** Whether any trial of this campaign can be sandboxed (session checks bwrap works before starting). */
export function anySandboxed(config: Pick<CampaignConfig, 'sandbox' | 'mutable'>): boolean {
  return config.sandbox.mode === 'bwrap' && (config.sandbox.trials === 'all' || config.mutable.length > 0);
}

/**
 * The trial's sandbox: the file's hide/read_only globs, the frozen files read-only on top (the
 * evaluator and its data are not the trial's to edit), and the campaign's state directory (journal,
 * results.tsv, other trials, LLM logs) invisible; the runner binds the trial's own directory back.
 */
export function sandboxSpec(config: Pick<CampaignConfig, 'sandbox' | 'frozen'>, stateDir: string): SandboxSpec {
  const s = config.sandbox;
  const spec: SandboxSpec = {
    network: s.network,
    hide: [...s.hide],
    readOnly: [...new Set([...s.read_only, ...config.frozen])],
    hidePaths: [stateDir],
  };
  if (s.memory_bytes !== undefined) spec.memoryBytes = s.memory_bytes;
  if (s.processes !== undefined) spec.processes = s.processes;
  return spec;
}

/**
 * The refusal when trials would run sandboxed on this machine and bwrap does not work here
 * (`reason`: what the probe saw). One paragraph: what, where, what to do.
 */
export function sandboxRefusal(config: Pick<CampaignConfig, 'sandbox' | 'mutable' | 'file'>, reason: string): string {
  const which = config.sandbox.trials === 'all' ? 'every trial runs' : "model-written code trials run (it has mutable: files)";
  return (
    `${config.file}: sandbox: ${which} inside the bubblewrap sandbox, and it does not work on this machine (${reason}). ` +
    `Install it (apt-get install bubblewrap; on a machine that has it, allow it user namespaces) and check with \`nightshift doctor ${config.file}\`, ` +
    `or set \`sandbox: none\` in ${config.file} to run model-written code unsandboxed on this machine.`
  );
}

/** What the campaign asks of the sandbox, in one line (doctor's heading). */
export function sandboxWanted(config: Pick<CampaignConfig, 'sandbox' | 'mutable'>): string {
  const s = config.sandbox;
  if (s.mode === 'none') return 'sandbox: none (trials run unsandboxed)';
  if (!anySandboxed(config)) return 'sandbox on for code trials, and this campaign has none (no mutable:)';
  const limits = [s.memory_bytes !== undefined ? `memory ${sizeLabel(s.memory_bytes)}` : '', s.processes !== undefined ? `processes ${s.processes}` : ''].filter(Boolean);
  return `${s.trials === 'all' ? 'every trial runs' : 'code trials run'} sandboxed (bwrap), network ${s.network ? 'on' : 'off'}${limits.length ? `, limits asked: ${limits.join(', ')}` : ''}`;
}
