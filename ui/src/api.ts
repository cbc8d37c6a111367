// The one typed door to the Rust backend. Every `invoke` in the UI goes through this module,
// so each command's name, arguments and result type are written down exactly once, next to
// the DTOs they mirror (src-tauri/src/dto.rs).

import { invoke, isTauri } from "@tauri-apps/api/core";

/** One catalogue item as the backend sends it (`dto::CatalogueItemDto`). */
export interface CatalogueItem {
  sku: string;
  barcode: string | null;
  name: string;
  /** Integer minor units (cents). Never a float; never do arithmetic on display strings. */
  price_minor: number;
  /** ISO 4217 code, e.g. "KES". */
  currency: string;
  /** The backend's formatting, e.g. "KES 1,250.00": the one money formatter. */
  price_display: string;
  /** "standard", "zero_rated", "exempt", … */
  tax_class: string;
}

/** What the shell says about itself (`dto::AppInfoDto`). */
export interface AppInfo {
  /** "training" (sandbox, the default) or "live". */
  mode: string;
  version: string;
  db_path: string;
}

/** The error shape of every command (`dto::ApiError`). */
export interface ApiError {
  code: string;
  message: string;
}

/** Thrown when the page runs in a plain browser, outside the Malipo app. */
export class NotInAppError extends Error {
  constructor() {
    super("Malipo's screens need the Malipo app: this page was opened in a plain browser.");
    this.name = "NotInAppError";
  }
}

/** True when the page runs inside the Tauri shell, with a backend to talk to. */
export function inApp(): boolean {
  return isTauri();
}

function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<string, unknown>)["code"] === "string" &&
    typeof (value as Record<string, unknown>)["message"] === "string"
  );
}

/** Calls a backend command, turning whatever it rejects with into an `ApiError`. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  if (!inApp()) {
    throw new NotInAppError();
  }
  try {
    return await invoke<T>(command, args);
  } catch (err: unknown) {
    if (isApiError(err)) {
      throw err;
    }
    const apiError: ApiError = { code: "ipc", message: String(err) };
    throw apiError;
  }
}

/** The catalogue, sorted as the store keeps it. */
export function listCatalogue(): Promise<CatalogueItem[]> {
  return call<CatalogueItem[]>("list_catalogue");
}

/** Mode, version and database location of the running till. */
export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>("app_info");
}

/** A message for a person, whatever was thrown. */
export function describeError(err: unknown): string {
  if (err instanceof NotInAppError) {
    return err.message;
  }
  if (isApiError(err)) {
    return `${err.message} (${err.code})`;
  }
  if (err instanceof Error) {
    return err.message;
  }
  return String(err);
}
