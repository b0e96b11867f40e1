// The one module that talks to the Rust side. Every command has a typed wrapper here;
// errors arrive as {kind, message} and are rethrown as ApiError.
import { invoke } from "@tauri-apps/api/core";

export interface ApiErrorShape {
  kind: string;
  message: string;
}

export class ApiError extends Error {
  readonly kind: string;
  constructor(e: ApiErrorShape) {
    super(e.message);
    this.kind = e.kind;
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
}

export interface ServerStatus {
  enabled: boolean;
  port: number | null;
  error: string | null;
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
}

export interface SxcuImported {
  name: string;
  file: string;
}

export interface PicgoReport {
  sources: string[];
  configs_added: { name: string; kind: string; from: string }[];
  configs_present: string[];
  configs_skipped: string[];
  settings: string[];
  default_host: string | null;
  records_added: number;
  records_present: number;
  unknown_types: { picgo_type: string; configs: number; records: number }[];
}

export type FieldKind = "text" | "secret" | "url" | "choice" | "json" | "secretjson" | "number" | "bool";

export interface FieldSpec {
  key: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  default: string | null;
  options: string[];
  help: string;
}

export interface KindInfo {
  kind: string;
  label: string;
  fields: FieldSpec[];
  can_delete: boolean;
  can_sync: boolean;
}

export interface HostView {
  name: string;
  kind: string;
  default: boolean;
  settings: Record<string, unknown>;
}

export interface HostSave {
  original: string | null;
  name: string;
  kind: string;
  values: Record<string, string>;
  makeDefault: boolean;
}

export const api = {
  overview: () => call<Overview>("overview"),
  /** Opens a native file dialog; null when cancelled. */
  importSxcu: () => call<SxcuImported | null>("import_sxcu"),
  /** Opens a native folder dialog; null when cancelled. */
  importPicgo: () => call<PicgoReport | null>("import_picgo"),
  hostKinds: () => call<KindInfo[]>("host_kinds"),
  /** `reveal` gives secrets in full, for the edit form (which masks them itself). */
  hostsList: (reveal = false) => call<HostView[]>("hosts_list", { reveal }),
  hostSave: (h: HostSave) => call<void>("host_save", { ...h }),
  hostRemove: (name: string) => call<void>("host_remove", { name }),
  hostSetDefault: (name: string) => call<void>("host_set_default", { name }),
  hostTest: (name: string) => call<string>("host_test", { name }),
};
