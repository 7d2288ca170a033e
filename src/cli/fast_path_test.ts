import assert from "node:assert/strict";
import { createEmulatedCli } from "../testing/emulated.ts";
import { runWithCommander } from "./app.ts";
import { matchFastPath } from "./fast_path.ts";
import { runCli } from "./run.ts";

Deno.test("matchFastPath recognises only the everyday forms", () => {
  assert.deepEqual(matchFastPath(["auth", "key"]), { command: "auth key", force: false });
  assert.deepEqual(matchFastPath(["auth", "key", "-f"]), { command: "auth key", force: true });
  assert.deepEqual(matchFastPath(["auth", "status", "--offline", "--json"]), {
    command: "auth status",
    json: true,
    offline: true,
  });
  assert.deepEqual(matchFastPath(["auth", "logout", "-f"]), {
    command: "auth logout",
    force: true,
  });
  assert.equal(matchFastPath(["auth", "logout", "--revoke"]), undefined);
  for (
    const args of [
      ["auth", "key", "--help"],
      ["help"],
      ["--help", "auth"],
      ["auth", "key", "--forc"],
      ["auth", "key", "extra"],
      ["auth", "status", "--force"],
      ["auth", "configure", "--api-key", "x"],
      ["auth", "KEY"],
      ["key"],
    ]
  ) {
    assert.equal(matchFastPath(args), undefined, args.join(" "));
  }
});

Deno.test("the fast path and commander give the same output and exit code", async (t) => {
  // `lua` and `lua auth` alone are answered by the fast path only (commander prints the same help
  // on stderr for them; see app_test.ts).
  const lines = [
    ["--help"],
    ["-h"],
    ["auth", "--help"],
    ["auth", "-h"],
    ["--version"],
    ["-v"],
    ["auth", "key", "--force"],
    ["auth", "key", "-f"],
    ["auth", "key"],
    ["auth", "status"],
    ["auth", "status", "--json"],
    ["auth", "status", "--json", "--offline"],
    ["auth", "logout"],
    ["auth", "logout", "--force"],
    ["auth", "logout", "--force", "--revoke"],
    ["telemetry", "status"],
  ];
  for (const withKey of [false, true]) {
    for (const args of lines) {
      await t.step(`${withKey ? "key" : "no key"}: ${args.join(" ")}`, async () => {
        const runs = [];
        for (const run of [runCli, runWithCommander]) {
          const e = createEmulatedCli();
          if (withKey) {
            const apiKey = await e.issueKey("a@example.com");
            e.cli.fs.putDir("/home/user/.lua-cli", 0o700);
            e.cli.fs.putFile("/home/user/.lua-cli/credentials", apiKey);
          }
          const record = await run(args, e.cli);
          runs.push({
            record,
            stdout: e.cli.io.stdout.replace(/api_[…\w]+/g, "KEY").replace(/key_\w+/g, "ID"),
            stderr: e.cli.io.stderr,
            requests: e.requests,
            files: e.cli.fs.paths(),
          });
        }
        assert.deepEqual(runs[0], runs[1]);
      });
    }
  }
});
