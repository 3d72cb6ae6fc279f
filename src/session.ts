// The composition root: the one file of src/ that names concrete proposers, runners and the TUI.
// Opening a campaign for `run` or `resume`: config, state directory, lock, journal, store, engine.
// Shared by the headless path and the TUI so both start and stop a campaign the same way.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCampaign } from './config/load.js';
import type { CampaignConfig } from './config/types.js';
import { Journal, readJournal } from './journal.js';
import { defaultOutDir, excludeFromGit, journalPath, resultsPath } from './paths.js';
import { getTrial, replay, type CampaignState } from './state.js';
import { Store } from './store.js';
import { Engine, configHash } from './engine/engine.js';
import { PROPOSERS, createProposer } from '../proposers/index.js';
import type { Proposer } from './types.js';
import { LocalRunner, isAlive, processStartTime } from '../runners/local.js';
import { CombinedRunner } from '../runners/combined.js';
import { SshRunner } from '../runners/ssh/runner.js';
import { checkHost, hostsTable } from '../runners/ssh/check.js';
import type { Runner } from './runner.js';
import { identityRefusal } from './resume-guard.js';
import type { Overrides } from './events.js';
import { ResultsFile, decisionOrder } from './results-tsv.js';
import { Workspace, WorkspaceError } from './workspace/git.js';
import { createCodeView } from './workspace/code-view.js';
import { PrepareStage } from './engine/prepare.js';
import { createLlm, readKey } from './llm/client.js';
import { LlmError } from './llm/errors.js';
import { guardLlm } from './llm/guard.js';
import { probeEndpoint } from './llm/probe.js';
import type { Llm } from './llm/types.js';
import { usdReason } from './engine/budget.js';
import { anySandboxed, sandboxRefusal, sandboxWanted } from './engine/sandbox.js';
import { probeLocalSandbox } from '../runners/sandbox/probe.js';
import { doctorHost, doctorLocal, doctorTable } from '../runners/sandbox/doctor.js';

/** The full-screen view, loaded only on a terminal: the rest of src/ stays free of React. */
export async function loadTui(): Promise<typeof import('../components/tui.js').runTui> {
  return (await import('../components/tui.js')).runTui;
}

/** Trials that would run sandboxed on this machine need a working bwrap: checked before anything starts. */
async function checkSandbox(config: CampaignConfig): Promise<void> {
  const local = !config.hosts?.length || config.local === true;
  if (!local || !anySandboxed(config)) return;
  const probe = await probeLocalSandbox();
  if (!probe.ok) throw new UsageError(sandboxRefusal(config, probe.reason ?? 'bwrap failed'));
}

/** A mistake the user can fix (exit 2), as opposed to a failure (exit 1). */
export class UsageError extends Error {}

export interface SessionOptions {
  out?: string;
  seed?: number;
  maxTrials?: number;
  fresh?: boolean;
}

export interface Session {
  config: CampaignConfig;
  outDir: string;
  /** --out as the user gave it, for hints to paste (undefined: the default). */
  outArg?: string;
  store: Store;
  engine: Engine;
  /** Resolves with the outcome once the campaign finishes, is interrupted or detached. */
  begin: () => ReturnType<Engine['start']>;
  release: () => void;
  resumed: boolean;
  torn: boolean;
  /** On resume: a sentence when the campaign file differs from the one the campaign started with. */
  configChanged?: string;
  /** The campaign's git workspace, when it has `mutable:` files. */
  workspace?: Workspace;
}

export function resolveOut(config: CampaignConfig, out?: string): string {
  return out ? path.resolve(out) : defaultOutDir(config.dir, config.name);
}

/** The campaign file, checked against the proposers this build has. */
export function loadConfig(file: string): CampaignConfig {
  return loadCampaign(file, { proposers: PROPOSERS });
}

export function loadWithOverrides(file: string, opts: SessionOptions): CampaignConfig {
  const config = loadConfig(file);
  if (opts.seed !== undefined) config.seed = opts.seed;
  if (opts.maxTrials !== undefined) config.budget.trials = opts.maxTrials;
  return config;
}

const LOCK = 'supervisor.pid';

/** One supervisor per state directory: two would interleave the journal. */
function lock(outDir: string): () => void {
  const file = assertUnsupervised(outDir);
  fs.writeFileSync(file, `${process.pid} ${processStartTime(process.pid) ?? ''}\n`);
  return () => fs.rmSync(file, { force: true });
}

/** Throws a UsageError when a live process holds the state directory's lock; returns the lock file's path. */
function assertUnsupervised(outDir: string): string {
  const file = path.join(outDir, LOCK);
  try {
    const [pid, start] = fs.readFileSync(file, 'utf8').trim().split(' ');
    if (pid && Number(pid) !== process.pid && isAlive(Number(pid), start || undefined)) {
      throw new UsageError(
        `This campaign is already being supervised by process ${pid} (lock file ${file}). Watch it with \`nightshift report\`, or stop that process first; if it is not nightshift, delete the lock file.`,
      );
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }
  return file;
}

/**
 * The campaign's model key must be there before anything starts: a missing variable is a mistake
 * the user fixes (exit 2) with a message naming it, never a proposer failing at 3 a.m.
 */
async function checkLlm(config: CampaignConfig): Promise<void> {
  if (!config.llm) return;
  try {
    readKey(config.llm);
  } catch (err) {
    if (err instanceof LlmError) throw new UsageError(err.message.charAt(0).toUpperCase() + err.message.slice(1));
    throw err;
  }
  const refusal = await probeEndpoint(config.llm);
  if (refusal) throw new UsageError(refusal);
}

function buildProposers(config: CampaignConfig, outDir: string, engine: () => Engine, workspace?: Workspace): Map<string, Proposer> {
  let llm: Llm | undefined;
  if (config.llm) {
    const client = createLlm(config.llm, {
      // Every call is journaled as it returns; one that ends after the campaign closed is dropped.
      journal: (record) => {
        const e = engine();
        if (!e.isClosed) e.emit(record);
      },
      stateDir: outDir,
    });
    // No model call once budget.usd is spent, not even the re-ask inside one propose().
    llm = guardLlm(client, () => usdReason(engine().state, config));
  }
  const code = workspace ? createCodeView(workspace) : undefined;
  const campaign = { name: config.name, metric: config.metric.name, goal: config.metric.goal, command: config.command, mutable: config.mutable };
  const map = new Map<string, Proposer>();
  for (const spec of config.proposers) map.set(spec.type, createProposer(spec, { space: config.space, ...(llm ? { llm } : {}), code, campaign }));
  return map;
}

/**
 * Opens the campaign's git workspace (campaigns with `mutable:` files). Async and before the
 * journal is touched, so a workdir outside git or a dirty mutable file is a usage error (exit 2)
 * that leaves no state behind.
 */
async function openWorkspace(config: CampaignConfig, outDir: string, start?: { fresh?: string }): Promise<Workspace | undefined> {
  if (config.mutable.length === 0) return undefined;
  try {
    return await Workspace.open({ repo: config.workdir, campaign: config.name, stateDir: outDir, mutable: config.mutable, frozen: config.frozen, start });
  } catch (err) {
    if (err instanceof WorkspaceError) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * The local runner; with `hosts:`, the SSH runner (plus the local slots when `local: true`).
 * config.parallel becomes the total slot count, as shown and journaled.
 */
function sshHosts(config: CampaignConfig) {
  return (config.hosts ?? []).map((h) => ({ ...h, slots: h.gpus.length ? h.gpus.map((g) => [g]) : Array.from({ length: h.slots }, () => [] as string[]) }));
}

/** `nightshift hosts`: each host checked (in parallel), as a table; usable says whether any can take trials. */
export async function hostsReport(file: string): Promise<{ text: string; usable: number }> {
  const config = loadConfig(file);
  if (!config.hosts?.length) throw new UsageError(`${file} lists no hosts:, so trials run on this machine only. Add a hosts: list (see docs/campaign-file.md) to run them over SSH.`);
  const rows = await Promise.all(sshHosts(config).map((h) => checkHost(h, { acceptNewHostKeys: config.accept_new_host_keys ?? false })));
  return { text: hostsTable(rows), usable: rows.filter((r) => !r.problem).length };
}

/**
 * `nightshift doctor [campaign]`: the sandbox and limits on this machine and, with a campaign file,
 * on each of its hosts. ok: the sandbox works wherever this campaign would run sandboxed trials.
 */
export async function doctorReport(file?: string): Promise<{ text: string; ok: boolean }> {
  const config = file === undefined ? undefined : loadConfig(file);
  const hosts = config ? sshHosts(config) : [];
  const local = !config || hosts.length === 0 || config.local === true;
  const rows = await Promise.all([
    ...(local ? [doctorLocal()] : []),
    ...hosts.map((h) => doctorHost(h, { acceptNewHostKeys: config?.accept_new_host_keys ?? false })),
  ]);
  const needs = config ? anySandboxed(config) : true;
  const ok = rows.every((r) => !r.problem && (!needs || r.sandbox?.ok));
  const wanted = config ? `${config.file}: ${sandboxWanted(config)}` : undefined;
  return { text: doctorTable(rows, wanted), ok };
}

export function buildRunner(config: CampaignConfig, outDir: string): Runner {
  const hosts = config.hosts ?? [];
  if (hosts.length === 0) return new LocalRunner(config.parallel, config.gpus);
  const localSlots = config.local ? config.parallel : 0;
  const ssh = new SshRunner({
    hosts: sshHosts(config),
    campaign: config.name,
    workdir: config.workdir,
    outDir,
    graceMs: config.host_grace_ms ?? 60_000,
    acceptNewHostKeys: config.accept_new_host_keys ?? false,
    slotBase: localSlots,
    campaignFile: path.relative(process.cwd(), config.file) || config.file,
  });
  config.parallel = localSlots + ssh.slots;
  return localSlots ? new CombinedRunner(new LocalRunner(localSlots, config.gpus), localSlots, ssh) : ssh;
}

function assemble(config: CampaignConfig, outDir: string, journal: Journal, initial: CampaignState | undefined, releaseLock: () => void, overrides: Overrides, decided: number[] = [], stage?: PrepareStage) {
  const store = new Store(initial);
  // The model client journals through the engine, which is built with the proposers that use it.
  let engineRef: Engine | undefined;
  const runner = buildRunner(config, outDir);
  const release = () => {
    runner.close?.();
    releaseLock();
  };
  const engine = new Engine({
    config,
    overrides,
    outDir,
    journal,
    store,
    runner,
    proposers: buildProposers(config, outDir, () => engineRef!, stage?.ws),
    ready: stage?.ready,
    prepare: stage ? () => stage.pump() : undefined,
  });
  engineRef = engine;
  if (stage) {
    stage.attach({
      state: () => store.getState(),
      emit: (b) => engine.emit(b),
      kick: () => engine.kick(),
      stopped: () => engine.stopped(),
      warn: (message) => {
        if (!engine.stopped()) engine.emit({ type: 'workspace.warning', message });
      },
    });
    store.subscribe((e) => stage.onEvent(e));
  }
  // results.tsv is derived from the journal: rebuilt once here (it may be torn or missing), then
  // one row appended per decision.
  const results = new ResultsFile(resultsPath(outDir), { metric: config.metric.name, columns: config.results.columns });
  results.rebuild(store.getState(), decided);
  store.subscribe((e, s) => {
    if (e.type === 'trial.decided') results.append(getTrial(s, e.id)!);
  });
  // The worktrees of trials that did not run go when the campaign stops (running ones stay for `resume`).
  const begin = (go: () => ReturnType<Engine['start']>) => async () => {
    const outcome = await go();
    await stage?.close(store.getState());
    return outcome;
  };
  return { store, engine, release, begin };
}

export async function openNew(file: string, opts: SessionOptions): Promise<Session> {
  const config = loadWithOverrides(file, opts);
  await checkLlm(config);
  await checkSandbox(config);
  const outDir = resolveOut(config, opts.out);
  const jp = journalPath(outDir);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  if (fs.existsSync(jp)) {
    if (!opts.fresh) {
      throw new UsageError(
        `A journal already exists at ${jp}: campaign ${config.name} has been run with this --out before. Continue it with \`nightshift resume ${path.relative(process.cwd(), config.file) || config.file}\`, start over with --fresh (the old state directory is kept, renamed), or pick another --out.`,
      );
    }
    // Moving a live supervisor's directory away would leave it writing trials into the new campaign's.
    assertUnsupervised(outDir);
    fs.renameSync(outDir, `${outDir}.${stamp}`);
  }
  fs.mkdirSync(outDir, { recursive: true });
  if (!opts.out) excludeFromGit(config.dir);
  const workspace = await openWorkspace(config, outDir, { fresh: opts.fresh ? stamp : undefined });
  const stage = workspace ? new PrepareStage(workspace, config) : undefined;
  await stage?.init(undefined);
  const release = lock(outDir);
  const journal = Journal.create(jp);
  const parts = assemble(config, outDir, journal, undefined, release, overridesOf(opts), [], stage);
  return { config, outDir, outArg: opts.out, ...parts, workspace, begin: parts.begin(() => parts.engine.start()), resumed: false, torn: false };
}

export async function openExisting(file: string, opts: SessionOptions): Promise<Session> {
  const config = loadWithOverrides(file, opts);
  await checkLlm(config);
  await checkSandbox(config);
  const outDir = resolveOut(config, opts.out);
  const jp = journalPath(outDir);
  const read = readJournal(jp);
  if (read.events.length === 0 || read.events[0].type !== 'campaign.started') {
    throw new UsageError(`${jp} holds no campaign.started event, so there is nothing to resume. Start the campaign with \`nightshift run\`.`);
  }
  const state = replay(read.events);
  const refusal = identityRefusal(config, state);
  if (refusal) throw new UsageError(refusal);
  // The seed is part of the campaign's identity: proposals continue the original sequence.
  if (opts.seed === undefined) config.seed = state.seed;
  // An override given to `run` (or an earlier `resume`) stands until a new one is given.
  const overrides: Overrides = { ...state.overrides, ...overridesOf(opts) };
  const fileTrials = config.budget.trials;
  if (overrides.trials !== undefined) config.budget.trials = overrides.trials;
  // Checked before git is touched: a live supervisor owns the worktrees.
  assertUnsupervised(outDir);
  const workspace = await openWorkspace(config, outDir);
  const stage = workspace ? new PrepareStage(workspace, config) : undefined;
  await stage?.init(state);
  const release = lock(outDir);
  const journal = Journal.reopen(jp, read);
  const parts = assemble(config, outDir, journal, state, release, overrides, decisionOrder(read.events), stage);
  const notes: string[] = [];
  if (configHash(config.file) !== state.config_hash) {
    notes.push(`${config.file} changed since the campaign started. Budget and pruner changes apply from now on; if the evaluator changed, new trials are not comparable with the old ones (start a new campaign for that).`);
  }
  if (opts.maxTrials === undefined && overrides.trials !== undefined && overrides.trials !== fileTrials) {
    notes.push(`budget.trials is ${overrides.trials}, as --max-trials set it; pass --max-trials to change it.`);
  }
  const changed = notes.length ? notes.join(' ') : undefined;
  return { config, outDir, outArg: opts.out, ...parts, workspace, begin: parts.begin(() => parts.engine.resume(read.torn)), resumed: true, torn: read.torn, configChanged: changed };
}

function overridesOf(opts: SessionOptions): Overrides {
  return opts.maxTrials !== undefined ? { trials: opts.maxTrials } : {};
}

/** Reads a campaign's state without taking the lock (report, export: safe while it runs). */
export function readState(file: string, out?: string): { config: CampaignConfig; state: CampaignState; outDir: string; torn: boolean } {
  const config = loadConfig(file);
  const outDir = resolveOut(config, out);
  const read = readJournal(journalPath(outDir));
  return { config, state: replay(read.events), outDir, torn: read.torn };
}
