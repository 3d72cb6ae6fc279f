// Memory and process limits for a sandboxed trial (issue 11): cgroup v2 (through systemd-run --scope
// when systemd runs, else the cgroup filesystem directly), cgroup v1 (memory + pids hierarchies), or
// prlimit, whichever the machine has; refused when a limit is asked and none works. Pure shell text
// (POSIX sh, no Node at run time), so the same wrapper runs on an SSH host.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LIMITS_LIB } from './limits-sh.js';
import { q } from '../shell.js';
import { sizeLabel } from '../../src/config/size.js';
export { sizeLabel };

export interface Limits {
  memoryBytes?: number;
  processes?: number;
}

/**
 * Written by the limits wrapper into the trial directory when a limit ended the trial, e.g.
 * "out of memory limit (16g)"; the runner reads it with exit_code and sets ExitInfo.limit. A line
 * starting with SANDBOX_ERROR_PREFIX means the trial never started (ExitInfo.sandboxError).
 */
export const LIMIT_FILE = 'limit_reason';
export const SANDBOX_ERROR_PREFIX = 'sandbox: ';



/**
 * A cgroup / scope name for one trial: unique per campaign and trial (the trial directory's path
 * is both) and the same every time, so a later supervisor can find a leftover one and remove it.
 */
export function limitsName(trialDir: string): string {
  const base = path.basename(trialDir).replace(/[^A-Za-z0-9]/g, '').slice(0, 20);
  return `nightshift-${base}-${createHash('sha256').update(trialDir).digest('hex').slice(0, 12)}`;
}

/** Only characters every cgroup directory and systemd unit name accepts. */
function safeName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100);
  return s.startsWith('nightshift') ? s : `nightshift-${s}`;
}

const MAIN = `trap ':' TERM INT HUP
cmd=$1 name=$2 mem=$3 np=$4 ml=$5 w=
d=\${NIGHTSHIFT_TRIAL_DIR:-.}
rf=$d/${LIMIT_FILE} pend=$d/${LIMIT_FILE}.pending
rm -f "$rf" "$pend"
if ! setup; then
  r="$(refusal)"
  printf '${SANDBOX_ERROR_PREFIX}%s\\n' "$r" > "$rf"
  printf 'nightshift: the trial did not start: %s\\n' "$r" >&2
  exit 125
fi
launch &
c=$!
case $how in cgroup*) watch </dev/null >/dev/null 2>&1 & w=$! ;; esac
while :; do
  wait "$c"; s=$?
  kill -0 "$c" 2>/dev/null || break
done
[ -z "$w" ] || kill -s USR1 "$w" 2>/dev/null
if [ "$s" != 0 ]; then
  hit=
  [ -s "$pend" ] && read -r hit < "$pend"
  [ -n "$hit" ] || after
  [ -z "$hit" ] || printf '%s\\n' "$hit" > "$rf"
fi
rm -f "$pend"
teardown
exit "$s"`;

/**
 * A shell command that runs `inner` under the limits (its own cgroup named after `name`), waits for
 * it, writes LIMIT_FILE into $NIGHTSHIFT_TRIAL_DIR when a limit ended it, removes the cgroup (killing
 * anything left in it) and exits with inner's status. Only inner's process tree is in the cgroup:
 * the caller's wrapper that writes exit_code stays outside, where the OOM killer cannot pick it.
 * When a limit is asked and nothing here can enforce it, inner never runs: LIMIT_FILE says why
 * (SANDBOX_ERROR_PREFIX) and the status is 125.
 */
export function limitsWrap(inner: string, limits: Limits, name: string): string {
  const { memoryBytes: mem, processes: np } = limits;
  if (mem === undefined && np === undefined) return inner;
  const args = [inner, safeName(name), mem === undefined ? '' : String(mem), np === undefined ? '' : String(np), mem === undefined ? '' : sizeLabel(mem)];
  return `/bin/sh -c ${q(LIMITS_LIB + '\n' + MAIN)} nightshift-limits ${args.map(q).join(' ')}`;
}

const CLEANUP = `name=$1 mem=1 np=1
r=$(mnt cgroup2 '') && G=$r$(own '')/$name; [ -d "$G" ] || G=
r=$(mnt cgroup memory) && M=$r$(own memory)/$name; [ -d "$M" ] || M=
r=$(mnt cgroup pids) && P=$r$(own pids)/$name; [ -d "$P" ] || P=
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  for u in '' --user; do systemctl $u stop "$name.scope" >/dev/null 2>&1; systemctl $u reset-failed "$name.scope" >/dev/null 2>&1; done
fi
teardown`;

/**
 * Shell text that kills whatever is left in the trial's cgroup and removes it: for a trial whose
 * limits wrapper could not clean up itself (SIGKILLed with its process group by a hard kill), run
 * by the runner after such an exit or by a later supervisor. Harmless when there is nothing.
 */
export function limitsCleanup(name: string): string {
  return `/bin/sh -c ${q(LIMITS_LIB + '\n' + CLEANUP)} nightshift-limits-cleanup ${q(safeName(name))}`;
}

/** What ExitInfo gets from LIMIT_FILE's text (empty when there is none). */
export function limitExit(text: string | null | undefined): { limit?: string; sandboxError?: string } {
  const line = (text ?? '').split('\n')[0].trim();
  if (!line) return {};
  if (line.startsWith(SANDBOX_ERROR_PREFIX)) return { sandboxError: line.slice(SANDBOX_ERROR_PREFIX.length) };
  return { limit: line };
}

/** LIMIT_FILE in a trial directory on this machine, as ExitInfo fields (empty when there is none). */
export function readLimitFile(dir: string): { limit?: string; sandboxError?: string } {
  try {
    return limitExit(fs.readFileSync(path.join(dir, LIMIT_FILE), 'utf8'));
  } catch {
    return {};
  }
}

const PROBE = `name=nightshift-probe-$$ ml=64m
check() {
  mem=$1 np=$2 how= sd= G= M= P=
  setup || return 1
  if [ -n "$sd" ]; then
    # systemd-run may accept a property it cannot apply (a user manager without the controller
    # delegated): look at what the scope really got.
    got=$(systemd-run $sdu --quiet --scope \${mem:+-p MemoryMax=$mem} \${np:+-p TasksMax=$np} -- /bin/sh -c 'p=$(sed -n "s/^0:://p" /proc/self/cgroup); cat "/sys/fs/cgroup$p/memory.max" "/sys/fs/cgroup$p/pids.max" 2>/dev/null' 2>/dev/null | tr '\\n' ' ')
    [ -z "$mem" ] || case " $got " in *" $mem "*) ;; *) how= ; return 1 ;; esac
    [ -z "$np" ] || case " $got " in *" $np "*) ;; *) how= ; return 1 ;; esac
  fi
  teardown
}
if check 67108864 64; then m=yes p=yes
elif check 67108864 ''; then m=yes p=no
elif check '' 64; then m=no p=yes
else m=no p=no how=none
fi
echo "limits=1"
echo "how=$how"
echo "memory=$m"
echo "processes=$p"
case $how in
  cgroup2) if [ -n "$sd" ]; then echo "note=cgroup v2 through systemd-run --scope\${sdu:+ (user manager)}"; else echo "note=cgroup v2 (cgroup filesystem, delegated)"; fi ;;
  cgroup1) echo "note=cgroup v1 memory and pids hierarchies" ;;
  prlimit) echo "note=prlimit only (weak): memory caps address space (RLIMIT_AS), processes count all of the user's processes (RLIMIT_NPROC, ignored for root); nothing is killed when a limit is reached" ;;
  *) echo "note=no usable cgroup (v2 through systemd-run or a delegated cgroup; v1 memory and pids hierarchies writable) and no prlimit: a campaign with memory: or processes: in sandbox: would not start its trials here" ;;
esac
[ "$m$p" != yesno ] || echo "note2=processes: cannot be enforced here$( [ "$(id -u)" = 0 ] && echo ' (prlimit ignores the process limit for root)')"`;

/** A shell script that prints what this machine can enforce (key=value lines), for `nightshift doctor` / `hosts`. */
export const LIMITS_PROBE = `/bin/sh -c ${q(LIMITS_LIB + '\n' + PROBE)} nightshift-limits-probe`;

export interface LimitsReport {
  how: 'cgroup2' | 'cgroup1' | 'prlimit' | 'none';
  memory: boolean;
  processes: boolean;
  /** Why a limit cannot be enforced, in words a person can act on. */
  note?: string;
}

export function parseLimitsProbe(stdout: string): LimitsReport {
  const kv = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const how = kv.get('how');
  if (kv.get('limits') !== '1' || !(how === 'cgroup2' || how === 'cgroup1' || how === 'prlimit' || how === 'none')) {
    return { how: 'none', memory: false, processes: false, note: 'the limits probe printed nothing usable (is /bin/sh there?)' };
  }
  const note = [kv.get('note'), kv.get('note2')].filter(Boolean).join('; ');
  return { how, memory: kv.get('memory') === 'yes', processes: kv.get('processes') === 'yes', ...(note ? { note } : {}) };
}
