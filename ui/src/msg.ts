// Sentences made in Rust (core's `Msg`: English text, its template and arguments), said in the
// user's language: translations are keyed by the English template, in locales/messages.*.json
// (a Rust test fails when a template in the sources has none). Words that are not ours (a
// host's answer, a file name) come as plain text or as an argument's text and stay as they are.
import { hostText, locale, type Locale } from "./i18n";
import zhCN from "./locales/messages.zh-CN.json";

export interface Msg {
  text: string;
  template?: string;
  args?: Record<string, string | Msg>;
  /** A name from the host registry (a field's label): its key in the forms' table,
   *  "<kind>.<field>.label", found there as the form finds it ("*" for every kind's fields). */
  term?: string;
}

const tables: Partial<Record<Locale, Record<string, string>>> = { "zh-CN": zhCN as Record<string, string> };

/** A template with its arguments filled in: `{name}` is an argument, `{{`/`}}` a brace. */
function fill(template: string, args: Record<string, string | Msg>, l: Locale): string {
  return template.replace(/\{\{|\}\}|\{(\w+)\}/g, (whole: string, name: string | undefined) => {
    if (whole === "{{") return "{";
    if (whole === "}}") return "}";
    const v = args[name!];
    if (v === undefined) return whole;
    return typeof v === "string" ? v : say(v, l);
  });
}

/** The message in the user's language: its translation when there is one, else its English. */
export function say(m: Msg | string | null | undefined, l: Locale = locale.value): string {
  if (m == null) return "";
  if (typeof m === "string") return m;
  if (m.term) {
    const [kind, field, part] = m.term.split(".");
    return part === "label" || part === "help" ? hostText(kind, field, part, m.text, l) : m.text;
  }
  if (!m.template) return m.text;
  const translated = tables[l]?.[m.template];
  // English: the text Rust made (the same words; format specs already applied).
  if (translated === undefined) return m.text;
  return fill(translated, m.args ?? {}, l);
}

/** Whether a language has a translation of a template (for tests). */
export function hasTranslation(template: string, l: Locale): boolean {
  return tables[l]?.[template] !== undefined;
}
