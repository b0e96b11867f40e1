// The upload page's rows. Rust owns their state; every update carries the whole row with a
// sequence number, so an update that arrives late never overwrites a newer one.
import { reactive } from "vue";
import type { BatchDone, UploadRow } from "./api";
import { t } from "./i18n";
import { say } from "./msg";

export interface UploadRows {
  byId: Map<number, UploadRow>;
}

export function createRows(): UploadRows {
  return reactive({ byId: new Map<number, UploadRow>() }) as UploadRows;
}

/** Apply a row from an event or from a fresh list; older copies are ignored. */
export function applyRow(rows: UploadRows, row: UploadRow): void {
  const current = rows.byId.get(row.id);
  if (!current || current.seq < row.seq) rows.byId.set(row.id, row);
}

/** Newest batch first, and within a batch the order the files were given in. */
export function orderedRows(rows: UploadRows): UploadRow[] {
  return [...rows.byId.values()].sort((a, b) => b.batch - a.batch || a.id - b.id);
}

export function removeRows(rows: UploadRows, ids: number[]): void {
  for (const id of ids) rows.byId.delete(id);
}

/** Rows that can be dismissed (finished ones). */
export function finishedIds(rows: UploadRows): number[] {
  return [...rows.byId.values()].filter((r) => r.status === "done" || r.status === "failed").map((r) => r.id);
}

/** Progress as a whole percentage; a waiting row is 0, a finished one 100. */
export function percent(row: UploadRow): number {
  if (row.status === "done") return 100;
  if (row.total <= 0) return 0;
  return Math.min(100, Math.floor((row.sent * 100) / row.total));
}

/** Whether a keyboard event is the paste shortcut outside a text field (Ctrl+V, ⌘V). */
export function isPasteOutsideText(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">, target: EventTarget | null): boolean {
  if (e.key.toLowerCase() !== "v" || e.altKey || e.shiftKey || !(e.ctrlKey || e.metaKey)) return false;
  const el = target as HTMLElement | null;
  if (!el || typeof el.tagName !== "string") return true;
  const tag = el.tagName.toLowerCase();
  return !(tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable);
}

/** What a finished batch says: uploaded or already uploaded (the album had the file), copied or
 * not, and how many failed; null when there is nothing to say. */
export function batchMessage(b: BatchDone | null): string | null {
  if (!b) return null;
  const failed = b.failed ? " " + t("batchFailed", { n: b.failed }) : "";
  if (b.copy_error) return t("batchCopyFailed", { message: say(b.copy_error) }) + failed;
  const dups = b.duplicates;
  const allDup = b.uploaded > 0 && dups === b.uploaded;
  const some = dups && !allDup ? " " + t("batchDupSome", { n: dups }) : "";
  const lines = b.copied ? b.copied.split("\n").length : 0;
  if (b.uploaded && lines) {
    const key = allDup ? (lines === 1 ? "batchDupCopiedOne" : "batchDupCopied") : lines === 1 ? "batchCopiedOne" : "batchCopied";
    return t(key, { n: lines }) + some + failed;
  }
  if (b.uploaded) return t(allDup ? "batchDupUploaded" : "batchUploaded", { n: b.uploaded }) + some + failed;
  return null;
}
