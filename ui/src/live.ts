// The one subscription to Rust's updates, and the state it keeps current for every page.
import { ref } from "vue";
import { api, type ApiErrorShape, type BatchDone, type MoveResult, type NoteOffer, type SyncState, type UiEvent } from "./api";
import { loadPrefs, statusArrived } from "./prefs";
import { applyRow, createRows } from "./uploads";

export const rows = createRows();
export const dropHover = ref(false);
export const lastBatch = ref<BatchDone | null>(null);
export const notice = ref<ApiErrorShape | null>(null);
/** Bumped whenever the album changes, so the album page reloads. */
export const albumVersion = ref(0);
/** The album's running "Check links": done of total (null when none runs). */
export const linkCheck = ref<{ done: number; total: number } | null>(null);
/** The results of the album's "Move to…" so far, as each image is done, and how many in all. */
export const moveRun = ref<{ results: MoveResult[]; total: number } | null>(null);
/** The note dropped last, offered for its local images (null when none is offered). */
export const noteOffer = ref<NoteOffer | null>(null);
/** Bumped whenever the config changes (here, or by the CLI): pages that show it reload. */
export const configVersion = ref(0);
/** The app's syncing: running now, and the last sync's result (null until Rust says). */
export const syncState = ref<SyncState | null>(null);

export function handleEvent(e: UiEvent): void {
  switch (e.type) {
    case "upload":
      applyRow(rows, e.row);
      break;
    case "drop-hover":
      dropHover.value = e.on;
      break;
    case "uploads-finished":
      lastBatch.value = e.batch;
      break;
    case "album-changed":
      albumVersion.value++;
      break;
    case "move":
      // The command's answer may come before the last of these: an image is listed once.
      if (moveRun.value && !moveRun.value.results.some((r) => r.id === e.result.id)) {
        moveRun.value.results.push(e.result);
        moveRun.value.total = e.total;
      }
      break;
    case "link-check":
      // Progress and the end come in order on this channel (the command's answer may come
      // before the last progress): the end is the one that clears it.
      linkCheck.value = e.finished ? null : { done: e.done, total: e.total };
      break;
    case "config-changed":
      // A host added or renamed elsewhere shows in the album's filter too.
      loadPrefs().catch(() => {});
      configVersion.value++;
      albumVersion.value++;
      break;
    case "note-offer":
      noteOffer.value = e.offer;
      break;
    case "notice":
      notice.value = e.error;
      break;
    case "shortcut":
      statusArrived("shortcut", e.status);
      break;
    case "server":
      statusArrived("server", e.status);
      break;
    case "sync":
      syncState.value = e.state;
      break;
  }
}

/** Subscribe first, then read the rows, so nothing that happens in between is missed. */
export async function startLive(): Promise<void> {
  await api.subscribe(handleEvent);
  for (const row of await api.uploadsList()) applyRow(rows, row);
}
