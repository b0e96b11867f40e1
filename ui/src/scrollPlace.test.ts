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
    const rows = [{ id: 1, top: -50 }, { id: 2, top: 20 }, { id: 3, top: 90 }];
    expect(anchorOf(rows, 0)?.id).toBe(2);
    expect(anchorOf([], 0)).toBeNull();
    expect(anchorShift(20, 88)).toBe(68);
  });
});
