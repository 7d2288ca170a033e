/**
 * The command table: every group and command of the CLI, from the declarations that each
 * command module exports beside its run function. Parsing, help and completion read it.
 *
 * @module
 */

import { configureCommand } from "./auth_configure.ts";
import { keyCommand, tokenCommand } from "./auth_key.ts";
import { logoutCommand } from "./auth_logout.ts";
import { statusCommand } from "./auth_status.ts";
import type { GroupSpec } from "./command.ts";
import { completionCommand } from "./completion.ts";
import { telemetryCommand } from "./telemetry.ts";

/** `lua auth`. */
export const AUTH: GroupSpec = {
  name: "auth",
  summary: "Manage authentication with the Lua platform.",
  commands: [configureCommand, keyCommand, logoutCommand, statusCommand, tokenCommand],
  notes: [
    "Key resolution order:",
    "  1. LUA_API_KEY environment variable",
    "  2. the file LUA_API_KEY_FILE names (a mounted secret)",
    "  3. ~/.lua-cli/credentials",
    "  4. LUA_API_KEY in .env in the current directory",
  ].join("\n"),
  examples: [
    ["lua auth configure --email you@example.com"],
    ["lua auth status"],
    ["LUA_API_KEY=... lua auth status --offline --json"],
  ],
};

/** The program: `lua`. */
export const PROGRAM: GroupSpec = {
  name: "lua",
  summary: "The Lua platform CLI.",
  commands: [AUTH, completionCommand, telemetryCommand],
  notes: [
    "Exit codes: 0 ok, 1 error, 2 usage, 9 authentication, 11 platform unavailable, 130 interrupted.",
    "Environment: LUA_API_KEY, LUA_AUTH_URL, LUA_API_URL, LUA_TELEMETRY=false, NO_COLOR.",
  ].join("\n"),
};
