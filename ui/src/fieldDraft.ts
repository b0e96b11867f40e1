// What a settings field shows: the text being typed (or refused) until it is saved, else the
// saved value. A refused value stays in its field, marked "not saved", instead of reverting.
export type Drafts = Record<string, string>;

export function shownText(drafts: Drafts, key: string, saved: unknown): string {
  return drafts[key] ?? (saved === undefined || saved === null ? "" : String(saved));
}

/** Typed text that differs from what is saved. */
export function isUnsaved(drafts: Drafts, key: string, saved: unknown): boolean {
  return key in drafts && drafts[key] !== shownText({}, key, saved);
}

/** The drafts with `key` typed as `text`. */
export function withDraft(drafts: Drafts, key: string, text: string): Drafts {
  return { ...drafts, [key]: text };
}

/** The drafts without `key` (its text was saved). */
export function withoutDraft(drafts: Drafts, key: string): Drafts {
  const { [key]: _, ...rest } = drafts;
  return rest;
}

/** `f` called `ms` after the last `call` (a preview as you type); `cancel` drops a pending call. */
export function debounce<A>(f: (a: A) => void, ms: number): { call: (a: A) => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return {
    call(a) {
      cancel();
      timer = setTimeout(() => {
        timer = undefined;
        f(a);
      }, ms);
    },
    cancel,
  };
}

/** Whether to say "not saved": of a field whose text differs from the saved value, once it is
 * left (fields save on leaving) or its text was refused — never while a valid text is typed. */
export function saysNotSaved(differs: boolean, beingEdited: boolean, refused: boolean): boolean {
  return differs && (!beingEdited || refused);
}
