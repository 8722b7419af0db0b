/**
 * Where the provider finds its credentials: values handed to `configure()` by
 * the engine (stack config), else the environment, read at call time. Nothing
 * here is captured when the provider is serialized into state.
 */
import { ConfigurationError } from "./errors";

/** What `configure()` received from stack config, by fully qualified key. */
export type ConfiguredValues = Record<string, string | undefined>;

export interface ServiceSettings {
  /** Shown in messages, e.g. "Portkey". */
  service: string;
  /** What the credential is called, e.g. "admin key". */
  credential: string;
  /** Config key of the secret credential, e.g. "portkey:apiKey". */
  keyConfig: string;
  keyEnv: string;
  baseUrlConfig: string;
  baseUrlEnv: string;
  defaultBaseUrl: string;
}

export interface Connection {
  service: string;
  apiKey: string;
  /** Without a trailing slash. */
  baseUrl: string;
}

/** The stack config keys a service's provider keeps from `configure()`. */
export function configKeysOf(settings: ServiceSettings): readonly string[] {
  return [settings.keyConfig, settings.baseUrlConfig];
}

export function resolveConnection(settings: ServiceSettings, configured: ConfiguredValues | undefined): Connection {
  const apiKey = configured?.[settings.keyConfig] || process.env[settings.keyEnv];
  if (!apiKey) {
    throw new ConfigurationError(
      `No ${settings.service} ${settings.credential}: set it with \`pulumi config set --secret ${settings.keyConfig} <key>\` ` +
        `or the environment variable ${settings.keyEnv}.`,
    );
  }
  const rawBaseUrl = configured?.[settings.baseUrlConfig] || process.env[settings.baseUrlEnv] || settings.defaultBaseUrl;
  return { service: settings.service, apiKey, baseUrl: checkedBaseUrl(settings, rawBaseUrl) };
}

/** https anywhere; plain http only to this machine (an emulator), so keys never cross a network unencrypted. */
function checkedBaseUrl(settings: ServiceSettings, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(`${settings.baseUrlConfig} (or ${settings.baseUrlEnv}) is not a URL: '${raw}'.`);
  }
  const loopback = url.hostname === "localhost" || url.hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol === "http:" && !loopback) {
    throw new ConfigurationError(
      `${settings.baseUrlConfig} (or ${settings.baseUrlEnv}) uses plain http to ${url.hostname}; ` +
        "use https, or http only to a loopback address such as the local emulator.",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigurationError(`${settings.baseUrlConfig} must be an http(s) URL, not '${url.protocol}'.`);
  }
  return url.toString().replace(/\/+$/, "");
}
