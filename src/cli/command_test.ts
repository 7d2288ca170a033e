import assert from "node:assert/strict";
import { defineCommand, isGroup, longFlag } from "./command.ts";
import { AUTH } from "./commands.ts";

Deno.test("longFlag spells camelCase names in kebab case", () => {
  assert.equal(longFlag("force"), "--force");
  assert.equal(longFlag("apiKey"), "--api-key");
  assert.equal(longFlag("someLongName"), "--some-long-name");
});

Deno.test("defineCommand keeps the declaration; isGroup tells groups from commands", async () => {
  const seen: unknown[] = [];
  const command = defineCommand({
    name: "x",
    summary: "X.",
    flags: { on: { help: "On." } },
    run: (flags) => Promise.resolve(void seen.push(flags.on)),
  });
  await command.run({ on: true }, {} as never, { argument: undefined, program: AUTH });
  assert.deepEqual(seen, [true]);
  assert.equal(isGroup(command), false);
  assert.equal(isGroup(AUTH), true);
});
