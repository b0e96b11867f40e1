import { describe, expect, it } from "vitest";
import { useAction } from "./action";

describe("useAction", () => {
  it("shows errors and clears them on the next action", async () => {
    let started = 0;
    const a = useAction(() => started++);
    await a.run(async () => {
      expect(a.busy.value).toBe(true);
      throw new Error("host said no");
    });
    expect(a.error.value?.()).toBe("host said no");
    expect(a.busy.value).toBe(false);
    await a.run(async () => {});
    expect(a.error.value).toBeNull();
    expect(started).toBe(2);
  });
});
