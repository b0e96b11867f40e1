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

export const api = {
  overview: () => call<Overview>("overview"),
};
