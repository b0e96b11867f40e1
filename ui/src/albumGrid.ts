// The album grid's logic, apart from the DOM: which slice of a very long list is on screen,
// which pages to fetch, and how clicks change the selection.

export interface GridGeometry {
  width: number;
  tileWidth: number;
  rowHeight: number;
  gap: number;
}

export function columns(g: GridGeometry): number {
  return Math.max(1, Math.floor((g.width + g.gap) / (g.tileWidth + g.gap)));
}

/** The width each tile gets so the columns fill the row: `tileWidth` is the least a tile
 *  gets, and what is left over is shared out (no empty band on the right). */
export function fittedWidth(g: GridGeometry): number {
  const cols = columns(g);
  return Math.max(g.tileWidth, Math.floor((g.width - g.gap * (cols - 1)) / cols));
}

export function totalHeight(total: number, g: GridGeometry): number {
  const rows = Math.ceil(total / columns(g));
  return rows * g.rowHeight;
}

/** Indexes [start, end) to render for a scroll position, with `overscan` rows either side. */
export function visibleRange(scrollTop: number, viewport: number, total: number, g: GridGeometry, overscan = 2): [number, number] {
  const cols = columns(g);
  const firstRow = Math.max(0, Math.floor(scrollTop / g.rowHeight) - overscan);
  const lastRow = Math.ceil((scrollTop + viewport) / g.rowHeight) + overscan;
  return [Math.min(total, firstRow * cols), Math.min(total, lastRow * cols)];
}

/** Where tile `index` sits. */
export function tilePosition(index: number, g: GridGeometry): { top: number; left: number } {
  const cols = columns(g);
  return { top: Math.floor(index / cols) * g.rowHeight, left: (index % cols) * (fittedWidth(g) + g.gap) };
}

/** The page numbers (of `pageSize` records) that hold indexes [start, end). */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const out: number[] = [];
  for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) out.push(p);
  return out;
}

export interface Selection {
  ids: Set<number>;
  /** Index of the last plain or Ctrl click, where Shift ranges start. */
  anchor: number | null;
}

export type ClickKind = "plain" | "toggle" | "range";

export function clickKind(e: { shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }): ClickKind {
  if (e.shiftKey) return "range";
  if (e.ctrlKey || e.metaKey) return "toggle";
  return "plain";
}

/**
 * The selection after a click on the tile at `index` (record `id`). A range needs the ids
 * between the anchor and the click, which the caller fetches with `rangeIds` when they are not
 * all loaded; the result of a range click adds to the selection as in file managers.
 */
export function click(sel: Selection, kind: ClickKind, index: number, id: number, rangeIds: (from: number, to: number) => number[]): Selection {
  if (kind === "toggle") {
    const ids = new Set(sel.ids);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    return { ids, anchor: index };
  }
  if (kind === "range" && sel.anchor !== null) {
    const [from, to] = sel.anchor <= index ? [sel.anchor, index] : [index, sel.anchor];
    const ids = new Set(sel.ids);
    for (const r of rangeIds(from, to)) ids.add(r);
    return { ids, anchor: sel.anchor };
  }
  return { ids: new Set([id]), anchor: index };
}

/** Format a byte count for people. */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** A record's host in words: "name · kind label", or only the kind's label when the config is
 *  named after its kind ("smms" of kind smms is not "smms (smms)"). */
export function hostWords(configName: string, kind: string, kindLabel = kind): string {
  const plain = (a: string) => a.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
  const name = plain(configName);
  return name === plain(kind) || name === plain(kindLabel) ? kindLabel : `${configName} · ${kindLabel}`;
}
