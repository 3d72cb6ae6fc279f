// The shell functions behind limitsWrap and LIMITS_PROBE (./limits.ts): finding a way to enforce
// the limits (setup), starting the trial inside it (launch), watching for a limit being reached
// (watch), telling afterwards whether one ended the trial (after), and cleaning up (teardown).
// POSIX sh (dash), builtins in the loops so a watcher costs no processes but its sleep.
//
// Inputs (shell variables): mem (bytes or empty), np (process count or empty), ml (mem as the
// campaign file said it), name (the cgroup / scope name), cmd (the trial's command), rf and pend
// (the reason file and its draft). Outputs of setup: how (cgroup2|cgroup1|prlimit), sd (set when
// through systemd), sdu (--user for a user manager), G (cgroup v2 directory), M and P (v1 memory
// and pids directories). NIGHTSHIFT_LIMITS_VIA (systemd|cgroup2|cgroup1|prlimit|none) forces one
// mechanism, for tests and for a person checking the fallbacks.

export const LIMITS_LIB = `how= sd= sdu= G= M= P= v=0
count() {
  v=0
  [ -r "$1" ] || return 0
  while read -r k n; do [ "$k" = "$2" ] && v=$n; done < "$1"
  return 0
}
mnt() {
  while read -r _d dir fs opts _r; do
    [ "$fs" = "$1" ] || continue
    if [ -z "$2" ]; then echo "$dir"; return 0; fi
    case ",$opts," in *",$2,"*) echo "$dir"; return 0 ;; esac
  done < /proc/self/mounts
  return 1
}
own() {
  while IFS=: read -r _i ctl p; do
    case ",$ctl," in *",$1,"*) [ "$p" = / ] && p=; echo "$p"; return 0 ;; esac
  done < /proc/self/cgroup
  return 1
}
nap() { sleep 0.1 2>/dev/null || sleep 1; }
drain() {
  i=0
  while [ "$i" -lt 300 ] && [ -r "$1" ]; do
    any=
    while read -r p; do any=1; kill -9 "$p" 2>/dev/null; done < "$1"
    [ -n "$any" ] || return 0
    i=$((i + 1))
  done
}
gone() {
  [ -n "$1" ] || return 0
  i=0
  while [ -d "$1" ] && ! rmdir "$1" 2>/dev/null; do
    i=$((i + 1))
    if [ "$i" -gt 50 ]; then echo "nightshift: could not remove the cgroup $1" >&2; return 1; fi
    drain "$1/cgroup.procs"
    nap
  done
}
fresh() {
  if [ -d "$1" ]; then drain "$1/cgroup.procs"; gone "$1" || return 1; fi
  mkdir "$1" 2>/dev/null
}
try_sd() {
  [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1 || return 1
  [ "$(mnt cgroup2 '')" = /sys/fs/cgroup ] || return 1
  if [ "$(id -u)" = 0 ]; then sdu=
  elif [ -n "$XDG_RUNTIME_DIR" ] && [ -S "$XDG_RUNTIME_DIR/systemd/private" ]; then sdu=--user
  else return 1
  fi
  how=cgroup2 sd=1
}
try_v2() {
  r=$(mnt cgroup2 '') && b=$r$(own '') || return 1
  for c in \${mem:+memory} \${np:+pids}; do
    case " $(cat "$b/cgroup.subtree_control" 2>/dev/null) " in
      *" $c "*) ;;
      *) echo "+$c" 2>/dev/null > "$b/cgroup.subtree_control" || return 1 ;;
    esac
  done
  G=$b/$name
  fresh "$G" || { G=; return 1; }
  if { [ -z "$mem" ] || echo "$mem" > "$G/memory.max"; } 2>/dev/null && { [ -z "$np" ] || echo "$np" > "$G/pids.max"; } 2>/dev/null; then
    [ -z "$mem" ] || { echo 0 > "$G/memory.swap.max"; } 2>/dev/null
    how=cgroup2
    return 0
  fi
  rmdir "$G" 2>/dev/null; G=
  return 1
}
try_v1() {
  M= P=
  if [ -n "$mem" ]; then
    r=$(mnt cgroup memory) && M=$r$(own memory)/$name || { M=; return 1; }
    fresh "$M" || { M=; return 1; }
    echo "$mem" 2>/dev/null > "$M/memory.limit_in_bytes" || { rmdir "$M"; M=; return 1; }
    # Where swap is accounted, the limit covers memory + swap: a trial does not swap past it.
    [ ! -e "$M/memory.memsw.limit_in_bytes" ] || { echo "$mem" > "$M/memory.memsw.limit_in_bytes"; } 2>/dev/null
  fi
  if [ -n "$np" ]; then
    r=$(mnt cgroup pids) && P=$r$(own pids)/$name && fresh "$P" && echo "$np" 2>/dev/null > "$P/pids.max" || {
      [ -z "$P" ] || rmdir "$P" 2>/dev/null
      [ -z "$M" ] || rmdir "$M" 2>/dev/null
      M= P=
      return 1
    }
  fi
  how=cgroup1
}
try_pr() {
  command -v prlimit >/dev/null 2>&1 || return 1
  # RLIMIT_NPROC does not apply to root: that would be no process limit at all.
  [ -z "$np" ] || [ "$(id -u)" != 0 ] || return 1
  how=prlimit
}
setup() {
  case "$NIGHTSHIFT_LIMITS_VIA" in
    '') try_sd || try_v2 || try_v1 || try_pr ;;
    systemd) try_sd ;;
    cgroup2) try_v2 ;;
    cgroup1) try_v1 ;;
    prlimit) try_pr ;;
    *) return 1 ;;
  esac
}
refusal() {
  what=
  [ -z "$mem" ] || what="memory: $ml"
  [ -z "$np" ] || what="$what\${what:+, }processes: $np"
  echo "the sandbox limits ($what) cannot be enforced on this machine: no usable cgroup (v2 through systemd-run or a delegated cgroup; v1 memory and pids hierarchies writable) and no prlimit that could do it (missing, or the process limit as root, which it ignores); run the trials where cgroups are available, or remove memory:/processes: from sandbox:"
}
launch() {
  if [ -n "$sd" ]; then
    systemctl $sdu stop "$name.scope" >/dev/null 2>&1
    systemctl $sdu reset-failed "$name.scope" >/dev/null 2>&1
    exec systemd-run $sdu --quiet --scope --unit="$name" \${mem:+-p MemoryMax=$mem -p MemorySwapMax=0} \${np:+-p TasksMax=$np} -- /bin/sh -c 'eval "$1"' nightshift-trial "$cmd"
  elif [ "$how" = prlimit ]; then
    exec prlimit \${mem:+--as=$mem} \${np:+--nproc=$np} -- /bin/sh -c 'eval "$1"' nightshift-trial "$cmd"
  fi
  # The trial's own process joins the cgroup before it runs anything, so nothing it starts is outside.
  exec /bin/sh -c 'for f in "$2" "$3" "$4"; do [ -z "$f" ] || echo $$ > "$f" || { echo "sandbox: could not put the trial into its cgroup ($f)" > "$1"; exit 125; }; done; c=$5; shift 5; eval "$c"' nightshift-trial "$rf" "\${G:+$G/cgroup.procs}" "\${M:+$M/cgroup.procs}" "\${P:+$P/cgroup.procs}" "$cmd"
}
killcg() {
  if [ -n "$sd" ]; then systemctl $sdu kill -s KILL "$name.scope" >/dev/null 2>&1; return 0; fi
  [ -z "$G" ] || [ ! -e "$G/cgroup.kill" ] || { echo 1 > "$G/cgroup.kill"; } 2>/dev/null
  for x in "$G" "$M" "$P"; do [ -z "$x" ] || drain "$x/cgroup.procs"; done
}
scopedir() {
  [ -r "/proc/$c/cgroup" ] || return 0
  while IFS=: read -r i _k p; do
    case "$i:$p" in "0:"*"/$name.scope") G=/sys/fs/cgroup$p ;; esac
  done < "/proc/$c/cgroup"
}
readings() {
  hit=
  mf= pf=
  case $how in
    cgroup1) mf=$M/memory.oom_control pf=$P/pids.events ;;
    cgroup2) [ -n "$G" ] && mf=$G/memory.events pf=$G/pids.events ;;
  esac
  if [ -n "$mem" ] && [ -n "$mf" ]; then count "$mf" oom_kill; [ "$v" -gt 0 ] 2>/dev/null && hit="out of memory limit ($ml)"; fi
  if [ -z "$hit" ] && [ -n "$np" ] && [ -n "$pf" ]; then count "$pf" max; [ "$v" -gt 0 ] 2>/dev/null && hit="process limit ($np) reached"; fi
  return 0
}
watch() {
  trap - TERM INT HUP
  trap 'exit 0' USR1
  while kill -0 "$c" 2>/dev/null; do
    sleep 0.5 2>/dev/null || sleep 1
    [ -z "$sd" ] || [ -n "$G" ] || scopedir
    readings
    if [ -n "$hit" ]; then
      [ -s "$pend" ] || echo "$hit" > "$pend"
      killcg
    fi
  done
}
after() {
  case $how in
    cgroup*)
      [ -z "$sd" ] || [ -n "$G" ] || scopedir
      readings
      if [ -z "$hit" ] && [ -n "$sd" ] && [ -n "$mem" ] && [ "$(systemctl $sdu show -p Result --value "$name.scope" 2>/dev/null)" = oom-kill ]; then hit="out of memory limit ($ml)"; fi ;;
    prlimit)
      # No counter to read: the trial's last words are the evidence.
      t=$(tail -n 5 "$d/output.log" 2>/dev/null)
      case "$t" in
        *MemoryError*|*"Cannot allocate memory"*|*bad_alloc*|*"out of memory"*) [ -z "$mem" ] || hit="out of memory limit ($ml, an address-space limit through prlimit)" ;;
        *"Resource temporarily unavailable"*|*"can't start new thread"*) [ -z "$np" ] || hit="process limit ($np) reached (a per-user limit through prlimit)" ;;
      esac ;;
  esac
}
teardown() {
  if [ -n "$sd" ]; then
    systemctl $sdu stop "$name.scope" >/dev/null 2>&1
    systemctl $sdu reset-failed "$name.scope" >/dev/null 2>&1
    return 0
  fi
  killcg
  for x in "$G" "$M" "$P"; do gone "$x"; done
  return 0
}`;
