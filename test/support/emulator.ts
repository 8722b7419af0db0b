/** Helpers for tests that talk to the emulator over plain HTTP. */
import { EmulatorOptions, RunningEmulator, startEmulator } from "../../emulator";

export const ADMIN_KEY = "test-admin-key-0123456789";

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** Starts an emulator for one suite (response checks on) and stops it afterwards. */
export function useEmulator(options: EmulatorOptions = {}): () => RunningEmulator {
  let emulator: RunningEmulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ adminKeys: [ADMIN_KEY], checkResponses: true, ...options });
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  return () => {
    if (!emulator) throw new Error("emulator not started");
    return emulator;
  };
}

/** One request to the Portkey API of an emulator; `body` may be a raw string. */
export function call<T = any>(
  emulator: RunningEmulator,
  method: string,
  path: string,
  body?: unknown,
  apiKey: string | null = ADMIN_KEY,
): Promise<ApiResponse<T>> {
  return send<T>(`${emulator.portkeyBaseUrl}${path}`, method, body, apiKey === null ? {} : { "x-portkey-api-key": apiKey });
}

/**
 * One request to the OpenRouter API of an emulator, with a bearer key (the
 * admin key by default: it is also a management key unless `managementKeys`
 * were given).
 */
export function callOpenRouter<T = any>(
  emulator: RunningEmulator,
  method: string,
  path: string,
  body?: unknown,
  managementKey: string | null = ADMIN_KEY,
): Promise<ApiResponse<T>> {
  return send<T>(`${emulator.openrouterBaseUrl}${path}`, method, body, managementKey === null ? {} : { authorization: `Bearer ${managementKey}` });
}

async function send<T>(url: string, method: string, body: unknown, auth: Record<string, string>): Promise<ApiResponse<T>> {
  const response = await fetch(url, {
    method,
    headers: { "content-type": "application/json", ...auth },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed as T, text, headers: response.headers };
}

/** Asserts the Portkey error envelope and returns the error code. */
export function errorCode(response: ApiResponse): string {
  expect(response.body).toEqual({ success: false, data: { message: expect.any(String), errorCode: expect.any(String) } });
  return response.body.data.errorCode;
}
