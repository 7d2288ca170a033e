/**
 * JSR readiness: `deno publish --dry-run` passes (no slow types) and publishes only the library
 * and CLI sources; `deno doc --lint` finds every export documented.
 */

import assert from "node:assert/strict";
import { ROOT } from "./_helpers.ts";
import { run } from "../testing/process.ts";

async function deno(args: string[]): Promise<{ code: number; output: string }> {
  const out = await run(Deno.execPath(), args, { cwd: ROOT, env: { NO_COLOR: "1" } });
  return { code: out.code, output: out.stdout + out.stderr };
}

Deno.test("deno publish --dry-run: passes, with only the library and CLI sources", async () => {
  const { code, output } = await deno(["publish", "--dry-run", "--allow-dirty"]);
  assert.equal(code, 0, output);
  assert.match(output, /Success Dry run complete/);
  // One warning, on purpose: the prompts' import hides its full npm: specifier from Deno's
  // start-up (src/cli/io.ts), so JSR cannot rewrite it, and it needs no rewriting.
  const warnings = [...output.matchAll(/^warning\[([\w-]+)\][^\n]*\n\s*--> (\S+?):\d+/gm)]
    .map((m) => `${m[1]} ${m[2]!.replace(ROOT, "")}`);
  assert.deepEqual(warnings, ["unanalyzable-dynamic-import src/cli/io.ts"]);
  assert.match(output, /import\(PROMPTS_SPECIFIER\)/);
  const root = new URL("..", import.meta.url).href;
  const published = [...output.matchAll(/file:\/\/\S+/g)].map((m) => m[0].replace(root, ""));
  for (const required of ["mod.ts", "main.ts", "LICENSE", "README.md", "src/resolve.ts"]) {
    assert.ok(published.includes(required), `${required} is published`);
  }
  for (const file of published) {
    assert.match(file, /^(mod\.ts|main\.ts|deno\.json|LICENSE|README\.md|src\/.+\.ts)$/, file);
    assert.doesNotMatch(file, /_test\.ts$|^src\/testing\//, `${file} must not be published`);
  }
});

Deno.test("deno doc --lint: every export of mod.ts and main.ts is documented", async () => {
  const { code, output } = await deno(["doc", "--lint", "mod.ts", "main.ts"]);
  assert.equal(code, 0, output);
});

Deno.test("the publish workflow parses, and publishes to JSR with OIDC and to npm with provenance", async () => {
  const { parse } = await import("yaml");
  const workflow = parse(
    await Deno.readTextFile(new URL("../.github/workflows/publish.yml", import.meta.url)),
  );
  assert.equal(workflow.permissions["id-token"], "write");
  const steps: { run?: string; uses?: string; "working-directory"?: string }[] =
    workflow.jobs.publish.steps;
  const index = (command: string) => steps.findIndex((step) => step.run?.startsWith(command));
  assert.ok(steps.some((step) => step.uses?.startsWith("actions/checkout@")));
  for (const command of ["deno task check", "deno task test", "deno publish"]) {
    assert.ok(index(command) >= 0, command);
  }
  const npmPublish = steps[index("npm publish")];
  assert.match(npmPublish?.run ?? "", /--provenance/);
  assert.equal(npmPublish?.["working-directory"], "npm");
  assert.ok(index("deno task build:npm") < index("npm publish"), "built before it is published");
  assert.ok(index("deno task test") < index("deno publish"), "tested before it is published");
});
