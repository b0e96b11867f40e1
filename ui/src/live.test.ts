import { describe, expect, it } from "vitest";
import { handleEvent, syncState } from "./live";

describe("sync events", () => {
  it("keep the last sync's state for Settings → Sync", () => {
    handleEvent({ type: "sync", state: { running: true, last: null } });
    expect(syncState.value).toEqual({ running: true, last: null });
    const error = { kind: "network" as const, message: "the storage is away" };
    handleEvent({ type: "sync", state: { running: false, last: { at: 1, auto: true, report: null, error } } });
    expect(syncState.value?.running).toBe(false);
    expect(syncState.value?.last?.error?.message).toBe("the storage is away");
  });
});
