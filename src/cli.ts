// The nightshift command line. Exit codes: 0 finished, 2 bad usage or campaign file,
// 130 interrupted by the operator, 1 anything else.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from './config/errors.js';
import { JournalError, JournalMissing } from './journal.js';
import { formatEvent } from './headless.js';
import { packageRoot } from './paths.js';
import { flushStdio, guardStdio, out } from './stdio.js';
import { ledger, reportJson, reportText, toJsonl, toTable } from './report.js';
import { doctorReport, hostsReport, loadConfig, openExisting, openNew, readState, resolveOut, UsageError, type Session, type SessionOptions, loadTui } from './session.js';
import { verifyCampaign } from './verify/verify.js';
import { formatVerify } from './verify/print.js';
import { journalTarget } from './verify/target.js';
import type { Outcome } from './engine/engine.js';

export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

function int(name: string, min: number) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}, got "${v}".`);
    return n;
  };
}

/** A nightshift command line for this campaign, to paste as it is (file relative to here, shell-quoted). */
function hint(session: Session, command: 'report' | 'resume'): string {
  const q = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const file = path.relative(process.cwd(), session.config.file) || session.config.file;
  return `\`nightshift ${command} ${q(file)}${session.outArg ? ` --out ${q(session.outArg)}` : ''}\``;
}

/** The full-screen view on a terminal, the headless printer otherwise (pipes, nohup, CI, --headless). */
function wantTui(headless?: boolean): boolean {
  return !headless && Boolean(process.stdout.isTTY && process.stdin.isTTY) && !process.env.CI;
}

async function supervise(session: Session, headless?: boolean): Promise<number> {
  if (!wantTui(headless)) return superviseHeadless(session);
  const runTui = await loadTui();
  let result;
  try {
    result = await runTui(session);
  } finally {
    session.release();
  }
  const s = session.store.getState();
  const where = `state: ${session.outDir}`;
  if (result.choice === 'error' || result.outcome?.kind === 'failed') {
    process.stderr.write(`nightshift: supervision stopped on an internal error: ${result.error ?? ''}. Running trials were left running and the journal is intact; run \`nightshift resume\` to re-attach.\n`);
    return EXIT.failure;
  }
  if (result.outcome?.kind === 'finished' && result.outcome.failed) {
    process.stderr.write(`nightshift: ${result.outcome.reason}.\n${where}\n`);
    return EXIT.failure;
  }
  if (result.outcome?.kind === 'finished') {
    process.stdout.write(`campaign ${s.name} finished: ${result.outcome.reason}. ${hint(session, 'report')} shows the table.\n${where}\n`);
    return EXIT.ok;
  }
  if (result.outcome?.kind === 'detached') {
    process.stdout.write(`left ${s.running.length} trial(s) running; ${hint(session, 'resume')} re-attaches to them.\n${where}\n`);
  } else process.stdout.write(`stopped; running trials were re-queued. ${hint(session, 'resume')} continues.\n${where}\n`);
  return EXIT.interrupted;
}

/** Headless supervision: print events, handle signals, map the outcome to an exit code. */
async function superviseHeadless(session: Session): Promise<number> {
  // A closed stdout (`run … | head -1`) only silences the printer: the campaign goes on.
  const print = (line: string) => out(line + '\n');
  session.store.subscribe((e, s) => {
    const line = formatEvent(e, s);
    if (line) print(line);
  });
  if (session.torn) print('note: the journal ended in a torn line (the supervisor died mid-write); it was dropped.');
  if (session.configChanged) print(`note: ${session.configChanged}`);
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\n${sig}: stopping running trials cooperatively (again to kill them now)…\n`);
      void session.engine.interrupt(false);
    } else void session.engine.interrupt(true);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
  const onCrash = (err: unknown) => session.engine.fail(err);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  let outcome: Outcome;
  try {
    outcome = await session.begin();
  } finally {
    session.release();
  }
  print(`state: ${session.outDir}`);
  if (outcome.kind === 'failed') {
    process.stderr.write(
      `nightshift: supervision stopped on an internal error: ${outcome.error}. Running trials were left running and the journal is intact; fix the cause and run \`nightshift resume\` to re-attach.\n`,
    );
    return EXIT.failure;
  }
  if (outcome.kind === 'interrupted') {
    print(`interrupted: ${hint(session, 'resume')} continues where this stopped.`);
    return EXIT.interrupted;
  }
  if (outcome.kind === 'finished' && outcome.failed) {
    // The trials cannot run at all (budget.first_crashes): a failure, said once on stderr.
    process.stderr.write(`nightshift: ${outcome.reason}.\n`);
    return EXIT.failure;
  }
  if (outcome.kind === 'finished') print(`${hint(session, 'report')} shows the table.`);
  return EXIT.ok;
}

function campaignOptions(cmd: Command): Command {
  return cmd
    .option('--out <dir>', 'state directory (default: .nightshift/<name>/ beside the campaign file)')
    .option('--headless', 'plain event lines, no full-screen UI (also when stdout is not a terminal or CI is set)');
}

function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('nightshift')
    .description('Run and supervise an autonomous ML experimentation campaign.')
    .showHelpAfterError('(run `nightshift --help` for usage)')
    .version(packageVersion(), '-v, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  campaignOptions(
    program
      .command('run')
      .description('start a campaign from its YAML file')
      .argument('<campaign>', 'campaign file (YAML)')
      .option('--seed <n>', 'override the campaign seed', int('--seed', 0))
      .option('--max-trials <n>', 'override budget.trials', int('--max-trials', 1))
      .option('--fresh', 'if this campaign has state already, move it aside (renamed, not deleted) and start over'),
  ).action(async (file: string, opts: SessionOptions & { headless?: boolean }) => {
    process.exitCode = await supervise(await openNew(file, opts), opts.headless);
  });

  campaignOptions(
    program
      .command('resume')
      .description('continue a campaign after a crash, kill -9, reboot or budget raise')
      .argument('<campaign>', 'campaign file (YAML)')
      .option('--max-trials <n>', 'override budget.trials (raise it to extend a finished campaign)', int('--max-trials', 1)),
  ).action(async (file: string, opts: SessionOptions & { headless?: boolean }) => {
    const session = await openExisting(file, opts);
    const s = session.store.getState();
    if (s.finished && (session.config.budget.trials === undefined || s.counted >= session.config.budget.trials) && s.exhausted?.which !== 'wall') {
      session.release();
      process.stdout.write(
        `Campaign ${s.name} already finished (${s.finished.reason}); nothing to resume. Raise the budget (--max-trials N or budget: in the campaign file) to run more trials, or read it with \`nightshift report\`.\n`,
      );
      process.exitCode = EXIT.ok;
      return;
    }
    process.exitCode = await supervise(session, opts.headless);
  });

  program
    .command('report')
    .description('print the trial table, the best trial and counts by status (works while the campaign runs)')
    .argument('<campaign>', 'campaign file (YAML)')
    .option('--out <dir>', 'state directory')
    .option('--json', 'machine-readable JSON')
    .action((file: string, opts: { out?: string; json?: boolean }) => {
      const { state, torn, config, outDir } = readState(file, opts.out);
      // The chain and the frozen files, not the commits (report stays quick while a campaign runs).
      const v = verifyCampaign(config, outDir, { commits: false });
      const integrity = { verified: v.winnerVerified, why: v.notVerifiedWhy };
      // A reader can catch the supervisor mid-write, or find what a crash left: say so, not silently.
      const tornNote = torn
        ? "note: the journal's last line is torn (the supervisor is writing it right now, or died mid-write); it is left out here, and `nightshift resume` drops it.\n"
        : '';
      process.stdout.write(opts.json ? JSON.stringify({ ...(reportJson(state, integrity) as object), torn_last_line: torn }, null, 2) + '\n' : reportText(state, integrity) + tornNote);
    });

  program
    .command('export')
    .description('write the ledger (one row per trial) for pandas; stdout by default')
    .argument('<campaign>', 'campaign file (YAML)')
    .option('--out <dir>', 'state directory')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv', 'tsv']).default('jsonl'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action((file: string, opts: { out?: string; format: 'jsonl' | 'csv' | 'tsv'; output?: string }) => {
      const { state } = readState(file, opts.out);
      const rows = ledger(state);
      const text = opts.format === 'jsonl' ? toJsonl(rows) : toTable(rows, opts.format === 'csv' ? ',' : '\t');
      if (opts.output) fs.writeFileSync(opts.output, text);
      else process.stdout.write(text);
    });

  program
    .command('verify')
    .description("re-check the journal's hash chain, the frozen files, kept commits and scoring hashes; exit 1 naming what broke")
    .argument('<campaign>', 'campaign file (YAML), or its journal.jsonl')
    .option('--out <dir>', 'state directory')
    .action((file: string, opts: { out?: string }) => {
      const journal = journalTarget(file);
      if (typeof journal === 'string') throw new UsageError(journal);
      const config = loadConfig(journal?.campaign ?? file);
      const { text, ok } = formatVerify(verifyCampaign(config, resolveOut(config, journal?.out ?? opts.out)));
      process.stdout.write(text);
      process.exitCode = ok ? EXIT.ok : EXIT.failure;
    });

  program
    .command('hosts')
    .description('connect to each of the campaign\'s hosts: reachable, latency, GPUs or CPUs, python, free disk, and what is wrong')
    .argument('<campaign>', 'campaign file (YAML)')
    .action(async (file: string) => {
      const { text, usable } = await hostsReport(file);
      process.stdout.write(text);
      process.exitCode = usable > 0 ? EXIT.ok : EXIT.failure;
    });

  program
    .command('doctor')
    .description('per machine (this one and each of the campaign\'s hosts): does the sandbox (bwrap) work, which limits can be enforced')
    .argument('[campaign]', 'campaign file (YAML): also checks its hosts: and says what it asks of the sandbox')
    .action(async (file: string | undefined) => {
      const { text, ok } = await doctorReport(file);
      process.stdout.write(text);
      process.exitCode = ok ? EXIT.ok : EXIT.failure;
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  guardStdio();
  const code = await dispatch(argv);
  // bin/nightshift.js exits with this code: first let a pipe's reader take everything written.
  await flushStdio();
  return code;
}

async function dispatch(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    if (err instanceof ConfigError || err instanceof UsageError || err instanceof JournalMissing) {
      process.stderr.write(`nightshift: ${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof JournalError) {
      process.stderr.write(`nightshift: ${err.message}\n`);
      return EXIT.failure;
    }
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`nightshift: ${e.message ?? String(err)}${process.env.NIGHTSHIFT_DEBUG ? `\n${e.stack}` : ' (set NIGHTSHIFT_DEBUG=1 for a stack trace)'}\n`);
    return EXIT.failure;
  }
}
