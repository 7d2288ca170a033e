/**
 * What Deno prepares before the CLI's first line runs: every module `main.ts` can reach through
 * imports Deno can read, dynamic ones included. An `npm:` package among them cost 3 ms on
 * `lua --version` (9 ms for a one-line script; docs/benchmarks.md), so none may be there; the
 * prompts are loaded by a
 * specifier Deno cannot read ahead (`PROMPTS_SPECIFIER` in `src/cli/io.ts`).
 */

import assert from "node:assert/strict";
import { run } from "../testing/process.ts";
import { MAIN, ROOT } from "./_helpers.ts";

interface Dependency {
  specifier: string;
  code?: { specifier: string };
}

Deno.test("main.ts: no npm package in the module graph Deno prepares at start-up", async () => {
  const info = await run(Deno.execPath(), ["info", "--json", MAIN], { cwd: ROOT });
  assert.equal(info.code, 0, info.stderr);
  const graph = JSON.parse(info.stdout) as {
    modules: { specifier: string; dependencies?: Dependency[] }[];
  };
  const local = graph.modules.filter((m) => m.specifier.startsWith("file:"));
  assert.ok(local.length > 20, `the graph lists the CLI's modules (${local.length})`);
  const npm = local.flatMap((m) =>
    (m.dependencies ?? []).filter((d) => d.code?.specifier.startsWith("npm:"))
      .map((d) => `${m.specifier.slice(`file://${ROOT}`.length)} imports ${d.code?.specifier}`)
  );
  assert.deepEqual(npm, []);
});
