// The shell scripts the SSH runner runs on a host, each one exec (one channel, one round trip).
// They are POSIX sh run as `sh -c SCRIPT sh ARGS...` (whatever the user's login shell) or in the
// control shell (control.ts), except the trial's own wrapper, which prefers bash when the host has
// a `setup:` line so `source ~/venv/bin/activate` works.

import { WRAPPER as LOCAL_WRAPPER } from '../local.js';
import { CAP_SHELL, parseCaps, type LogCap } from './log-cap.js';
import { BWRAP_PROBE } from './sandbox-host.js';

import { q } from '../shell.js';
export { q };

export function shCommand(script: string, args: string[] = []): string {
  return ['sh', '-c', q(script), 'sh', ...args.map(q)].join(' ');
}

// As the local runner's wrapper (runners/local.ts), plus: it records its own pid and start time
// first, in the trial directory (for a start sent again after a lost answer) and on fd 3, a pipe the
// start script reads, then closes fd 3 so the trial does not hold it. Reading that pipe gives the
// pid the moment the wrapper runs, without polling for the file (setsid may fork, so $! is not
// always our pid). The start time is read with shell builtins only: no process per trial start.
const WRAPPER = `nsst() { set -- $1; shift 19; NS_ST=$1; }; read -r NS_ST < /proc/$$/stat && nsst "\${NS_ST##*) }"
printf '%s %s\\n' "$$" "$NS_ST" > "$NIGHTSHIFT_TRIAL_DIR/pid"; printf '%s %s\\n' "$$" "$NS_ST" >&3; exec 3>&-
${LOCAL_WRAPPER}`;

export interface StartSpec {
  dir: string;
  cwd: string;
  /** Written into the trial directory: re-running the script with the same token starts nothing twice. */
  token: string;
  command: string;
  setup?: string;
  env: Record<string, string>;
  files: Record<string, string>;
}

/**
 * Creates the trial directory (a stale one is moved aside), writes its files, starts the wrapper
 * in its own session with output to output.log, and prints "pid start". Idempotent per token, so
 * a start whose answer was lost with the connection can be sent again.
 */
export function startScript(s: StartSpec): string {
  // printf is a builtin: a file costs no process (base64 only for content a shell word cannot hold).
  const files = Object.entries(s.files).map(([name, content]) =>
    content.includes('\0') ? `  printf %s ${q(Buffer.from(content).toString('base64'))} | base64 -d > "$D"/${q(name)}` : `  printf %s ${q(content)} > "$D"/${q(name)}`,
  );
  const env = Object.entries(s.env).map(([k, v]) => `  export ${k}=${q(v)}`);
  // setup runs in the trial's shell (so `source` takes effect); if it fails, the trial fails with it.
  const command = s.setup ? `{\n${s.setup}\n} || { echo "nightshift: the host's setup command failed (exit $?)" >&2; exit 1; }\n${s.command}` : s.command;
  return [
    'set -e',
    `D=${q(s.dir)}`,
    `if [ -f "$D/token" ] && [ "$(cat "$D/token")" = ${q(s.token)} ]; then`,
    // Sent again after a lost answer: the trial started then; its wrapper leaves the pid file.
    '  i=0',
    '  while [ ! -s "$D/pid" ]; do i=$((i+1)); if [ $i -gt 1000 ]; then echo "the trial wrapper did not start within 10 s" >&2; exit 3; fi; sleep 0.01; done',
    '  cat "$D/pid"',
    'else',
    '  if [ -e "$D" ]; then mv "$D" "$D.old-$(date +%s)-$$"; fi',
    '  mkdir -p "$D"',
    ...files,
    `  cd ${q(s.cwd)}`,
    ...env,
    // Like the local runner, sh; bash (when there) for a setup line, so `source` works.
    s.setup ? '  SH=$(command -v bash || echo sh)' : '  SH=sh',
    // The substitution ends when the wrapper closes fd 3 (after writing its pid) or dies.
    `  P=$(setsid "$SH" -c ${q(WRAPPER)} nightshift-trial ${q(command)} 3>&1 </dev/null >>"$D/output.log" 2>&1 &)`,
    `  printf %s ${q(s.token)} > "$D/token"`,
    '  if [ -z "$P" ]; then echo "the trial wrapper did not start (see $D/output.log)" >&2; exit 3; fi',
    `  printf '%s\\n' "$P"`,
    'fi',
  ].join('\n');
}

// dash's kill takes neither \`--\` nor \`-s SIG\` before a negative (group) id: \`kill -SIG -PGID\` only.
// A group counts as alive while it has a process that is not a zombie: kill -0 succeeds on zombies,
// and an orphaned wrapper stays one where nothing reaps (a container whose init does not).
const LIVE_GROUPS = `G=" $(ps -e -o pgid=,stat= 2>/dev/null | awk '$2 !~ /^Z/ {print $1}' | tr '\\n' ' ') "
alive() { if [ "$G" = "  " ]; then kill -0 -"$1" 2>/dev/null; else case "$G" in *" $1 "*) return 0;; *) return 1;; esac; fi; }`;

/** Bytes of one trial's log sent per poll. */
export const POLL_BUDGET = 1024 * 1024;

/**
 * For each (dir, offset, pid, max_log, max_log label, dropped seen): the log capped past max_log
 * (log-cap.ts), a header "@ index exit alive size n caps" then exactly n bytes of output.log from
 * the offset (mapped through the caps). The exit file is read before the size, so once it shows,
 * the size is final.
 */
export const POLL_SCRIPT = `B=${POLL_BUDGET}; i=0
${LIVE_GROUPS}
while [ $# -ge 6 ]; do
  d=$1; o=$2; p=$3; m=$4; lab=$5; dl=$6; shift 6
  e=; [ -f "$d/exit_code" ] && e=$(cat "$d/exit_code" 2>/dev/null)
  a=0; [ "$p" -gt 0 ] 2>/dev/null && alive "$p" && a=1
${CAP_SHELL}
  s=$(stat -c %s "$d/output.log" 2>/dev/null || echo 0)
  n=$((s-o)); [ $n -lt 0 ] && n=0; [ $n -gt $B ] && n=$B
  printf '@ %s %s %s %s %s %s\\n' "$i" "\${e:--}" "$a" "$s" "$n" "\${C:--}"
  if [ $n -gt 0 ]; then tail -c +$((o+1)) "$d/output.log" | head -c $n; fi
  i=$((i+1))
done`;

export interface PollResult {
  exit: number | null;
  alive: boolean;
  size: number;
  bytes: Buffer;
  /** Caps the host made since the dropped total the poll was given, in order (applied before bytes). */
  caps: LogCap[];
}

export function parsePoll(out: Buffer, count: number): PollResult[] {
  const results: PollResult[] = [];
  let pos = 0;
  for (let k = 0; k < count; k++) {
    const nl = out.indexOf(10, pos);
    if (nl < 0) throw new Error('the poll answer was cut short');
    const m = /^@ (\d+) (\S+) ([01]) (\d+) (\d+) (\S+)$/.exec(out.subarray(pos, nl).toString('latin1'));
    if (!m || Number(m[1]) !== k) throw new Error(`unexpected poll answer: ${out.subarray(pos, Math.min(nl, pos + 80)).toString('latin1')}`);
    const n = Number(m[5]);
    const bytes = out.subarray(nl + 1, nl + 1 + n);
    if (bytes.length !== n) throw new Error('the poll answer was cut short');
    results.push({ exit: /^\d+$/.test(m[2]) ? Number(m[2]) : null, alive: m[3] === '1', size: Number(m[4]), bytes, caps: parseCaps(m[6]) });
    pos = nl + 1 + n;
  }
  return results;
}

/**
 * Signals the trial's process group (after writing the control word, for a cooperative stop) and
 * prints "alive" or "gone". A leader that exists with another start time is a recycled pid: left
 * alone. (A gone leader's pid is not reused while its group has members, so -pid is still ours.)
 */
export const SIGNAL_SCRIPT = `p=$1; st=$2; d=$3; m=$4; sig=$5
if [ -n "$st" ] && [ -e /proc/$p ] && [ "$(cut -d' ' -f22 /proc/$p/stat 2>/dev/null)" != "$st" ]; then echo gone; exit 0; fi
if [ -n "$m" ]; then printf '%s\\n' "$m" > "$d/control" 2>/dev/null || :; fi
if [ "$sig" != 0 ]; then kill -"$sig" -"$p" 2>/dev/null || :; fi
${LIVE_GROUPS}
if alive "$p"; then echo alive; else echo gone; fi`;

/** Is the code tree with this hash already on the host? */
export function cachedScript(codeDir: string): string {
  return `test -f ${q(codeDir + '/.nightshift-complete')} && echo cached || echo missing`;
}

/** Unpacks a tar from stdin into the cache, atomically (a half-shipped tree is never used). */
export function shipScript(workdir: string, codeDir: string): string {
  return [
    `W=${q(workdir)}; C=${q(codeDir)}`,
    'mkdir -p "$W/.nightshift-cache" || exit 4',
    'T=$(mktemp -d "$W/.nightshift-cache/.tmp-XXXXXX") || exit 4',
    'tar -x -C "$T" -f - || { rm -rf "$T"; exit 5; }',
    'touch "$T/.nightshift-complete"',
    // The log says what was sent when (a person, and the tests, can see the cache at work).
    'mv -T "$T" "$C" 2>/dev/null && echo "$(date +%s) ${C##*/}" >> "$W/.nightshift-cache/shipped.log" || rm -rf "$T"',
    'echo shipped',
  ].join('\n');
}

/** What the host is: CPUs, load, GPUs (nvidia-smi), free disk in the workdir, python after setup. */
export function probeScript(workdir: string, setup?: string): string {
  // A workdir under ~ is written relative to the home directory every exec starts in.
  workdir = workdir.replace(/^~\/?/, '') || '.';
  return [
    'echo "home=$HOME"',
    'echo "nproc=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"',
    `echo "cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"`,
    `echo "load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)"`,
    BWRAP_PROBE,
    'if command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi --query-gpu=index,name,driver_version,memory.total,memory.used,utilization.gpu --format=csv,noheader,nounits 2>&1 | sed "s/^/gpu=/"; else echo "gpu=none"; fi',
    `if mkdir -p ${q(workdir)} 2>/dev/null && [ -w ${q(workdir)} ]; then echo "workdir=ok"; echo "disk=$(df -Pk ${q(workdir)} | tail -1 | awk '{print $4}')"; else echo "workdir=fail"; fi`,
    // setup runs in bash (if there) like the trial's, then python's version is asked in that same shell.
    `SH=$(command -v bash || echo sh); "$SH" -c ${q(`${setup ? `{ ${setup}\n} >/dev/null 2>&1 || { echo "setup=fail:$?"; exit 0; }\n` : ''}echo "python=$( (python3 --version || python --version) 2>&1 | head -1)"`)}`,
  ].join('\n');
}

export interface Probe {
  nproc: number;
  cpu: string;
  load: string;
  gpus: Array<{ index: string; name: string; driver: string; memTotal: string; memUsed: string; util: string }>;
  gpuError?: string;
  workdirOk: boolean;
  diskFreeKb?: number;
  python?: string;
  setupFailed?: string;
  home?: string;
  /** Whether bwrap works for the login user: ok, missing, or fail:<why> (sandbox-host.ts). */
  bwrap?: string;
}

export function parseProbe(text: string): Probe {
  const p: Probe = { nproc: 0, cpu: '', load: '', gpus: [], workdirOk: false };
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const k = line.slice(0, eq);
    const v = line.slice(eq + 1).trim();
    if (k === 'nproc') p.nproc = Number(v) || 0;
    else if (k === 'cpu') p.cpu = v;
    else if (k === 'load') p.load = v;
    else if (k === 'gpu' && v !== 'none') {
      const f = v.split(',').map((x) => x.trim());
      if (f.length >= 6 && /^\d+$/.test(f[0])) p.gpus.push({ index: f[0], name: f[1], driver: f[2], memTotal: f[3], memUsed: f[4], util: f[5] });
      else p.gpuError = v;
    } else if (k === 'workdir') p.workdirOk = v === 'ok';
    else if (k === 'disk') p.diskFreeKb = Number(v);
    else if (k === 'python') p.python = v;
    else if (k === 'setup') p.setupFailed = v;
    else if (k === 'home') p.home = v;
    else if (k === 'bwrap') p.bwrap = v;
  }
  return p;
}

export interface RemoteExec {
  dir: string;
  cwd: string;
  env: Record<string, string>;
  command: string;
  logName: string;
  timeoutMs: number;
  killGraceMs: number;
}

/**
 * The evaluator: run in the trial's directory on its host under coreutils `timeout` (exit 124 when
 * it took too long); stdout comes back and, with stderr, is logged in the trial directory; on a
 * failure the log's last line comes back on stderr.
 */
export function execScript(x: RemoteExec): string {
  const log = `"$D"/${q(x.logName)}`;
  return [
    `D=${q(x.dir)}`,
    `cd ${q(x.cwd)} || exit 126`,
    ...Object.entries(x.env).map(([k, v]) => `export ${k}=${q(v)}`),
    'SH=$(command -v bash || echo sh)',
    `timeout -k ${Math.max(1, Math.ceil(x.killGraceMs / 1000))} ${Math.max(1, Math.ceil(x.timeoutMs / 1000))} "$SH" -c ${q(x.command)} </dev/null > ${log}.out 2> ${log}; s=$?`,
    `cat ${log}.out; cat ${log}.out >> ${log}; rm -f ${log}.out`,
    `if [ $s -ne 0 ]; then tail -n 1 ${log} >&2; fi`,
    'exit $s',
  ].join('\n');
}
