import { describe, expect, it } from "vitest";
import { canRetry, fixPage, hintKey } from "./errorKinds";

describe("error kinds", () => {
  it("offers Retry only where trying again can succeed", () => {
    expect(canRetry("network")).toBe(true);
    expect(canRetry("rate_limited")).toBe(true);
    expect(canRetry("auth")).toBe(true);
    expect(canRetry("input")).toBe(false);
    expect(canRetry("too_large")).toBe(false);
    expect(canRetry("file")).toBe(false);
    expect(canRetry("unsupported")).toBe(false);
  });
  it("sends auth and config failures to the host settings", () => {
    expect(fixPage("auth")).toBe("hosts");
    expect(fixPage("config")).toBe("hosts");
    expect(fixPage("network")).toBeNull();
  });
  it("has a hint for the kinds users meet most", () => {
    expect(hintKey("auth")).toBe("hintAuth");
    expect(hintKey("timeout")).toBe("hintNetwork");
    expect(hintKey("refused")).toBeNull();
    // A 5xx that outlasted the retries offers Retry, and says why it may work.
    expect(hintKey("http")).toBe("hintHttp");
    expect(canRetry("http")).toBe(true);
  });
});
