// A button's action: clears the last message, marks the page busy, and shows an error instead of
// swallowing it.
import { ref, type Ref } from "vue";
import { sayingOf, type Saying } from "./saying";

export function useAction(onStart: () => void = () => {}): {
  busy: Ref<boolean>;
  error: Ref<Saying | null>;
  run: (f: () => Promise<unknown>) => Promise<void>;
} {
  const busy = ref(false);
  const error = ref<Saying | null>(null);
  async function run(f: () => Promise<unknown>) {
    error.value = null;
    onStart();
    busy.value = true;
    try {
      await f();
    } catch (e) {
      error.value = sayingOf(e);
    } finally {
      busy.value = false;
    }
  }
  return { busy, error, run };
}
