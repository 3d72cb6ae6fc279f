// After a stop is confirmed on a GPU host (the trial's process group is gone), is its GPU free?
// A process of the trial that left its group (setsid, a daemonised data loader) survives the group
// kill and keeps GPU memory, so the next trial in that slot would start short of memory or share
// the device. nvidia-smi lists the compute apps per GPU; a listed pid that is alive on the host is
// reported, and named as the trial's own when its environment carries the trial's directory.
/**
 * Args: GPU index, the trial's directory, its process group. Prints "pid trial|other cmdline" per
 * live process on that GPU, leaving out the group's own (its kill is under way and confirmed apart).
 */
export const GPU_HELD_SCRIPT = `command -v nvidia-smi >/dev/null 2>&1 || exit 0
g=$1; d=$2; pg=$3
u=$(nvidia-smi --query-gpu=index,uuid --format=csv,noheader 2>/dev/null | while IFS=, read -r i x; do [ "$(echo $i)" = "$g" ] && echo $x; done)
nvidia-smi --query-compute-apps=pid,gpu_uuid --format=csv,noheader 2>/dev/null | while IFS=, read -r p x; do
  p=$(echo $p); x=$(echo $x)
  case "$p" in ''|*[!0-9]*) continue;; esac
  [ -n "$u" ] && [ "$x" != "$u" ] && continue
  case "$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null)" in Z|'') continue;; esac
  [ "$(ps -o pgid= -p "$p" 2>/dev/null | tr -d ' ')" = "$pg" ] && continue
  own=other; tr '\\0' '\\n' < /proc/$p/environ 2>/dev/null | grep -qxF "NIGHTSHIFT_TRIAL_DIR=$d" && own=trial
  printf '%s %s %s\\n' "$p" "$own" "$(tr '\\0' ' ' < /proc/$p/cmdline 2>/dev/null | cut -c1-80 | sed 's/ *$//')"
done`;

/** The warning for what GPU_HELD_SCRIPT printed ('' when the GPU was released). */
export function gpuHeldMessage(out: string, gpu: string, trialId: number): string {
  const held = out.split('\n').map((l) => /^(\d+) (trial|other) ?(.*)$/.exec(l.trim())).filter((m): m is RegExpExecArray => m !== null);
  if (held.length === 0) return '';
  const who = held.map(([, pid, own, cmd]) => `pid ${pid}${cmd ? ` (${cmd})` : ''}, ${own === 'trial' ? 'a process of the trial outside its process group' : 'not a process of this trial'}`);
  const pids = held.map(([, pid]) => pid).join(' ');
  return `GPU ${gpu} still held after trial ${trialId} was stopped: ${who.join('; ')}; end it on the host (kill ${pids}), or the next trial on GPU ${gpu} shares it`;
}
