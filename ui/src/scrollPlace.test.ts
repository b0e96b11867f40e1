import { describe, expect, it } from "vitest";
import { anchorOf, anchorShift, switchPlace } from "./scrollPlace";

describe("scroll places", () => {
  it("each page opens at its top, then where it was left", () => {
    const places = {};
    expect(switchPlace(places, "settings", 900, "upload")).toBe(0);
    expect(switchPlace(places, "upload", 40, "settings")).toBe(900);
    expect(switchPlace(places, "settings", 10, "upload")).toBe(40);
  });
  it("keeps the first row on screen where it was when rows come in above", () => {
    const rows = [{ id: 1, top: -50, batch: 1 }, { id: 2, top: 20, batch: 1 }, { id: 3, top: 90, batch: 1 }];
    expect(anchorOf(rows, 0)?.id).toBe(2);
    expect(anchorOf([], 0)).toBeNull();
  });
  it("holds the rows being looked at, not the first of a batch coming in above them", () => {
    // Row 7 of the new batch came in and now shows above row 1; row 8 is about to follow it.
    const rows = [{ id: 7, top: 10, batch: 2 }, { id: 1, top: 82, batch: 1 }, { id: 2, top: 154, batch: 1 }];
    expect(anchorOf(rows, 0)?.id).toBe(1);
    // Only the new batch in view: its first row.
    expect(anchorOf(rows.slice(0, 1), 0)?.id).toBe(7);
    expect(anchorShift(20, 88)).toBe(68);
  });
});
