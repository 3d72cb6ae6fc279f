// Entry of `npm run bench`: `npm run bench -- [name ...] [--flags for the benches]`.
// With no name every registered bench runs, in order. Add a bench by adding an entry to BENCHES.
import { runProposersBench } from './proposers.js';
import { runTuiBench } from './tui.js';
import { runLoopBench } from './loop.js';
import { runSlotIdleBench } from './slot-idle.js';
import { runSshBench } from './ssh.js';
import { runSandboxBench } from './sandbox.js';

export interface Bench {
  summary: string;
  run(argv: string[]): Promise<void>;
}

export const BENCHES: Record<string, Bench> = {
  proposers: {
    summary: 'tpe / cmaes / random against Optuna: quality on four problems, time per proposal',
    run: runProposersBench,
  },
  loop: {
    summary: 'N trials of duration d, k at a time: nightshift against xargs -P k (the floor); trials/s, overhead per trial, peak RSS (--full, or --d/--n/--k lists)',
    run: runLoopBench,
  },
  'slot-idle': {
    summary: 'slot idle time between trials while llm-params waits on a slow scripted model: propose-ahead vs propose-when-a-slot-frees (--model/--trial seconds, --n, --k)',
    run: runSlotIdleBench,
  },
  sandbox: {
    summary: 'cost of the bwrap sandbox per trial: the same trial through the local runner with and without it, alternating in one run (--n)',
    run: runSandboxBench,
  },
  tui: {
    summary: 'first paint and frame cost with a 5,000-trial journal; CPU share with 16 trials × 200 lines/s (TUI vs headless)',
    run: runTuiBench,
  },
  ssh: {
    summary: 'SSH runner on private sshds: dispatch per trial vs the local runner, shipping 50 MB first vs cached, 64 trials across 8 hosts with the TUI (frame time, CPU share vs local) (--n, --seconds, --mb)',
    run: runSshBench,
  },
};

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('usage: npm run bench -- [name ...] [flags]\n\nbenches:');
    for (const [name, b] of Object.entries(BENCHES)) console.log(`  ${name.padEnd(12)} ${b.summary}`);
    return 0;
  }
  const names = argv.filter((a, i) => !a.startsWith('-') && (i === 0 || !argv[i - 1].startsWith('--') || a in BENCHES));
  const flags = argv.filter((a) => !names.includes(a));
  for (const n of names) {
    if (!(n in BENCHES)) {
      console.error(`unknown bench "${n}"; known: ${Object.keys(BENCHES).join(', ')}`);
      return 2;
    }
  }
  for (const name of names.length ? names : Object.keys(BENCHES)) await BENCHES[name].run(flags);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(e.message);
    process.exit(1);
  },
);
