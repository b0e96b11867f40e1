// The one module that talks to the Rust side. Every command has a typed wrapper here;
// errors arrive as {kind, message, template, args} and are rethrown as ApiError, its message
// in the user's language.
import { Channel, convertFileSrc, invoke } from "@tauri-apps/api/core";
import { say, type Msg } from "./msg";
import type { Processed, RowNote } from "./processed";

/** Core's one list of error kinds (pixdrop_core::error::ErrorKind). */
export type ErrorKind =
  | "input" | "file" | "config" | "auth" | "rate_limited" | "too_large" | "refused" | "http"
  | "bad_response" | "timeout" | "network" | "not_found" | "unsupported" | "storage" | "io"
  | "internal";

export type { Msg };

/** An error as Rust sends it: its kind, its English message, and the template and arguments
 *  that say it in another language. */
export interface ApiErrorShape {
  kind: ErrorKind;
  message: string;
  template?: string;
  args?: Record<string, string | Msg>;
}

/** The message of an error as a [`Msg`], to say it in the user's language. */
export function errorMsg(e: ApiErrorShape): Msg {
  return { text: e.message, template: e.template, args: e.args };
}

/** An error's message in the user's language. */
export function sayError(e: ApiErrorShape | null | undefined): string {
  return e ? say(errorMsg(e)) : "";
}

export class ApiError extends Error {
  readonly kind: ErrorKind;
  readonly msg: Msg;
  constructor(e: ApiErrorShape) {
    super(sayError(e));
    this.kind = e.kind;
    this.msg = errorMsg(e);
  }
}

function isErrorShape(e: unknown): e is ApiErrorShape {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    if (isErrorShape(e)) throw new ApiError(e);
    throw new ApiError({ kind: "internal", message: String(e) });
  }
}

export interface UploadRecord {
  id: number;
  host_kind: string;
  config_name: string;
  file_name: string;
  stored_name: string;
  url: string;
  delete_handle: string | null;
  size: number;
  width: number | null;
  height: number | null;
  sha256: string | null;
  created_at: number;
  /** Shared by the records of one upload to several hosts (a config and its mirrors). */
  mirror_group: string | null;
  /** The host's own link, when a URL rewrite rule changed `url`. */
  origin_url: string | null;
}

/** A URL rewrite rule (PicGo's): where `match` matches a new link, `replace` takes its place. */
export interface UrlRule {
  match: string;
  replace: string;
  enabled: boolean;
  global: boolean;
  ignore_case: boolean;
}

export type UrlRuleEdit =
  | { op: "add"; rule: UrlRule; at: number | null }
  | { op: "remove"; n: number; expect: UrlRule | null }
  | { op: "enable"; n: number; on: boolean; expect: UrlRule | null };

/** What the rules made of a link: the rule (from 1) that matched, the host's link when changed. */
export interface Rewritten {
  url: string;
  origin: string | null;
  rule: number | null;
  note: Msg | null;
}

export interface ServerStatus {
  enabled: boolean;
  port: number | null;
  error: Msg | null;
}

export interface Overview {
  version: string;
  config_file: string;
  album_file: string;
  default_host: string | null;
  hosts: number;
  uploads: number;
  recent: UploadRecord[];
  server: ServerStatus;
  /** Bytes of the local copies of what was sent (setting `keep_originals`). */
  originals_bytes: number;
}

export interface SxcuImported {
  name: string;
  file: string;
  /** Nothing was added: `name` is taken, and this free name is offered instead. */
  taken_suggestion: string | null;
}

export interface PicgoReport {
  sources: string[];
  configs_added: { name: string; kind: string; from: string }[];
  configs_present: string[];
  configs_skipped: string[];
  not_taken: string[];
  settings: string[];
  default_host: string | null;
  records_added: number;
  records_present: number;
  unknown_types: { picgo_type: string; configs: number; records: number }[];
}

export type FieldKind = "text" | "secret" | "url" | "choice" | "json" | "secretjson" | "number" | "bool" | "hosts";

export interface FieldSpec {
  key: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  default: string | null;
  options: string[];
  help: string;
  /** A value a field could have (the input's placeholder). */
  example: string;
}

export interface KindInfo {
  kind: string;
  label: string;
  fields: FieldSpec[];
  can_delete: boolean;
  /** Its upload history can be imported into the album. */
  can_sync: boolean;
  /** A config of it can be where Pixdrop syncs configs, settings and the album through. */
  can_hold_sync: boolean;
}

export interface HostView {
  name: string;
  kind: string;
  default: boolean;
  settings: Record<string, unknown>;
}

export interface HostSave {
  original: string | null;
  /** The config whose secrets the form shows masked (edited or duplicated). */
  secretsFrom: string | null;
  name: string;
  kind: string;
  values: Record<string, string>;
  makeDefault: boolean;
}

/** What deleting a host config would do / did. */
export interface HostRemoval {
  name?: string;
  is_default?: boolean;
  was_default?: boolean;
  new_default: string | null;
  records: number;
}

export type UploadStatus = "waiting" | "uploading" | "done" | "failed";
export type UploadSource = "drop" | "dialog" | "clipboard" | "url" | "shortcut" | "tray" | "server" | "open";

export interface Retrying {
  attempt: number;
  of: number;
  wait_ms: number;
  why: Msg;
}

export interface UploadRow {
  id: number;
  batch: number;
  seq: number;
  name: string;
  source: UploadSource;
  status: UploadStatus;
  sent: number;
  total: number;
  thumb: string | null;
  link: string | null;
  url: string | null;
  record_id: number | null;
  duplicate: boolean;
  /** Said besides the link: the config's host failed (the link is a mirror's), a mirror failed. */
  notes: RowNote[];
  /** The other hosts that have the image. */
  also_on: string[];
  /** What was done to the file before it was sent (metadata removed), in words. */
  processed: Processed | null;
  error: ApiErrorShape | null;
  retry: Retrying | null;
}

export interface BatchDone {
  source: UploadSource;
  uploaded: number;
  /** Of `uploaded`, those the album had already (their old link is given). */
  duplicates: number;
  failed: number;
  copied: string | null;
  copy_error: Msg | null;
}

export interface ShortcutStatus {
  shortcut: string;
  registered: boolean;
  error: Msg | null;
  /** "x11": the app's own key grab; "portal": the desktop's GlobalShortcuts portal (Wayland). */
  method: "x11" | "portal" | "";
  /** The portal's own words for the binding. */
  portal_trigger: string | null;
  /** Why the X11 grab is used on a Wayland desktop, and what that means. */
  note: Msg | null;
}

export type UiEvent =
  | { type: "upload"; row: UploadRow }
  | { type: "uploads-finished"; batch: BatchDone }
  | { type: "drop-hover"; on: boolean }
  | { type: "album-changed" }
  | { type: "link-check"; done: number; total: number; finished: boolean }
  | { type: "move"; result: MoveResult; done: number; total: number }
  | { type: "config-changed" }
  | { type: "notice"; error: ApiErrorShape }
  | { type: "shortcut"; status: ShortcutStatus }
  | { type: "server"; status: ServerStatus }
  | { type: "note-offer"; offer: NoteOffer }
  | { type: "sync"; state: SyncState };

/** A note dropped on the window: its name(s), the local images it names, those missing. */
export interface NoteOffer {
  id: number;
  notes: string[];
  images: number;
  /** The files that would be sent. */
  files: string[];
  missing: number;
}

/** What uploading a note's local images did. */
export interface NoteDone {
  uploaded: number;
  rewritten: number;
  notes_changed: number;
  backup_dir: string | null;
  problems: Msg[];
}

export type LinkFormat = "markdown" | "html" | "url" | "ubb" | "custom";
export const LINK_FORMATS: LinkFormat[] = ["markdown", "html", "url", "ubb", "custom"];
export type RenameMode = "none" | "timestamp" | "pattern";
export type Theme = "system" | "light" | "dark";
export type WatermarkPosition = "top-left" | "top-right" | "bottom-left" | "bottom-right" | "center";
export const WATERMARK_POSITIONS: WatermarkPosition[] = ["top-left", "top-right", "bottom-left", "bottom-right", "center"];

/** The sample photo before and after the image settings (Settings → Images). */
export interface ImagePreview {
  before: string;
  after: string;
  size_before: number;
  size_after: number;
  type_before: string;
  type_after: string;
  /** What the settings did to the sample; null: it would go as it is. */
  done: Processed | null;
}

// Every image the window shows comes from Rust through the `thumb:` protocol (the CSP allows
// no http: or https: images): an album record's thumbnail, and its original for Details.
const imageBase = () => convertFileSrc("", "thumb");
export const albumThumb = (id: number) => `${imageBase()}album/${id}`;
export const albumOriginal = (id: number) => `${imageBase()}original/${id}`;

export interface Settings {
  link_format: LinkFormat;
  custom_link: string;
  auto_copy: boolean;
  notify: boolean;
  rename: RenameMode;
  rename_pattern: string;
  strip_metadata: boolean;
  convert_to: "none" | "webp" | "avif" | "jpeg" | "png";
  quality: number;
  max_width: number;
  max_height: number;
  fit_host_limit: boolean;
  watermark_text: string;
  watermark_position: WatermarkPosition;
  watermark_opacity: number;
  watermark_font: string;
  thumbnail_cache_mb: number;
  keep_originals: boolean;
  originals_cap_mb: number;
  timeout_secs: number;
  retries: number;
  concurrency: number;
  proxy: string;
  server_enabled: boolean;
  server_port: number;
  server_secret: string;
  server_allowed_origins: string;
  /** An editor's delete through the server (`POST /delete`) also deletes on the host. */
  server_delete_remote: boolean;
  shortcut: string;
  close_to_tray: boolean;
  autostart: boolean;
  language: "" | "en" | "zh-CN";
  theme: Theme;
  /** The storage config this computer syncs through (empty: sync is off). */
  sync_config: string;
  /** The sync's folder in that storage. */
  sync_path: string;
  /** The sync's passphrase, masked. */
  sync_passphrase: string;
  /** Sync by itself: at start, a little after each change, every 10 minutes. */
  sync_auto: boolean;
}

export interface SettingsView {
  settings: Settings;
  shortcut: ShortcutStatus;
  server: ServerStatus;
  autostart: boolean | null;
  default_host: string | null;
  hosts: string[];
}

export interface AlbumQuery {
  search: string | null;
  config: string | null;
  sort: "newest" | "oldest" | "name";
  limit: number;
  offset: number;
  /** Only records whose link's last check found it broken. */
  broken: boolean;
}

export type LinkStatus = "ok" | "gone" | "changed" | "unreachable";

/** The last check of a record's link. */
export interface RecordCheck {
  id: number;
  status: LinkStatus;
  /** What was seen ("HTTP 404", "text/html, not an image", the network error). */
  detail: Msg | null;
  /** Unix time in milliseconds. */
  checked_at: number;
}

export interface AlbumPageData {
  total: number;
  offset: number;
  records: UploadRecord[];
  checks: RecordCheck[];
}

export type MoveStatus = "moved" | "already_moved" | "would_move" | "lost" | "failed" | "skipped";

/** One image's move ("Move to…"). */
export interface MoveResult {
  id: number;
  file_name: string;
  config_name: string;
  url: string;
  status: MoveStatus;
  /** Where the bytes came from ("its link", "mirror NAME: URL"). */
  source: Msg | null;
  new_id: number | null;
  new_url: string | null;
  /** The old copy was deleted on its host. */
  old_deleted: boolean;
  /** Why it is lost, failed or skipped. */
  detail: Msg | null;
}

export interface MoveReport {
  to: string;
  dry_run: boolean;
  results: MoveResult[];
}

/** What "Check links" found, counted. */
export interface CheckSummary {
  checked: number;
  ok: number;
  gone: number;
  changed: number;
  unreachable: number;
  cancelled: boolean;
}

export interface DeleteResult {
  id: number;
  ok: boolean;
  error: ApiErrorShape | null;
}

export interface SyncReport {
  imported: number;
  already_there: number;
  pages: number;
}

/** What one sync of Settings → Sync did (core's sync::Report). */
export interface SyncRound {
  sent: number;
  sent_bytes: number;
  received: { configs: number; settings: number; records: number; deleted: number };
  read_bytes: number;
  machines: number;
  compacted: boolean;
  /** Objects refused (changed on the storage, sealed under another key), in English. */
  refused: string[];
}

/** How the app's last sync ended. */
export interface SyncResult {
  /** Unix ms. */
  at: number;
  /** It ran by itself. */
  auto: boolean;
  report: SyncRound | null;
  error: ApiErrorShape | null;
}

/** Running now, and the last sync since the app started. */
export interface SyncState {
  running: boolean;
  last: SyncResult | null;
}

/** Where sync stands on this computer. */
export interface SyncView {
  /** Sync is set up on this computer. */
  on: boolean;
  /** The storage config; empty when sync is off. */
  config: string;
  path: string;
  machine: string | null;
  /** Computers in the sync (when the storage was asked). */
  machines: number | null;
  machines_error: ApiErrorShape | null;
  /** When the last sync ended (Unix ms). */
  last_sync: number | null;
  /** Changes made here and not sent yet. */
  pending: number;
  run: SyncState;
}

export const api = {
  /** Opens the one channel every update from Rust arrives on. */
  subscribe: (onEvent: (e: UiEvent) => void) => {
    const channel = new Channel<UiEvent>();
    channel.onmessage = onEvent;
    return call<void>("events_subscribe", { channel });
  },
  /** After the first paint: Rust shows the window (unless started hidden, at login). */
  uiReady: () => call<void>("ui_ready"),
  uploadsList: () => call<UploadRow[]>("uploads_list"),
  /** Opens the native file dialog; the new row ids (none when cancelled). */
  uploadPick: () => call<number[]>("upload_pick"),
  uploadClipboard: () => call<number[]>("upload_clipboard"),
  uploadUrl: (url: string) => call<number[]>("upload_url", { url }),
  uploadRetry: (id: number) => call<void>("upload_retry", { id }),
  uploadDismiss: (ids: number[]) => call<void>("upload_dismiss", { ids }),
  uploadCopy: (id: number) => call<string>("upload_copy", { id }),
  settingsGet: () => call<SettingsView>("settings_get"),
  settingsSet: (key: keyof Settings, value: string) => call<SettingsView>("settings_set", { key, value }),
  linkPreview: (format: LinkFormat, template: string) => call<string>("link_preview", { format, template }),
  urlRewriteList: () => call<UrlRule[]>("url_rewrite_list"),
  urlRewriteChange: (edit: UrlRuleEdit) => call<UrlRule[]>("url_rewrite_change", { edit }),
  urlRewritePreview: (rules: UrlRule[], sample: string) => call<Rewritten>("url_rewrite_preview", { rules, sample }),
  renamePreview: (mode: RenameMode, pattern: string) => call<string>("rename_preview", { mode, pattern }),
  /** The sample photo through the saved image settings. */
  imagePreview: () => call<ImagePreview>("image_preview"),

  overview: () => call<Overview>("overview"),
  /** Opens a native file dialog; null when cancelled. */
  /** Pick an .sxcu and import it; with `asName`, import the file picked last under that name. */
  importSxcu: (asName: string | null = null) => call<SxcuImported | null>("import_sxcu", { asName }),
  /** Opens a native folder dialog; null when cancelled. */
  importPicgo: () => call<PicgoReport | null>("import_picgo"),
  hostKinds: () => call<KindInfo[]>("host_kinds"),
  /** `reveal` gives secrets in full, for the edit form (which masks them itself). */
  hostsList: () => call<HostView[]>("hosts_list"),
  hostSecret: (name: string, key: string) => call<string>("host_secret", { name, key }),
  hostSave: (h: HostSave) => call<void>("host_save", { ...h }),
  hostRemovalPreview: (name: string) => call<HostRemoval>("host_removal_preview", { name }),
  hostRemove: (name: string) => call<HostRemoval>("host_remove", { name }),
  hostRestore: () => call<string>("host_restore"),
  hostSetDefault: (name: string) => call<void>("host_set_default", { name }),
  hostTest: (name: string) => call<Msg>("host_test", { name }),
  albumPage: (query: AlbumQuery) => call<AlbumPageData>("album_page", { query }),
  /** Ids of the query's records offset..offset+limit; limit 0 means all. */
  albumIds: (query: AlbumQuery) => call<number[]>("album_ids", { query }),
  albumConfigs: () => call<{ name: string; count: number }[]>("album_configs"),
  /** Copies the links (one per line) and returns the text. */
  albumCopy: (ids: number[], format: LinkFormat) => call<string>("album_copy", { ids, format }),
  albumDelete: (ids: number[], remote: boolean, mirrors: boolean) =>
    call<DeleteResult[]>("album_delete", { ids, remote, mirrors }),
  albumMirrors: (id: number) => call<UploadRecord[]>("album_mirrors", { id }),
  albumSync: (name: string) => call<SyncReport>("album_sync", { name }),
  albumOpen: (id: number) => call<void>("album_open", { id }),
  /** Checks the links of every record the query matches; progress comes as link-check events. */
  linksCheck: (query: AlbumQuery) => call<CheckSummary>("links_check", { query }),
  linksCheckCancel: () => call<void>("links_check_cancel"),
  /** Each image's result also comes as a move event as it is done. */
  albumMove: (ids: number[], to: string, deleteOld: boolean, dryRun: boolean) =>
    call<MoveReport>("album_move", { ids, to, deleteOld, dryRun }),
  /** Upload the local images of the note offered as `id` and update the note. */
  noteLocalize: (id: number) => call<NoteDone>("note_localize", { id }),
  noteDismiss: (id: number) => call<void>("note_dismiss", { id }),
  /** Join the sync in `path` of the storage config, or start one; true when it was started. */
  syncSetup: (config: string, path: string, passphrase: string) =>
    call<boolean>("sync_setup", { config, path: path.trim() || null, passphrase }),
  /** Waits for a sync that runs, then syncs. */
  syncNow: () => call<SyncRound>("sync_now"),
  /** `machines`: also ask the storage how many computers sync. */
  syncStatus: (machines: boolean) => call<SyncView>("sync_status", { machines }),
  syncOff: () => call<void>("sync_off"),
  /** Change the sync's passphrase, or take the one changed on another computer; true: changed here. */
  syncPassphrase: (passphrase: string) => call<boolean>("sync_passphrase", { passphrase }),
};
