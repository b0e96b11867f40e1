// Where the window's scroller stands: each page opens where it was left (at first, its top), and
// content added above what is on screen does not push it away.
export type Places = Record<string, number>;

/** Remember `from`'s place and give the place `to` opens at. */
export function switchPlace(places: Places, from: string, fromTop: number, to: string): number {
  places[from] = fromTop;
  return places[to] ?? 0;
}

/** The first of `items` (each with its top edge) whose top is at or below `viewTop`. */
export function anchorOf<T extends { top: number }>(items: T[], viewTop: number): T | null {
  return items.find((i) => i.top >= viewTop) ?? null;
}

/** How far to scroll so an anchor that moved from `before` to `after` stays where it was. */
export const anchorShift = (before: number, after: number): number => after - before;
