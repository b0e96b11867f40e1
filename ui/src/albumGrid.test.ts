import { describe, expect, it } from "vitest";
import { click, clickKind, columns, fittedWidth, humanSize, pagesFor, tilePosition, totalHeight, visibleRange, type Selection } from "./albumGrid";

const g = { width: 940, tileWidth: 180, rowHeight: 200, gap: 10 };

describe("album grid", () => {
  it("renders only what is on screen of 100,000 records", () => {
    expect(columns(g)).toBe(5);
    expect(totalHeight(100_000, g)).toBe(20_000 * 200);
    const [start, end] = visibleRange(1_000_000, 600, 100_000, g);
    expect(start).toBe((5000 - 2) * 5);
    expect(end).toBe((5003 + 2) * 5);
    expect(end - start).toBeLessThan(60);
    expect(visibleRange(0, 600, 7, g)).toEqual([0, 7]);
    expect(tilePosition(7, g)).toEqual({ top: 200, left: 2 * 190 });
  });

  it("fills the row: the columns share out the width left over", () => {
    // 940 px fit 5 tiles of 180 and 4 gaps of 10 exactly; 1000 px leave 60 px to share.
    expect(fittedWidth(g)).toBe(180);
    const wide = { ...g, width: 1000 };
    expect(columns(wide)).toBe(5);
    expect(fittedWidth(wide)).toBe(192);
    const last = tilePosition(4, wide);
    expect(last.left + fittedWidth(wide)).toBeLessThanOrEqual(1000);
    expect(1000 - (last.left + fittedWidth(wide))).toBeLessThan(5);
  });

  it("fetches the pages that hold a range", () => {
    expect(pagesFor(0, 35, 120)).toEqual([0]);
    expect(pagesFor(110, 130, 120)).toEqual([0, 1]);
    expect(pagesFor(5, 5, 120)).toEqual([]);
  });

  it("selects with plain, Ctrl and Shift clicks", () => {
    const ids = [10, 11, 12, 13, 14, 15];
    const range = (a: number, b: number) => ids.slice(a, b + 1);
    let s: Selection = { ids: new Set(), anchor: null };
    s = click(s, clickKind({ shiftKey: false, ctrlKey: false, metaKey: false }), 1, 11, range);
    expect([...s.ids]).toEqual([11]);
    s = click(s, clickKind({ shiftKey: false, ctrlKey: true, metaKey: false }), 4, 14, range);
    expect([...s.ids].sort()).toEqual([11, 14]);
    s = click(s, clickKind({ shiftKey: true, ctrlKey: false, metaKey: false }), 2, 12, range);
    expect([...s.ids].sort()).toEqual([11, 12, 13, 14]);
    s = click(s, "toggle", 4, 14, range);
    expect([...s.ids].sort()).toEqual([11, 12, 13]);
    s = click(s, "plain", 0, 10, range);
    expect([...s.ids]).toEqual([10]);
  });

  it("formats sizes", () => {
    expect(humanSize(512)).toBe("512 B");
    expect(humanSize(1536)).toBe("1.5 KB");
    expect(humanSize(5 * 1024 * 1024)).toBe("5.0 MB");
    expect(humanSize(300 * 1024)).toBe("300 KB");
  });
});

describe("a record's host in words", () => {
  it("names the config and the kind once each", async () => {
    const { hostWords } = await import("./albumGrid");
    expect(hostWords("smms", "smms", "SM.MS / S.EE")).toBe("SM.MS / S.EE");
    expect(hostWords("standin", "smms", "SM.MS / S.EE")).toBe("standin · SM.MS / S.EE");
    expect(hostWords("s", "smms", "SM.MS / S.EE")).toBe("s · SM.MS / S.EE");
    expect(hostWords("gone", "oldkind")).toBe("gone · oldkind");
  });
});
