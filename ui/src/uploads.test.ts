import { describe, expect, it } from "vitest";
import type { BatchDone, UploadRow } from "./api";
import { applyRow, createRows, finishedIds, isPasteOutsideText, orderedRows, percent, removeRows } from "./uploads";

function row(id: number, seq: number, over: Partial<UploadRow> = {}): UploadRow {
  return {
    id, batch: id, seq, name: `f${id}.png`, source: "drop", status: "waiting", sent: 0, total: 0, thumb: null,
    link: null, url: null, record_id: null, duplicate: false, notes: [], also_on: [], processed: null, error: null, retry: null, ...over,
  };
}

describe("upload rows", () => {
  it("keeps the newest state of each row", () => {
    const rows = createRows();
    applyRow(rows, row(1, 5, { status: "uploading", sent: 50, total: 100 }));
    applyRow(rows, row(1, 3, { status: "waiting" }));
    expect(rows.byId.get(1)!.status).toBe("uploading");
    applyRow(rows, row(1, 9, { status: "done", link: "![a](u)" }));
    expect(rows.byId.get(1)!.link).toBe("![a](u)");
  });

  it("orders newest batch first, each batch as given, and dismisses only finished rows", () => {
    const rows = createRows();
    applyRow(rows, row(1, 1, { status: "done", batch: 1 }));
    applyRow(rows, row(2, 2, { status: "uploading", batch: 2 }));
    applyRow(rows, row(3, 3, { status: "failed", batch: 3 }));
    expect(orderedRows(rows).map((r) => r.id)).toEqual([3, 2, 1]);
    // A drop of three files: the newest batch, in the order dropped.
    for (const id of [4, 5, 6]) applyRow(rows, row(id, id, { status: "waiting", batch: 4 }));
    expect(orderedRows(rows).map((r) => r.id)).toEqual([4, 5, 6, 3, 2, 1]);
    removeRows(rows, [4, 5, 6]);
    expect(orderedRows(rows).map((r) => r.id)).toEqual([3, 2, 1]);
    expect(finishedIds(rows).sort()).toEqual([1, 3]);
    removeRows(rows, finishedIds(rows));
    expect(orderedRows(rows).map((r) => r.id)).toEqual([2]);
  });

  it("computes progress from bytes sent", () => {
    expect(percent(row(1, 1))).toBe(0);
    expect(percent(row(1, 1, { status: "uploading", sent: 1, total: 3 }))).toBe(33);
    expect(percent(row(1, 1, { status: "uploading", sent: 5, total: 3 }))).toBe(100);
    expect(percent(row(1, 1, { status: "done" }))).toBe(100);
  });

  it("treats Ctrl+V / Cmd+V outside text fields as an upload", () => {
    const key = (over: Partial<KeyboardEvent>) => ({ key: "v", ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...over });
    const div = document.createElement("div");
    const input = document.createElement("input");
    expect(isPasteOutsideText(key({ ctrlKey: true }), div)).toBe(true);
    expect(isPasteOutsideText(key({ metaKey: true, key: "V" }), div)).toBe(true);
    expect(isPasteOutsideText(key({ ctrlKey: true }), input)).toBe(false);
    expect(isPasteOutsideText(key({}), div)).toBe(false);
    expect(isPasteOutsideText(key({ ctrlKey: true, shiftKey: true }), div)).toBe(false);
  });
});

describe("a finished batch's message", () => {
  const batch = (o: Partial<BatchDone>): BatchDone => ({ source: "clipboard", uploaded: 1, duplicates: 0, failed: 0, copied: null, copy_error: null, ...o });
  it("says already uploaded when the album had the file, and never just 'Uploaded'", async () => {
    const { locale } = await import("./i18n");
    const { batchMessage } = await import("./uploads");
    locale.value = "en";
    expect(batchMessage(batch({ copied: "a" }))).toBe("Uploaded — link copied.");
    expect(batchMessage(batch({ duplicates: 1, copied: "a" }))).toBe("Already uploaded — link copied.");
    expect(batchMessage(batch({ uploaded: 2, duplicates: 2, copied: "a\nb" }))).toBe("Already uploaded — 2 links copied.");
    expect(batchMessage(batch({ uploaded: 3, duplicates: 1, copied: "a\nb\nc" }))).toBe("Uploaded — 3 links copied. 1 of them was uploaded before.");
    expect(batchMessage(batch({ duplicates: 1 }))).toBe("Already uploaded: 1.");
    expect(batchMessage(batch({ uploaded: 0, failed: 0 }))).toBeNull();
  });
});
