/**
 * `lua auth configure`: store an API key, given directly (`--api-key`), through the email
 * one-time code flow (`--email`, then `--email --otp`), or interactively.
 *
 * @module
 */

import type { Account, LuaClient } from "../client.ts";
import {
  AUTH_FAILED_HINTS,
  AuthenticationError,
  BurnedOtpError,
  ExpiredError,
  INVALID_OTP_HINTS,
  InvalidOtpError,
  RateLimitedError,
  UsageError,
} from "../errors.ts";
import {
  type CodeSentJson,
  type ConfiguredJson,
  JSON_SCHEMA_VERSION,
  type SourceJson,
} from "../json.ts";
import { maskKey } from "../mask.ts";
import { shellQuote } from "../shell_quote.ts";
import {
  AUTH_FAILED,
  CHECK_EMAIL,
  CHOOSE_METHOD,
  ENTER_API_KEY,
  ENTER_EMAIL,
  ENTER_OTP,
  GENERATING_KEY,
  INVALID_OTP,
  KEY_SAVED,
  METHOD_API_KEY,
  METHOD_EMAIL,
  OTP_SENT,
  OTP_VERIFIED,
  SENDING_OTP,
  VERIFYING_OTP,
} from "../seed_text.ts";
import { validateApiKey, validateEmail, validateOtp } from "../validate.ts";
import { describeAccount } from "./account.ts";
import { CHECKING_KEY } from "./auth_status.ts";
import { type CliContext, platformClient } from "./cli_context.ts";
import { failure, programText, say, success, warn } from "./io.ts";
import { type Command, defineCommand } from "./command.ts";

/** Options of `lua auth configure`. */
export interface ConfigureOptions {
  /** The key, or `-` to read it from stdin. */
  apiKey?: string;
  /** The address to send a code to, or that the code was sent to. */
  email?: string;
  /** The 6-digit code from the email. */
  otp?: string;
  /** Print one JSON object on stdout; never prompt. */
  json?: boolean;
}

/** What the spinner says while the code is being sent. */
export const SENDING_CODE = "Sending the code…";
/** What the spinner says while the code is being checked. */
export const VERIFYING_CODE = "Verifying the code…";
/** What the spinner says while the key is being created. */
export const CREATING_KEY = "Creating an API key…";

/** A key stored: where, and what outranks it. */
interface Stored {
  path: string;
  shadowedBy: SourceJson | null;
}

/** Which way `configure` stores a key. */
export type ConfigureMode = "api-key" | "email-request" | "email-verify" | "interactive";

/** The message after a code was sent, in the seed's words. */

const NON_INTERACTIVE_FORMS = [
  "lua auth configure --api-key <key>         # a key from the dashboard",
  "lua auth configure --api-key - < key.txt   # the key from stdin",
  "lua auth configure --email <address>       # step 1: email a 6-digit code",
  "lua auth configure --email <address> --otp <code>  # step 2: verify it and store a new key",
];

/**
 * Decides the mode from the flags, rejecting combinations that make no sense.
 *
 * @example
 * ```ts
 * import { configureMode } from "./auth_configure.ts";
 * import assert from "node:assert/strict";
 * assert.equal(configureMode({ email: "a@b.co" }), "email-request");
 * assert.throws(() => configureMode({ otp: "123456" }));
 * ```
 *
 * @param options The flags.
 * @returns The mode.
 * @throws {UsageError} For `--otp` without `--email`, or `--api-key` with `--email`/`--otp`.
 */
export function configureMode(options: ConfigureOptions): ConfigureMode {
  if (options.apiKey !== undefined && (options.email !== undefined || options.otp !== undefined)) {
    throw new UsageError("--api-key cannot be combined with --email or --otp");
  }
  if (options.otp !== undefined && options.email === undefined) {
    throw new UsageError("--otp needs --email: the address the code was sent to", {
      hints: ["lua auth configure --email <address> --otp <code>"],
    });
  }
  if (options.apiKey !== undefined) return "api-key";
  if (options.email !== undefined) {
    return options.otp === undefined ? "email-request" : "email-verify";
  }
  return "interactive";
}

function authFailed(error: AuthenticationError): AuthenticationError {
  return new AuthenticationError(AUTH_FAILED, {
    hints: AUTH_FAILED_HINTS,
    cause: error,
  });
}

/** The command that requests a code again, safe to paste into a shell. */
function requestAgain(email: string): string {
  return `lua auth configure --email ${shellQuote(email)}`;
}

function verifyFailure(error: unknown, email: string): unknown {
  if (error instanceof BurnedOtpError) {
    return new BurnedOtpError(`${INVALID_OTP}: it was locked after 5 wrong tries`, {
      hints: ["Request new OTP by running command again:", `  ${requestAgain(email)}`],
      cause: error,
    });
  }
  if (error instanceof InvalidOtpError) {
    return new InvalidOtpError(INVALID_OTP, { hints: INVALID_OTP_HINTS, cause: error });
  }
  if (error instanceof ExpiredError) {
    return new ExpiredError("The code has expired: codes expire after 10 minutes", {
      hints: [`Request a new one: ${requestAgain(email)}`],
      cause: error,
    });
  }
  return error;
}

async function saveKey(
  cli: CliContext,
  key: string,
  announce: (path: string) => void,
): Promise<Stored> {
  cli.io.addSecret(key);
  // Loaded here, not with the command table, so that only a run that stores a key pays for it.
  const [{ writeCredentials }, { resolveApiKey }] = await Promise.all([
    import("../credentials.ts"),
    import("../resolve.ts"),
  ]);
  const path = await writeCredentials(cli, key);
  announce(path);
  // LUA_API_KEY or LUA_API_KEY_FILE would shadow the key just saved: say so.
  const inUse = await resolveApiKey(cli).catch(() => undefined);
  let shadowedBy: SourceJson | null = null;
  if (inUse?.source.kind === "env" || inUse?.source.kind === "env-file") {
    warn(
      cli,
      `${inUse.source.variable} is set in your environment and takes priority over the saved key`,
    );
    shadowedBy = inUse.source.kind === "env"
      ? { kind: "env", location: inUse.source.variable }
      : { kind: "env-file", location: inUse.source.path };
  }
  return { path, shadowedBy };
}

/** The JSON of a stored key. */
function configuredJson(
  key: string,
  stored: Stored,
  how: { method: "api-key"; account: Account } | { method: "email"; email: string },
): ConfiguredJson {
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    status: "configured",
    method: how.method,
    account: how.method === "api-key" ? how.account : null,
    email: how.method === "email" ? how.email : null,
    maskedKey: maskKey(key),
    credentialsPath: stored.path,
    shadowedBy: stored.shadowedBy,
  };
}

async function storeApiKey(
  cli: CliContext,
  client: LuaClient,
  key: string,
): Promise<ConfiguredJson> {
  cli.io.addSecret(key);
  let account: Account;
  try {
    account = await cli.io.progress(CHECKING_KEY, () => client.checkKey(key));
  } catch (error) {
    throw error instanceof AuthenticationError ? authFailed(error) : error;
  }
  const stored = await saveKey(
    cli,
    key,
    (path) =>
      success(cli, `Authenticated as ${describeAccount(account)}; API key saved to ${path}`),
  );
  return configuredJson(key, stored, { method: "api-key", account });
}

async function requestCode(
  cli: CliContext,
  client: LuaClient,
  email: string,
  interactive: boolean,
): Promise<void> {
  if (interactive) say(cli, SENDING_OTP);
  try {
    await cli.io.progress(SENDING_CODE, () => client.requestOtp(email));
  } catch (error) {
    if (error instanceof RateLimitedError) {
      throw new RateLimitedError(error.later ? "later" : error.retryAfterSeconds, {
        hints: ["A code was sent to this address moments ago; check your inbox first"],
        cause: error,
      });
    }
    throw error;
  }
  say(cli, interactive ? OTP_SENT : CHECK_EMAIL);
}

async function verifyAndStore(
  cli: CliContext,
  client: LuaClient,
  email: string,
  code: string,
): Promise<ConfiguredJson> {
  cli.io.addSecret(code);
  say(cli, VERIFYING_OTP);
  let token: string;
  try {
    token = await cli.io.progress(VERIFYING_CODE, () => client.verifyOtp(email, code));
  } catch (error) {
    throw verifyFailure(error, email);
  }
  cli.io.addSecret(token);
  say(cli, OTP_VERIFIED);
  say(cli, GENERATING_KEY);
  const key = await cli.io.progress(CREATING_KEY, () => client.createApiKey(token));
  const stored = await saveKey(cli, key, (path) => say(cli, `${KEY_SAVED} (${path})`));
  return configuredJson(key, stored, { method: "email", email });
}

/** Turns a validator into a prompt's `validate`: `true`, or the error's message. */
function check(f: (v: string) => string): (value: string) => string | true {
  return (value) => {
    try {
      f(value);
      return true;
    } catch (error) {
      return (error as Error).message;
    }
  };
}

/** Asks for the key, masked as it is typed. */
async function askKey(cli: CliContext): Promise<string> {
  return validateApiKey(await cli.io.prompt.password(ENTER_API_KEY, check(validateApiKey)));
}

async function interactive(cli: CliContext): Promise<void> {
  if (!cli.io.canPrompt()) {
    const why = cli.json ? "--json never prompts" : "No terminal to ask on";
    throw new UsageError(`${why}. Use one of the non-interactive forms:`, {
      hints: NON_INTERACTIVE_FORMS,
    });
  }
  const { prompt } = cli.io;
  const method = await prompt.select(
    CHOOSE_METHOD,
    [
      { name: METHOD_API_KEY, value: "api-key" },
      { name: METHOD_EMAIL, value: "email" },
    ] as const,
  );
  if (method === "api-key") {
    await storeApiKey(cli, await platformClient(cli), await askKey(cli));
    return;
  }
  const email = validateEmail(await prompt.input(ENTER_EMAIL, check(validateEmail)));
  const client = await platformClient(cli);
  await requestCode(cli, client, email, true);
  const attempts = 3;
  for (let n = 1;; n++) {
    const code = validateOtp(await prompt.input(ENTER_OTP, check(validateOtp)));
    try {
      await verifyAndStore(cli, client, email, code);
      return;
    } catch (error) {
      if (!(error instanceof InvalidOtpError) || error instanceof BurnedOtpError) throw error;
      if (n >= attempts) throw error;
      const left = attempts - n;
      failure(cli, `${INVALID_OTP}: ${left} ${left === 1 ? "attempt" : "attempts"} left`);
    }
  }
}

async function readKeyArgument(cli: CliContext, value: string): Promise<string> {
  if (value !== "-") return validateApiKey(value);
  // Typed on a terminal, the key would be echoed as it is typed: ask for it masked instead.
  if (cli.io.stdinTerminal) {
    if (cli.io.canPrompt()) return await askKey(cli);
    throw new UsageError(
      "Cannot read the key from stdin: it is a terminal, where the key would show as it is typed" +
        (cli.json ? ", and --json never prompts" : ""),
      { hints: ['Pipe it in: printf %s "$KEY" | lua auth configure --api-key -'] },
    );
  }
  return validateApiKey(await cli.io.readStdinLine());
}

/**
 * Runs `lua auth configure`.
 *
 * @param options The flags.
 * @param cli The command run.
 * @throws {UsageError} For bad flags or input, before any request is sent.
 * @throws {AuthenticationError} For a rejected key or a wrong code.
 * @throws {UnavailableError} When the platform cannot be reached; nothing is stored.
 */
export async function runConfigure(options: ConfigureOptions, cli: CliContext): Promise<void> {
  const mode = configureMode(options);
  switch (mode) {
    case "api-key": {
      const key = await readKeyArgument(cli, options.apiKey!);
      const done = await storeApiKey(cli, await platformClient(cli), key);
      if (cli.json) cli.io.json(done);
      break;
    }
    case "email-request": {
      const email = validateEmail(options.email!);
      await requestCode(cli, await platformClient(cli), email, false);
      const next = programText(cli, `${requestAgain(email)} --otp <code>`);
      say(cli, `Then run: ${next}`);
      if (cli.json) {
        const sent: CodeSentJson = {
          schemaVersion: JSON_SCHEMA_VERSION,
          status: "code_sent",
          email,
          next,
        };
        cli.io.json(sent);
      }
      break;
    }
    case "email-verify": {
      const email = validateEmail(options.email!);
      const code = validateOtp(options.otp!);
      const done = await verifyAndStore(cli, await platformClient(cli), email, code);
      if (cli.json) cli.io.json(done);
      break;
    }
    case "interactive":
      await interactive(cli);
      break;
  }
}

/** `lua auth configure` (alias `login`), declared. */
export const configureCommand: Command = defineCommand({
  name: "configure",
  aliases: ["login"],
  summary: "Set up API key authentication.",
  flags: {
    apiKey: { value: "key", help: "Set the API key directly ('-' reads it from stdin)." },
    email: { value: "email", help: "Request a code by email (step 1 of the OTP flow)." },
    otp: {
      value: "code",
      help: "Verify the 6-digit code and generate a key (step 2, with --email).",
    },
    json: { help: "Print one JSON object on stdout; never prompt." },
  },
  examples: [
    ["lua auth configure", "interactive"],
    ['lua auth configure --api-key "$KEY"', "a key from the dashboard"],
    ['printf %s "$KEY" | lua auth configure --api-key -', "keeps the key out of argv"],
    ["lua auth configure --email you@example.com", "step 1: emails a 6-digit code"],
    ["lua auth configure --email you@example.com --otp 123456", "step 2: stores a new key"],
    ["lua auth configure --email you@example.com --json", "for scripts and agents"],
  ],
  mode: configureMode,
  run: (flags, cli) => runConfigure(flags, cli),
});
