// How long a status message stays: long enough to read, then it goes by itself. Errors stay
// longer, and any message goes at once on its ×. Timed by setTimeout, which keeps running while
// the window lacks focus (a CSS animation or requestAnimationFrame would pause there).
export type ToastKind = "ok" | "info" | "error";

export const OK_MS = 5000;
export const ERROR_MS = 10000;
/** A message with a button in it (Undo) stays long enough to reach the button. */
export const ACTION_MS = 10000;

export function lifetime(kind: ToastKind, hasAction = false): number {
  if (kind === "error") return ERROR_MS;
  return hasAction ? ACTION_MS : OK_MS;
}

/** A timer that calls `done` `ms` after the last `restart`; `stop` cancels it. */
export function expiry(done: () => void): { restart: (ms: number) => void; stop: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return {
    restart(ms) {
      stop();
      timer = setTimeout(() => {
        timer = undefined;
        done();
      }, ms);
    },
    stop,
  };
}
