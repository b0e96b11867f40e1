import { describe, expect, it } from "vitest";
import { isUnsaved, shownText, withDraft, withoutDraft } from "./fieldDraft";

describe("field drafts", () => {
  it("a refused number stays in its field, marked not saved, until saved or fixed", () => {
    let d = withDraft({}, "quality", "150");
    expect(shownText(d, "quality", 82)).toBe("150");
    expect(isUnsaved(d, "quality", 82)).toBe(true);
    d = withDraft(d, "quality", "82");
    expect(isUnsaved(d, "quality", 82)).toBe(false);
    d = withoutDraft(withDraft(d, "quality", "90"), "quality");
    expect(shownText(d, "quality", 90)).toBe("90");
    expect(isUnsaved(d, "quality", 90)).toBe(false);
  });
});

describe("debounce", () => {
  it("calls once, with the last value, after typing pauses", async () => {
    const { vi } = await import("vitest");
    const { debounce } = await import("./fieldDraft");
    vi.useFakeTimers();
    const f = vi.fn();
    const d = debounce(f, 300);
    d.call("a");
    vi.advanceTimersByTime(200);
    d.call("ab");
    vi.advanceTimersByTime(299);
    expect(f).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(f).toHaveBeenCalledExactlyOnceWith("ab");
    d.call("abc");
    d.cancel();
    vi.advanceTimersByTime(1000);
    expect(f).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
  });
});

describe("not saved", () => {
  it("is not said while typing, is said of a field left unsaved or refused", async () => {
    const { saysNotSaved } = await import("./fieldDraft");
    expect(saysNotSaved(true, true, false)).toBe(false);
    expect(saysNotSaved(true, false, false)).toBe(true);
    expect(saysNotSaved(true, true, true)).toBe(true);
    expect(saysNotSaved(false, false, true)).toBe(false);
  });
});
