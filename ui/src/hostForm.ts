// The host config form: its values as text per field, and the checks made while typing (the
// Rust side checks again on save, with the same rules as the CLI).
import type { FieldSpec, HostView, KindInfo } from "./api";
import { t } from "./i18n";

export type FormValues = Record<string, string>;

/** Text for a stored value: lists (config names) joined by commas, JSON objects
 * pretty-printed, everything else as written. */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.map(String).join(", ");
  if (typeof v === "object") return JSON.stringify(v, null, 2);
  return String(v);
}

/** The config names in a list typed as text ("a, b"). */
export function namesOf(text: string): string[] {
  return [...new Set(text.split(",").map((n) => n.trim()).filter((n) => n))];
}

/** The list with `name` put in or taken out, as text. */
export function toggleName(text: string, name: string, on: boolean): string {
  const names = namesOf(text).filter((n) => n !== name);
  if (on) names.push(name);
  return names.join(", ");
}

/** The form's starting values: a config's settings, or empty fields for a new one. */
export function initialValues(kind: KindInfo, host?: HostView): FormValues {
  const values: FormValues = {};
  for (const f of kind.fields) values[f.key] = host ? valueText(host.settings[f.key]) : "";
  return values;
}

/** What is wrong with one field's text, or null. */
export function fieldProblem(f: FieldSpec, raw: string): string | null {
  const text = raw.trim();
  if (!text) return f.required && f.default === null ? t("fieldRequired") : null;
  switch (f.kind) {
    case "url": {
      if (f.key !== "url" || !text.includes("{filename}")) {
        try {
          const u = new URL(text);
          if (u.protocol !== "http:" && u.protocol !== "https:") return t("fieldHttpUrl");
        } catch {
          return t("fieldUrl");
        }
      }
      return null;
    }
    case "json":
    case "secretjson": {
      try {
        const v = JSON.parse(text);
        if (typeof v !== "object" || v === null || Array.isArray(v)) return t("fieldJsonObject");
      } catch (e) {
        return t("fieldJson", { error: (e as Error).message });
      }
      return null;
    }
    case "number":
      return Number.isFinite(Number(text)) && Number(text) > 0 ? null : t("fieldNumber");
    case "choice":
      return f.options.includes(text) ? null : t("fieldChoice", { options: f.options.join(", ") });
    case "bool":
      return text === "true" || text === "false" ? null : t("fieldChoice", { options: "true, false" });
    default:
      return null;
  }
}

/** Every field's problem, by key (only fields that have one). */
export function formProblems(kind: KindInfo, name: string, values: FormValues): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!name.trim()) problems.name = t("fieldRequired");
  for (const f of kind.fields) {
    const p = fieldProblem(f, values[f.key] ?? "");
    if (p) problems[f.key] = p;
  }
  return problems;
}

/** The field a message from Rust is about: its messages name a field as "Label (key) …". */
export function fieldOfError(message: string, keys: string[]): string | null {
  return keys.find((k) => message.includes(`(${k})`)) ?? null;
}

/** A config's settings in a few words for its row: where it uploads (servers by host name,
 * buckets, folders, repositories) and its mirrors; secrets and switches are left out. */
export function hostSummary(kind: KindInfo, host: HostView): string {
  const parts: string[] = [];
  let mirrors: string[] = [];
  for (const f of kind.fields) {
    const text = valueText(host.settings[f.key]).trim();
    if (!text) continue;
    if (f.kind === "hosts") mirrors = namesOf(text);
    else if (f.kind === "url") {
      try {
        parts.push(new URL(text).host);
      } catch {
        parts.push(text);
      }
    } else if (f.kind === "text") parts.push(text);
  }
  const shown = [...new Set(parts)].slice(0, 3);
  if (mirrors.length) shown.push(t("hostMirrorsTo", { names: mirrors.join(", ") }));
  return shown.join(" · ");
}
