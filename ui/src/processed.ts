// What Rust did to a file and what its mirrors said, sent as data (never as English sentences)
// and worded here, in the UI's language.
import { humanSize } from "./albumGrid";
import { t } from "./i18n";
import { say, type Msg } from "./msg";

/** core's `pipeline::Processed`. */
export interface Processed {
  /** Metadata removed without re-encoding: "EXIF", "GPS", "XMP", "IPTC", "comments". */
  removed: string[];
  converted_from: string | null;
  converted_to: string | null;
  resized: [[number, number], [number, number]] | null;
  /** Made to fit this host limit, in bytes. */
  fitted: number | null;
  watermarked: boolean;
  size_before: number;
  size_after: number;
}

/** A note beside a row's link (src-tauri's `RowNote`); `why` is the host's own words. */
export type RowNote =
  | { type: "fallback"; config: string; mirror: string; why: Msg }
  | { type: "mirror-failed"; config: string; why: Msg };

export function describeProcessed(p: Processed): string {
  const parts: string[] = [];
  if (p.removed.length) parts.push(t("procRemoved", { what: p.removed.map((r) => (r === "comments" ? t("procComments") : r)).join(", ") }));
  if (p.converted_from && p.converted_to && p.converted_from !== p.converted_to) parts.push(t("procConverted", { from: p.converted_from, to: p.converted_to }));
  else if (p.converted_from) parts.push(t("procReencoded", { type: p.converted_from }));
  if (p.resized) {
    const [[w0, h0], [w1, h1]] = p.resized;
    parts.push(t("procResized", { w0, h0, w1, h1 }));
  }
  if (p.watermarked) parts.push(t("procWatermarked"));
  return t("procSummary", {
    parts: parts.join(t("listSep")),
    fit: p.fitted ? t("procFitted", { size: humanSize(p.fitted) }) : "",
    before: humanSize(p.size_before),
    after: humanSize(p.size_after),
  });
}

export function describeNote(n: RowNote): string {
  return n.type === "fallback" ? t("noteFallback", { config: n.config, mirror: n.mirror, why: say(n.why) }) : t("noteMirrorFailed", { config: n.config, why: say(n.why) });
}
