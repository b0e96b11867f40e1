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

// The shortcut's binding and the server's state are also sent as events, when they change. A
// settings view asked for before such a change can arrive after its event (a shortcut changed
// by the CLI is bound through the portal while the window reloads its settings): the event's
// status is then the newer one and is kept.
type Live = "shortcut" | "server";
const statusEvents: Record<Live, number> = { shortcut: 0, server: 0 };
const latest: Partial<Pick<SettingsView, Live>> = {};

/** A status event from Rust. */
export function statusArrived<K extends Live>(key: K, status: SettingsView[K]): void {
  statusEvents[key]++;
  latest[key] = status;
  if (prefs.value) prefs.value[key] = status;
}

/** Show the view `ask` brings, but not a status older than an event that came meanwhile. */
export async function takeView(ask: () => Promise<SettingsView>): Promise<SettingsView> {
  const before = { ...statusEvents };
  const view = await ask();
  if (statusEvents.shortcut !== before.shortcut && latest.shortcut) view.shortcut = latest.shortcut;
  if (statusEvents.server !== before.server && latest.server) view.server = latest.server;
  prefs.value = view;
  applyAppearance(view.settings);
  return view;
}

export function loadPrefs(): Promise<SettingsView> {
  return takeView(() => api.settingsGet());
}

/** Set one setting; on success the new settings apply at once. Errors are thrown to the caller. */
export function setPref(key: keyof Settings, value: string | boolean | number): Promise<SettingsView> {
  return takeView(() => api.settingsSet(key, String(value)));
}
