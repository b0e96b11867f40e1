// What a status line says, kept as how to say it rather than as the words once said: the page
// calls it as it draws, and t() and say() read the language of the moment, so switching the
// language re-says what is on screen.
import { ApiError } from "./api";
import { say } from "./msg";

export type Saying = () => string;

/** How to say what went wrong: Rust's message in the language of the moment, else its text. */
export function sayingOf(e: unknown): Saying {
  if (e instanceof ApiError) {
    const m = e.msg;
    return () => say(m);
  }
  const text = e instanceof Error ? e.message : String(e);
  return () => text;
}
