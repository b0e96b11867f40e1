// What a PicGo import did, as lines a person reads.
import type { PicgoReport } from "./api";
import { t } from "./i18n";

export function describePicgoImport(r: PicgoReport): string[] {
  const lines: string[] = [];
  if (r.configs_added.length) lines.push(t("picgoConfigs", { list: r.configs_added.map((c) => `${c.name} (${c.kind})`).join(", ") }));
  if (r.configs_present.length) lines.push(t("picgoPresent", { list: r.configs_present.join(", ") }));
  if (r.configs_skipped.length) lines.push(t("picgoSkipped", { list: r.configs_skipped.join("; ") }));
  if (r.not_taken.length) lines.push(t("picgoNotTaken", { list: r.not_taken.join("; ") }));
  if (r.settings.length) lines.push(t("picgoSettings", { list: r.settings.join(", ") }));
  if (r.records_added || r.records_present) {
    lines.push(t("picgoAlbum", { added: r.records_added, present: r.records_present }));
  }
  for (const u of r.unknown_types) {
    lines.push(t("picgoUnknown", { type: u.picgo_type, configs: u.configs, records: u.records }));
  }
  return lines.length ? lines : [t("picgoNothing")];
}
