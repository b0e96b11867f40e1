// The app settings as the UI sees them: loaded once, changed one key at a time through Rust
// (which checks, saves and applies), and the appearance — language and theme — applied here.
import { ref } from "vue";
import { api, type Settings, type SettingsView, type Theme } from "./api";
import { locale, systemLocale, type Locale } from "./i18n";

export const prefs = ref<SettingsView | null>(null);

/** The language to show: the setting, or the system's when it is empty. */
export function chooseLocale(language: Settings["language"], system: Locale = systemLocale()): Locale {
  return language === "en" || language === "zh-CN" ? language : system;
}

const darkQuery = typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : null;

/** The theme to show: the chosen one, or the system's for "system". */
export function resolveTheme(theme: Theme, systemDark = darkQuery?.matches ?? false): "light" | "dark" {
  return theme === "light" || theme === "dark" ? theme : systemDark ? "dark" : "light";
}

/** Put the language and theme on <html> (`lang`, `data-theme`, which the CSS follows). */
export function applyAppearance(s: Pick<Settings, "language" | "theme">, root: HTMLElement = document.documentElement, systemDark?: boolean): void {
  locale.value = chooseLocale(s.language);
  root.lang = locale.value;
  root.dataset.theme = resolveTheme(s.theme, systemDark);
}

// "Follow the system" follows it live.
darkQuery?.addEventListener("change", () => {
  if (prefs.value) applyAppearance(prefs.value.settings);
});

export async function loadPrefs(): Promise<SettingsView> {
  const view = await api.settingsGet();
  prefs.value = view;
  applyAppearance(view.settings);
  return view;
}

/** Set one setting; on success the new settings apply at once. Errors are thrown to the caller. */
export async function setPref(key: keyof Settings, value: string | boolean | number): Promise<SettingsView> {
  const view = await api.settingsSet(key, String(value));
  prefs.value = view;
  applyAppearance(view.settings);
  return view;
}
