import assert from "node:assert/strict";
import { FAKE_LUA, ignoreWithoutNode } from "./_testing.ts";
import { TYPED_API_KEY } from "../src/validate.ts";
import { withConformanceWorld } from "./world.ts";

const ignore = ignoreWithoutNode("world_test");
const EMAIL = "ada@example.com";

Deno.test({
  name: "world: the real client reaches the emulator, which logs each status and sign-in token",
  ignore,
  async fn() {
    await withConformanceWorld(FAKE_LUA, async (world) => {
      const sent = await world.real(["otp", EMAIL]);
      assert.equal(sent.code, 0, sent.stderr);
      const codes = await world.codes(EMAIL);
      assert.equal(codes.length, 1);
      assert.deepEqual(await world.codes("someone-else@example.com"), []);
      const response = await fetch(`${world.server.url}/otp/verify`, {
        method: "POST",
        body: JSON.stringify({ email: EMAIL, pin: codes[0], type: "email" }),
      });
      await response.body?.cancel();
      const wrong = await fetch(`${world.server.url}/otp/verify`, {
        method: "POST",
        body: JSON.stringify({ email: EMAIL, pin: "000000", type: "email" }),
      });
      await wrong.body?.cancel();
      assert.deepEqual(world.exchanges.map((e) => [e.method, e.path, e.signInToken]), [
        ["POST", "/otp", false],
        ["POST", "/otp/verify", true],
        ["POST", "/otp/verify", false],
      ]);
      assert.equal(world.exchanges[1]!.status, 200);
      assert.ok(world.exchanges[2]!.status >= 400);
    });
  },
});

Deno.test({
  name: "world: both CLIs share one HOME",
  ignore,
  async fn() {
    await withConformanceWorld(FAKE_LUA, async (world) => {
      assert.equal(await world.credentials(), undefined);
      const key = await world.mintKey("legacy");
      assert.doesNotMatch(key, TYPED_API_KEY);
      const stored = await world.real(["store", key]);
      assert.equal(stored.code, 0, stored.stderr);
      assert.equal(await world.credentials(), key);
      const shown = await world.ours(["auth", "key", "--force"]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.equal(shown.stdout, `${key}\n`);
      assert.equal(await world.telemetryFile(), undefined, "telemetry is off unless asked for");
    });
  },
});

Deno.test({
  name: "world: mintKey mints each kind in the shape the real client tells apart",
  ignore,
  async fn() {
    await withConformanceWorld(FAKE_LUA, async (world) => {
      assert.match(await world.mintKey("typed"), TYPED_API_KEY);
      assert.doesNotMatch(await world.mintKey("legacy"), TYPED_API_KEY);
      assert.notEqual(await world.mintKey("typed"), await world.mintKey("typed"));
    });
  },
});
