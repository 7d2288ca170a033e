/**
 * The authentication core of the Lua CLI, as a library: find the API key the CLI would use,
 * read and write `~/.lua-cli/credentials` safely (and read a `LUA_API_KEY_FILE` secret), and
 * talk to the platform's auth API.
 *
 * Everything that touches the outside world goes through a {@linkcode Context};
 * {@linkcode denoContext} is the real one on Deno (`nodeContext` of `@lua/cli/node` on Node).
 * Nothing here prints or exits: failures are typed
 * errors ({@linkcode LuaError} and its subclasses) that carry an exit code and hints.
 *
 * Needs `--allow-env`, `--allow-read`, `--allow-write` (for storing a key) and `--allow-net`
 * (for the client).
 *
 * @example Which key would the CLI use?
 * ```ts
 * import { denoContext, describeSource, maskKey, resolveApiKey } from "./mod.ts";
 *
 * const resolved = await resolveApiKey(denoContext());
 * if (resolved) console.log(maskKey(resolved.key), "from", describeSource(resolved.source));
 * else console.log("No API key found.");
 * ```
 *
 * @module
 */

export {
  type Context,
  denoContext,
  type Fetch,
  type FetchInit,
  type FetchResponse,
  type FileInfo,
  type FileSystem,
  type WriteOptions,
} from "./src/context.ts";
export {
  API_KEY_VARIABLE,
  describeSource,
  type KeySource,
  listKeySources,
  type ListOptions,
  resolveApiKey,
  type ResolvedApiKey,
  type SourceReport,
} from "./src/resolve.ts";
export {
  API_KEY_FILE_VARIABLE,
  deleteCredentials,
  parseCredentials,
  readApiKeyFile,
  readCredentials,
  type ReadOptions,
  type StoredKey,
  writeCredentials,
} from "./src/credentials.ts";
export {
  DOTENV_SETTINGS,
  type DotenvSetting,
  envWithDotenvSettings,
  parseDotenvKey,
  readDotenvKey,
  readDotenvSettings,
} from "./src/dotenv.ts";
export { deleteSessions, listSessions, sessionsDir } from "./src/sessions.ts";
export { FsError, type FsErrorCode, isFsError } from "./src/fs_error.ts";
export { absolutePath, configDir, credentialsPath, homeDir } from "./src/paths.ts";
export {
  type Account,
  type ClientOptions,
  createClient,
  DEFAULT_API_URL,
  DEFAULT_AUTH_URL,
  type LuaClient,
  MAX_RESPONSE_BYTES,
  MAX_RETRY_AFTER_SECONDS,
  retryAfterSeconds,
} from "./src/client.ts";
export { ADMIN_DASHBOARD_URL } from "./src/seed_text.ts";
export {
  type KeyKind,
  keyKind,
  TYPED_API_KEY,
  validateApiKey,
  validateEmail,
  validateOtp,
} from "./src/validate.ts";
export { detectRuntime, type Runtime } from "./src/runtime.ts";
export { maskKey } from "./src/mask.ts";
export {
  AuthenticationError,
  BurnedOtpError,
  ExitCode,
  type ExitCodeValue,
  ExpiredError,
  FileError,
  InterruptedError,
  InvalidInputError,
  InvalidOtpError,
  LuaError,
  type LuaErrorOptions,
  NoApiKeyError,
  PermissionError,
  RateLimitedError,
  UnavailableError,
  UsageError,
} from "./src/errors.ts";
export {
  type AnyJson,
  type CodeSentJson,
  type ConfiguredJson,
  type ConfigureJson,
  type ErrorCode,
  errorCode,
  JSON_SCHEMA_VERSION,
  type JsonError,
  type JsonHeader,
  type KeyJson,
  type LogoutJson,
  type SourceJson,
  type StatusJson,
  type StatusReport,
  type StatusSource,
} from "./src/json.ts";
