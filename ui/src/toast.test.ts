import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ERROR_MS, OK_MS, expiry, lifetime } from "./toast";

describe("toast lifetime", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("errors stay longer than other messages, and a message with a button too", () => {
    expect(lifetime("ok")).toBe(OK_MS);
    expect(lifetime("error")).toBeGreaterThan(OK_MS);
    expect(lifetime("info", true)).toBeGreaterThan(OK_MS);
    expect(OK_MS).toBeLessThanOrEqual(6000);
    expect(ERROR_MS).toBeLessThanOrEqual(15000);
  });

  it("goes after its time, a restart counts from the restart, stop cancels", () => {
    const done = vi.fn();
    const e = expiry(done);
    e.restart(1000);
    vi.advanceTimersByTime(600);
    e.restart(1000);
    vi.advanceTimersByTime(600);
    expect(done).not.toHaveBeenCalled();
    vi.advanceTimersByTime(400);
    expect(done).toHaveBeenCalledTimes(1);
    e.restart(1000);
    e.stop();
    vi.advanceTimersByTime(5000);
    expect(done).toHaveBeenCalledTimes(1);
  });
});
