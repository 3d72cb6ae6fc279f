// The queue (trial ids in dispatch order) and the running list (in start order). Pure helpers for
// the trial and operator events that move ids between them.

/** `ids` without `id` (the same array when it is not there). */
export function without(ids: number[], id: number): number[] {
  const i = ids.indexOf(id);
  if (i < 0) return ids;
  return [...ids.slice(0, i), ...ids.slice(i + 1)];
}

/** A new trial joins the queue; a re-run of a lost trial goes first, since it was already due. */
export function enqueue(queue: number[], id: number, rerun: boolean): number[] {
  return rerun ? [id, ...queue] : [...queue, id];
}

/** `id` moved to position `to` (clamped) and where it landed, or null when `id` is not queued. */
export function moveTo(queue: number[], id: number, to: number): { queue: number[]; at: number } | null {
  if (!queue.includes(id)) return null;
  const next = without(queue, id);
  const at = Math.max(0, Math.min(next.length, to));
  next.splice(at, 0, id);
  return { queue: next, at };
}

/** `id` dispatched next. */
export function toFront(queue: number[], id: number): number[] {
  return [id, ...without(queue, id)];
}
