// Where the window's scroller stands: each page opens where it was left (at first, its top), and
// content added above what is on screen does not push it away.
export type Places = Record<string, number>;

/** Remember `from`'s place and give the place `to` opens at. */
export function switchPlace(places: Places, from: string, fromTop: number, to: string): number {
  places[from] = fromTop;
  return places[to] ?? 0;
}

/**
 * The row to hold still: the first of `items` (each with its top edge and batch) whose top is at
 * or below `viewTop`, preferring one of an older batch than the newest. The newest batch is the
 * one coming in: its rows land above what was being looked at and must not become the anchor,
 * or the next of them would push the older rows down after all.
 */
export function anchorOf<T extends { top: number; batch: number }>(items: T[], viewTop: number): T | null {
  const inView = items.filter((i) => i.top >= viewTop);
  const newest = Math.max(...items.map((i) => i.batch));
  return inView.find((i) => i.batch < newest) ?? inView[0] ?? null;
}

/** How far to scroll so an anchor that moved from `before` to `after` stays where it was. */
export const anchorShift = (before: number, after: number): number => after - before;
