// max_log for a trial on an SSH host. The host's output.log is capped there, in the poll (the one
// exec per tick that reads every trial's new output), the way LogTail caps a local log: past the cap
// the file keeps its first half, then a marker line saying how many bytes were dropped, then the
// newest tail copied down over the middle, and is truncated (the trial's descriptor is O_APPEND, so
// its next write lands at the new end). Each cap is also appended to output.caps on the host
// ("head kept marker_len dropped"), and the poll replays every cap the supervisor has not applied
// yet (a poll whose answer was lost, a resumed supervisor): the local mirror gets the same
// rewrite, so it stays the host's file byte for byte and offsets keep meaning the same bytes.
import * as fs from 'node:fs';
import { capMarker, MARKER_RE } from '../logtail.js';

/** One cap as the host reports it: bytes [head, kept) were replaced by a marker of markerLen bytes. */
export interface LogCap {
  head: number;
  kept: number;
  markerLen: number;
  /** Total bytes dropped from this log so far (the marker says it; it grows with every cap). */
  dropped: number;
}

/**
 * Shell run inside the poll for one trial, with d (trial dir), o (offset the supervisor has), m (the
 * cap, 0: none), lab (the cap as the marker writes it) and dl (the dropped total the supervisor
 * has seen). Leaves o mapped through every cap and C the caps to report (H:k:L:D,... or empty).
 * Needs GNU coreutils (dd oflag=seek_bytes, truncate). The tail is copied down until the copy caught
 * up with the writer, then the file is truncated: what the trial writes in between (a few ms of
 * process starts) is lost with the middle, as locally in its microseconds. The rounds are bounded,
 * so a trial writing a GB/s cannot make the copy as large as what it writes meanwhile; the file may
 * then stay past the cap until the next poll caps it again.
 */
export const CAP_SHELL = `C=
if [ "$m" -gt 0 ] 2>/dev/null; then
  f=$d/output.log; cf=$d/output.caps; Lp=0; Dp=0
  if [ -f "$cf" ]; then
    while read -r H k L D; do
      Lp=$L; Dp=$D
      [ "$D" -gt "$dl" ] || continue
      if [ "$o" -ge "$k" ]; then o=$((H+L+o-k)); elif [ "$o" -gt "$H" ]; then o=$H; fi
      C="$C\${C:+,}$H:$k:$L:$D"
    done < "$cf"
  fi
  z=$(stat -c %s "$f" 2>/dev/null || echo 0)
  if [ "$z" -gt "$m" ]; then
    H=$((m/2)); w=$((m/4)); [ $w -gt 8388608 ] && w=8388608
    st=$((z-w)); lim=$w; [ $lim -gt 16384 ] && lim=16384
    nl=$(tail -c +$((st+1)) "$f" | head -c $lim | head -n 1 | wc -c)
    k=$st; [ "$nl" -lt "$lim" ] && k=$((st+nl))
    D=$((Dp+k-H-Lp)); t=$d/.cap.$$
    printf '\\n[nightshift] output.log passed max_log %s, %s bytes dropped here; the newest output follows\\n' "$lab" "$D" > "$t"
    L=$(wc -c < "$t"); n=0; j=0
    dd if="$t" of="$f" seek=$H oflag=seek_bytes conv=notrunc status=none
    # The tail goes down in rounds until it caught up with the writer (at most 8 MB a round, 4 rounds).
    while [ $j -lt 4 ]; do
      tail -c +$((k+n+1)) "$f" | head -c 8388608 > "$t"
      g=$(wc -c < "$t"); [ "$g" -gt 0 ] || break
      dd if="$t" of="$f" bs=65536 seek=$((H+L+n)) oflag=seek_bytes conv=notrunc status=none
      n=$((n+g)); j=$((j+1))
    done
    truncate -s $((H+L+n)) "$f"; rm -f "$t"
    L=$((L+0)); echo "$H $k $L $D" >> "$cf"
    if [ "$o" -ge "$k" ]; then o=$((H+L+o-k)); elif [ "$o" -gt "$H" ]; then o=$H; fi
    C="$C\${C:+,}$H:$k:$L:$D"
  fi
fi`;

export function parseCaps(field: string | undefined): LogCap[] {
  if (!field || field === '-') return [];
  return field.split(',').map((c) => {
    const [head, kept, markerLen, dropped] = c.split(':').map(Number);
    return { head, kept, markerLen, dropped };
  });
}

/** The dropped total a mirror's marker records (0: never capped), as LogTail reads it back. */
export function droppedInMirror(file: string, maxLog: number): number {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const probe = Buffer.alloc(256);
      const n = fs.readSync(fd, probe, 0, probe.length, Math.floor(maxLog / 2));
      const m = MARKER_RE.exec(probe.subarray(0, n).toString('latin1'));
      return m ? Number(m[1]) : 0;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return 0;
  }
}

/**
 * Applies a host's cap to the mirror, which holds the host file's first `offset` bytes; returns the
 * mirror's new size (= where the host's copy of those bytes now ends).
 */
export function capMirror(file: string, offset: number, cap: LogCap, maxLog: number): number {
  if (offset <= cap.head) return offset;
  // Not the trial's append descriptor: positional writes need one without O_APPEND.
  const fd = fs.openSync(file, 'r+');
  try {
    if (offset < cap.kept) {
      fs.ftruncateSync(fd, cap.head);
      return cap.head;
    }
    const marker = Buffer.from(capMarker(maxLog, cap.dropped));
    const rest = Buffer.alloc(offset - cap.kept);
    fs.readSync(fd, rest, 0, rest.length, cap.kept);
    fs.writeSync(fd, marker, 0, marker.length, cap.head);
    fs.writeSync(fd, rest, 0, rest.length, cap.head + marker.length);
    const end = cap.head + marker.length + rest.length;
    fs.ftruncateSync(fd, end);
    return end;
  } finally {
    fs.closeSync(fd);
  }
}
