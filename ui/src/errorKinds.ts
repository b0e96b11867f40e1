// What the UI does with an error, chosen by its kind (core's one list), never by its words.
import type { ErrorKind } from "./api";

/** Kinds where the same request may succeed later, or after the user fixed a setting. */
const RETRYABLE: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  "network", "timeout", "http", "rate_limited", "bad_response", "refused",
  "auth", "config", "not_found", "storage", "io", "internal",
]);

/** Whether Retry is worth offering: not for a file that is no image or too large as it is. */
export function canRetry(kind: ErrorKind): boolean {
  return RETRYABLE.has(kind);
}

/** The page that fixes this error, if a setting does: a refused token or a broken config
 *  is fixed under Image hosts. */
export function fixPage(kind: ErrorKind): "hosts" | null {
  return kind === "auth" || kind === "config" ? "hosts" : null;
}

/** The i18n key of a short hint shown under the error, if the kind has one. */
export function hintKey(kind: ErrorKind): "hintAuth" | "hintRateLimited" | "hintNetwork" | "hintHttp" | "hintTooLarge" | null {
  switch (kind) {
    case "auth":
      return "hintAuth";
    case "rate_limited":
      return "hintRateLimited";
    case "network":
    case "timeout":
      return "hintNetwork";
    case "http":
      return "hintHttp";
    case "too_large":
      return "hintTooLarge";
    default:
      return null;
  }
}
