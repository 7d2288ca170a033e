/**
 * The npm package end to end (slow: about a minute; every test here is named `slow: …`, and
 * this file holds no other). It builds the real package, `npm pack`s it, `npm install`s the
 * tarball into a temporary directory, and runs the installed `lua`, `lua-ai` and the library on
 * Node: one test, one step per check. Another test runs README's npm install lines as written.
 *
 * Needs Node, npm and npx on `PATH` and the npm registry (also for `npx -y node@18`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "npm:typescript@5.9.3";
import { run as runProcess, type RunOutput as Output } from "../testing/process.ts";
import { buildNpm, CLI_FILE, luaBuild } from "./build_npm.ts";
import { startEmulator } from "../emulator/server.ts";
import { platformEnv } from "../tests/_helpers.ts";
import { issueKey, outbox } from "../tests/_world.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DENO_JSON = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
const KEY = "api_0123456789abcdef0123456789abcdef";
const STORED_KEY = "api_storedstoredstoredstoredstored1";
const DOTENV_KEY = "api_dotenvdotenvdotenvdotenvdotenv2";
const PATH = Deno.env.get("PATH") ?? "";
const CA = Deno.env.get("NODE_EXTRA_CA_CERTS");
/** What a clean environment must keep: the registry's private CA. */
const KEEP: Record<string, string> = CA ? { NODE_EXTRA_CA_CERTS: CA } : {};

/** Runs a program in a clean environment that keeps only PATH and the registry's CA. */
function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; stdin?: string } = {},
): Promise<Output> {
  return runProcess(command, args, {
    ...options,
    cwd: options.cwd ?? ROOT,
    clearEnv: true,
    env: { PATH, ...KEEP, ...options.env },
  });
}

function ok(what: string, output: Output): Output {
  assert.equal(output.code, 0, `${what}:\n${output.stdout}\n${output.stderr}`);
  return output;
}

async function storeCredentials(home: string, key: string): Promise<void> {
  await Deno.mkdir(join(home, ".lua-cli"), { recursive: true, mode: 0o700 });
  await Deno.writeTextFile(join(home, ".lua-cli", "credentials"), `${key}\n`, { mode: 0o600 });
}

async function listTree(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    found.push(entry.name);
    if (entry.isDirectory) {
      for (const inner of await listTree(join(dir, entry.name))) {
        found.push(`${entry.name}/${inner}`);
      }
    }
  }
  return found.sort();
}

/** A CONNECT proxy on 127.0.0.1 that records the targets it tunnels to. */
function connectProxy(): { port: number; targets: string[]; close(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const targets: string[] = [];
  const tunnels: Promise<unknown>[] = [];
  const serve = async (client: Deno.Conn) => {
    const buffer = new Uint8Array(4096);
    let head = "";
    while (!head.includes("\r\n\r\n")) {
      const n = await client.read(buffer);
      if (n === null) return client.close();
      head += new TextDecoder().decode(buffer.subarray(0, n));
    }
    const target = /^CONNECT (\S+) HTTP/.exec(head)?.[1];
    if (!target) return client.close();
    targets.push(target);
    const [hostname, port] = target.split(":");
    const upstream = await Deno.connect({ hostname: hostname!, port: Number(port) });
    await client.write(new TextEncoder().encode("HTTP/1.1 200 Connection Established\r\n\r\n"));
    await Promise.allSettled([
      client.readable.pipeTo(upstream.writable),
      upstream.readable.pipeTo(client.writable),
    ]);
  };
  const accepting = (async () => {
    for await (const conn of listener) tunnels.push(serve(conn).catch(() => {}));
  })();
  return {
    port: listener.addr.port,
    targets,
    close: async () => {
      listener.close();
      await accepting.catch(() => {});
      await Promise.allSettled(tunnels);
    },
  };
}

/** Runs each `sh` block line of README's "With npm" section, exactly as written. */
function readmeNpmLines(readme: string): string[] {
  const section = readme.split(/^### With npm.*$/m)[1]?.split(/^#{2,3} /m)[0] ?? "";
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block.split("\n").map((line) => line.replace(/\s+#.*$/, "").trim()).filter(Boolean);
}

Deno.test({
  name: "slow: README's npm install lines, run as written on a temporary npm prefix",
  sanitizeResources: false,
}, async () => {
  const base = await Deno.makeTempDir({ prefix: "lua-readme-npm-" });
  try {
    const lines = readmeNpmLines(await Deno.readTextFile(join(ROOT, "README.md")));
    assert.ok(lines.some((line) => line.startsWith("npm install -g")), lines.join("\n"));
    // a copy of the repository, so that the build writes its npm/ there, not here
    const repo = join(base, "repo");
    const listed = ok("git ls-files", await run("git", ["ls-files", "-z"], { cwd: ROOT }));
    for (const file of listed.stdout.split("\0").filter(Boolean)) {
      await Deno.mkdir(join(repo, file, ".."), { recursive: true });
      await Deno.copyFile(join(ROOT, file), join(repo, file)).catch(() => {}); // deleted, not staged
    }
    const prefix = join(base, "prefix");
    const home = join(base, "home");
    await Deno.mkdir(home);
    const env = {
      HOME: home,
      PATH: `${join(prefix, "bin")}:${PATH}`,
      npm_config_prefix: prefix,
      npm_config_update_notifier: "false",
      DENO_DIR: Deno.env.get("DENO_DIR") ?? join(Deno.env.get("HOME") ?? "", ".cache", "deno"),
      npm_config_cache: join(Deno.env.get("HOME") ?? "", ".npm"),
      LUA_TELEMETRY: "false",
    };
    for (const line of lines.filter((l) => !/auth status/.test(l))) {
      ok(line, await run("bash", ["-euc", line], { cwd: repo, env }));
    }
    for (const bin of ["lua", "lua-ai"]) {
      const help = await run(bin, ["auth", "configure", "--help"], { cwd: base, env });
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout + help.stderr, /--api-key/);
      const typo = await run(bin, ["auth", "stauts"], { cwd: base, env });
      assert.equal(typo.code, 2, typo.stderr);
      assert.doesNotMatch(help.stderr + typo.stderr, /ERR_MODULE_NOT_FOUND/);
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test({
  name: "slow: the npm package, built, packed, installed and run on Node",
  sanitizeResources: false,
}, async (t) => {
  const base = await Deno.makeTempDir({ prefix: "lua-npm-test-" });
  const pkg = join(base, "pkg");
  const app = join(base, "app");
  const npmEnv = { HOME: join(base, "npm-home"), npm_config_update_notifier: "false" };
  let runs = 0;
  /** The installed CLI on Node, with a fresh HOME and working directory. */
  const lua = async (
    args: string[],
    options: {
      env?: Record<string, string>;
      stdin?: string;
      bin?: string;
      node?: string[];
      setup?: (home: string, cwd: string) => Promise<void>;
    } = {},
  ) => {
    const dir = join(base, `run-${++runs}`);
    const [home, cwd] = [join(dir, "home"), join(dir, "cwd")];
    await Deno.mkdir(home, { recursive: true });
    await Deno.mkdir(cwd, { recursive: true });
    await options.setup?.(home, cwd);
    const bin = join(app, "node_modules", ".bin", options.bin ?? "lua");
    const output = await run("node", [...options.node ?? [], bin, ...args], {
      cwd,
      env: { HOME: home, LUA_TELEMETRY: "false", ...options.env },
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
    });
    return { ...output, home, cwd };
  };
  /** Node's own modules a run loaded, from `process.moduleLoadList`. */
  const builtins = async (args: string[], env: Record<string, string> = {}) => {
    const list = join(base, `modules-${++runs}.txt`);
    const hook = join(base, `modules-${runs}.cjs`);
    await Deno.writeTextFile(
      hook,
      `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(list)}, ` +
        `process.moduleLoadList.join("\\n")));\n`,
    );
    const result = await lua(args, { env, node: ["--require", hook] });
    return { ...result, modules: (await Deno.readTextFile(list)).split("\n") };
  };

  try {
    await Deno.mkdir(app, { recursive: true });
    await t.step("build, pack and install", async () => {
      await buildNpm(luaBuild(ROOT, pkg));
      const pack = ok(
        "npm pack",
        await run("npm", ["pack", "--json", "--pack-destination", base], { cwd: pkg, env: npmEnv }),
      );
      const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
      const packed = info!.files.map((f) => f.path);
      for (const file of packed) {
        assert.match(file, /^(esm\/.*\.c?js|bin\/lua\.cjs|types\/.*\.d\.ts|[A-Za-z.]+)$/);
      }
      for (
        const file of ["package.json", "README.md", "LICENSE", "types/mod.d.ts", CLI_FILE]
      ) {
        assert.ok(packed.includes(file), file);
      }
      await Deno.writeTextFile(join(app, "package.json"), '{ "private": true }\n');
      ok(
        "npm install",
        await run("npm", ["install", "--no-audit", "--no-fund", join(base, info!.filename)], {
          cwd: app,
          env: npmEnv,
        }),
      );
      ok("npm ls", await run("npm", ["ls", "--all"], { cwd: app, env: npmEnv }));
    });

    await t.step("package.json: a complete, ESM-only package with lua and lua-ai", async () => {
      const manifest = JSON.parse(await Deno.readTextFile(join(pkg, "package.json")));
      assert.equal(manifest.name, DENO_JSON.name);
      assert.equal(manifest.version, DENO_JSON.version);
      assert.equal(manifest.type, "module");
      assert.deepEqual(manifest.bin, { "lua": CLI_FILE, "lua-ai": CLI_FILE });
      assert.deepEqual(manifest.exports["."], {
        types: "./types/mod.d.ts",
        import: "./esm/mod.js",
        require: "./esm/require.cjs",
      });
      assert.deepEqual(manifest.engines, { node: ">=20.12.0" });
      assert.deepEqual(manifest.publishConfig, { access: "public" });
      assert.equal(manifest.sideEffects, false);
      for (const field of ["repository", "homepage", "bugs", "keywords", "description"]) {
        assert.ok(manifest[field], field);
      }
      for (const [name, range] of Object.entries(manifest.dependencies)) {
        const major = /@(\d+)$/.exec(DENO_JSON.imports[name] ?? "")?.[1];
        assert.equal(range, `^${major}.0.0`, name);
      }
      assert.ok(!("fast-check" in manifest.dependencies), "test-only imports are not dependencies");
      assert.equal(manifest.devDependencies, undefined);
      const main = await Deno.readTextFile(join(pkg, CLI_FILE));
      assert.ok(main.startsWith("#!/usr/bin/env node\n"));
      assert.doesNotMatch(main, /\bimport\.meta\.main\b|["'](npm|jsr):/);
      const readme = await Deno.readTextFile(join(pkg, "README.md"));
      assert.match(readme, /npm install -g @lua\/cli/);
      assert.doesNotMatch(readme, /deno task/);
    });

    await t.step("lua --version and lua-ai --version", async () => {
      for (const bin of ["lua", "lua-ai"]) {
        const result = await lua(["--version"], { bin });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout.trim(), DENO_JSON.version);
      }
    });

    await t.step("auth key --force: the key alone on stdout, no Deno global needed", async () => {
      const result = await lua(["auth", "key", "--force"], { env: { LUA_API_KEY: KEY } });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${KEY}\n`);
      assert.match(result.stderr, /Source: LUA_API_KEY environment variable/);
      assert.deepEqual(await listTree(result.home), [], "nothing written to HOME");
      // the CLI's one file (the library's mod.js keeps denoContext)
      assert.doesNotMatch(await Deno.readTextFile(join(pkg, CLI_FILE)), /\bDeno\./, "uses Deno");
    });

    await t.step(
      "the everyday commands load none of net, tty, perf_hooks, readline, file streams",
      async () => {
        for (
          const args of [["auth", "key", "--force"], ["--help"], ["auth", "status", "--offline"]]
        ) {
          const { code, modules, stderr } = await builtins(args, { LUA_API_KEY: KEY });
          assert.equal(code, 0, stderr);
          assert.ok(modules.includes("NativeModule fs"), "the list is read");
          // Not `stream`: src/cli/output_guard.ts draws its STYLE_MARK from crypto.getRandomValues
          // at load, and Node's webcrypto loads `stream` (about 2 ms).
          for (const name of ["net", "tty", "perf_hooks", "readline", "internal/fs/streams"]) {
            assert.ok(!modules.includes(`NativeModule ${name}`), `${args.join(" ")} loads ${name}`);
          }
        }
      },
    );

    await t.step({
      name:
        "auth key asks on a terminal (a pseudo-terminal by script(1)) through @inquirer/prompts",
      ignore: Deno.build.os !== "linux" ||
        !(await Deno.stat("/usr/bin/script").then(() => true, () => false)),
      fn: async () => {
        const home = join(base, "pty-home");
        await storeCredentials(home, STORED_KEY);
        const bin = join(app, "node_modules", ".bin", "lua");
        const child = new Deno.Command("script", {
          args: ["-qfec", `${bin} auth key`, "/dev/null"],
          cwd: base,
          clearEnv: true,
          env: { PATH, ...KEEP, HOME: home, LUA_TELEMETRY: "false", TERM: "xterm" },
          stdin: "piped",
          stdout: "piped",
          stderr: "null",
        }).spawn();
        const writer = child.stdin.getWriter();
        let screen = "";
        let answered = false;
        const deadline = setTimeout(() => child.kill(), 20_000);
        try {
          for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
            screen += text;
            if (!answered && screen.includes("(y/N)")) {
              answered = true;
              await writer.write(new TextEncoder().encode("y\r"));
            }
          }
        } finally {
          clearTimeout(deadline);
          await writer.close().catch(() => {});
        }
        assert.equal((await child.status).code, 0, screen);
        assert.ok(answered, screen);
        assert.ok(screen.includes(STORED_KEY), screen);
      },
    });

    await t.step("no key anywhere: exit 9", async () => {
      const result = await lua(["auth", "key", "--force"]);
      assert.equal(result.code, 9);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, /^Error: No API key found\.$/m);
    });

    await t.step("the credentials file wins over .env", async () => {
      const both = await lua(["auth", "key", "--force"], {
        setup: async (home, cwd) => {
          await storeCredentials(home, STORED_KEY);
          await Deno.writeTextFile(join(cwd, ".env"), `LUA_API_KEY=${DOTENV_KEY}\n`);
        },
      });
      assert.equal(both.code, 0, both.stderr);
      assert.equal(both.stdout, `${STORED_KEY}\n`);
      assert.match(both.stderr, /Source: credentials file .*\.lua-cli[\\/]credentials/);
      const dotenv = await lua(["auth", "key", "--force"], {
        setup: (_home, cwd) => Deno.writeTextFile(join(cwd, ".env"), `LUA_API_KEY=${DOTENV_KEY}\n`),
      });
      assert.equal(dotenv.code, 0, dotenv.stderr);
      assert.equal(dotenv.stdout, `${DOTENV_KEY}\n`);
    });

    await t.step("OS errors keep the meaning they have on Deno (FsError codes)", async () => {
      const parentIsFile = await lua(["auth", "key", "--force"], {
        setup: (home) => Deno.writeTextFile(join(home, ".lua-cli"), "not a directory"),
      });
      assert.equal(parentIsFile.code, 1, parentIsFile.stderr);
      assert.match(
        parentIsFile.stderr,
        /^Error: Cannot read credentials file ".*": a parent is not a directory$/m,
      );
      const isDirectory = await lua(["auth", "key", "--force"], {
        setup: (home) => Deno.mkdir(join(home, ".lua-cli", "credentials"), { recursive: true }),
      });
      assert.equal(isDirectory.code, 1, isDirectory.stderr);
      assert.match(
        isDirectory.stderr,
        /^Error: Cannot read credentials file ".*": it is a directory$/m,
      );
    });

    await t.step(
      "configure --api-key against an unreachable platform: exit 11, nothing written",
      async () => {
        const env = { LUA_API_URL: "http://127.0.0.1:9", LUA_AUTH_URL: "http://127.0.0.1:9" };
        const result = await lua(["auth", "configure", "--api-key", KEY], { env });
        assert.equal(result.code, 11, result.stderr);
        assert.match(result.stderr, /Cannot reach the Lua platform/);
        assert.deepEqual(await listTree(result.home), []);
        const stdin = await lua(["auth", "configure", "--api-key", "-"], {
          env,
          stdin: `${KEY}\n`,
        });
        assert.equal(stdin.code, 11, stdin.stderr);
        assert.deepEqual(await listTree(stdin.home), []);
      },
    );

    await t.step(
      "the whole email flow and status against the emulator, over node:http (no undici)",
      async () => {
        const server = await startEmulator();
        try {
          const env = platformEnv(server.url);
          const email = "node@example.com";
          const sent = await lua(["auth", "configure", "--email", email], { env });
          assert.equal(sent.code, 0, sent.stderr);
          const [mail] = await outbox(server, email);
          const verified = await lua(["auth", "configure", "--email", email, "--otp", mail!.code], {
            env,
          });
          assert.equal(verified.code, 0, verified.stderr);
          const stored = (await Deno.readTextFile(join(verified.home, ".lua-cli", "credentials")))
            .trim();
          const status = await lua(["auth", "status", "--json"], {
            env: { ...env, LUA_API_KEY: stored },
          });
          assert.equal(status.code, 0, status.stderr);
          const report = JSON.parse(status.stdout);
          assert.equal(report.valid, true);
          assert.equal(report.account.email, email);
          const key = await issueKey(server, "other@example.com");
          const configured = await lua(["auth", "configure", "--api-key", key], { env });
          assert.equal(configured.code, 0, configured.stderr);
          assert.match(configured.stderr, /Authenticated as other@example\.com/);
          const { modules } = await builtins(["auth", "status"], { ...env, LUA_API_KEY: key });
          assert.ok(modules.includes("NativeModule http"), "node:http answered");
          assert.ok(!modules.some((m) => /http2|undici/.test(m)), modules.join(", "));
        } finally {
          await server.close();
        }
      },
    );

    await t.step("logout --force deletes the credentials file", async () => {
      const result = await lua(["auth", "logout", "--force"], {
        setup: (home) => storeCredentials(home, STORED_KEY),
      });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(await listTree(join(result.home, ".lua-cli")), []);
    });

    await t.step("status --offline --json prints one JSON object", async () => {
      const result = await lua(["auth", "status", "--offline", "--json"], {
        setup: (home) => storeCredentials(home, STORED_KEY),
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(JSON.parse(result.stdout).active.kind, "credentials");
      assert.ok(!result.stdout.includes(STORED_KEY));
    });

    await t.step(
      "HTTPS_PROXY/HTTP_PROXY: requests go through a CONNECT proxy, NO_PROXY skips it",
      async () => {
        const proxy = connectProxy();
        const seen: string[] = [];
        const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
          seen.push(new URL(req.url).pathname);
          return Response.json({ error: "unauthorized" }, { status: 401 });
        });
        try {
          const platform = `http://127.0.0.1:${server.addr.port}`;
          const env = { LUA_API_URL: platform, LUA_AUTH_URL: platform, LUA_API_KEY: KEY };
          const proxied = await lua(["auth", "status"], {
            env: { ...env, HTTP_PROXY: `http://127.0.0.1:${proxy.port}` },
          });
          assert.equal(proxied.code, 9, proxied.stderr);
          assert.doesNotMatch(proxied.stderr, /experimental|UNDICI/, "no warning of undici's");
          assert.ok(proxy.targets.length > 0, "the proxy was asked to tunnel");
          for (const target of proxy.targets) assert.equal(target, `127.0.0.1:${server.addr.port}`);
          const [tunnels, requests] = [proxy.targets.length, seen.length];
          assert.ok(requests > 0, "the platform got the requests through the tunnel");
          const bypassed = await lua(["auth", "status"], {
            env: { ...env, HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`, NO_PROXY: "127.0.0.1" },
          });
          assert.equal(bypassed.code, 9, bypassed.stderr);
          assert.equal(proxy.targets.length, tunnels, "NO_PROXY: not through the proxy");
          assert.ok(seen.length > requests, "but to the platform directly");
          // undici is loaded for a request through a proxy only
          const loaded = async (extra: Record<string, string>) => {
            const id = ++runs;
            const [trace, hooks, register] = ["txt", "hooks.mjs", "register.mjs"]
              .map((ext) => join(base, `resolved-${id}.${ext}`));
            await Deno.writeTextFile(trace!, "");
            await Deno.writeTextFile(
              hooks!,
              `import { appendFileSync } from "node:fs";\n` +
                `export async function resolve(specifier, context, next) {\n` +
                `  const result = await next(specifier, context);\n` +
                `  appendFileSync(${JSON.stringify(trace)}, result.url + "\\n");\n` +
                `  return result;\n}\n`,
            );
            await Deno.writeTextFile(
              register!,
              `import { register } from "node:module";\n` +
                `register(${JSON.stringify(pathToFileURL(hooks!).href)});\n`,
            );
            const result = await lua(["auth", "status"], {
              env: { ...env, ...extra },
              node: ["--import", register!],
            });
            assert.equal(result.code, 9, result.stderr);
            return await Deno.readTextFile(trace!);
          };
          assert.match(
            await loaded({ HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` }),
            /\/undici\//,
          );
          assert.doesNotMatch(await loaded({}), /\/undici\//);
        } finally {
          await server.shutdown();
          await proxy.close();
        }
      },
    );

    await t.step("telemetry on: the event reaches the endpoint, in a whole-ms budget", async () => {
      // Node's AbortSignal.timeout takes whole milliseconds only; a fraction threw, and
      // telemetry, which never fails a command, sent nothing.
      const events: unknown[] = [];
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen: () => {} },
        async (req) => {
          if (new URL(req.url).pathname === "/i/v0/e/") events.push(await req.json());
          return Response.json({ status: 1 });
        },
      );
      try {
        const result = await lua(["auth", "key", "--force"], {
          env: {
            LUA_API_KEY: KEY,
            LUA_TELEMETRY: "true",
            LUA_TELEMETRY_URL: `http://127.0.0.1:${server.addr.port}`,
          },
        });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(events.length, 1, result.stderr);
        assert.match(JSON.stringify(events[0]), /"runtime":"node"/);
      } finally {
        await server.shutdown();
      }
    });

    await t.step("Node older than 20.12: one sentence, exit 1", async () => {
      for (const version of ["18", "20.11.1"]) {
        const bin = join(app, "node_modules", "@lua", "cli", CLI_FILE);
        const result = await run("npx", ["-y", `node@${version}`, bin, "auth", "key", "--force"], {
          cwd: app,
          env: { ...npmEnv, LUA_API_KEY: KEY },
        });
        assert.equal(result.code, 1, result.stdout + result.stderr);
        assert.match(
          result.stderr,
          new RegExp(
            `^Error: lua needs Node\\.js 20\\.12\\.0 or newer, and this is Node\\.js ` +
              `${version.replaceAll(".", "\\.")}[\\d.]*\\.\\n$`,
          ),
        );
        assert.equal(result.stdout, "");
      }
    });

    await t.step(
      "the library on Node: nodeContext() and require()'s ESM-only message",
      async () => {
        const script = join(app, "library.mjs");
        await Deno.writeTextFile(
          script,
          `import { resolveApiKey, maskKey } from "@lua/cli";\n` +
            `import { nodeContext } from "@lua/cli/node";\n` +
            `const resolved = await resolveApiKey(nodeContext());\n` +
            `console.log(JSON.stringify({ ...resolved, masked: maskKey(resolved.key) }));\n`,
        );
        const result = await run("node", [script], {
          cwd: app,
          env: { HOME: join(base, "no-home"), LUA_API_KEY: KEY },
        });
        assert.equal(result.code, 0, result.stderr);
        const output = JSON.parse(result.stdout);
        assert.equal(output.key, KEY);
        assert.deepEqual(output.source, { kind: "env", variable: "LUA_API_KEY" });
        const required = await run("node", ["-e", `require("@lua/cli")`], { cwd: app });
        assert.equal(required.code, 1);
        assert.match(
          required.stderr,
          /@lua\/cli is an ES module and cannot be loaded with require\(\)/,
        );
      },
    );

    await t.step("the library does the same file operations on Node as on Deno", async () => {
      const script = join(ROOT, "scripts", "testdata", "file_scenarios.mjs");
      const onDeno = await run(Deno.execPath(), [
        "run",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        script,
        pathToFileURL(join(ROOT, "mod.ts")).href,
        join(base, "scenarios-deno"),
      ], { env: { HOME: join(base, "no-home") } });
      assert.equal(onDeno.code, 0, onDeno.stderr);
      const copy = join(app, "file_scenarios.mjs");
      await Deno.copyFile(script, copy);
      const onNode = await run("node", [copy, "@lua/cli", join(base, "scenarios-node")], {
        cwd: app,
        env: { HOME: join(base, "no-home") },
      });
      assert.equal(onNode.code, 0, onNode.stderr);
      const lines = (text: string) => text.trim().split("\n").map((line) => JSON.parse(line));
      assert.equal(lines(onDeno.stdout).length, 13);
      assert.deepEqual(lines(onNode.stdout), lines(onDeno.stdout));
    });

    await t.step("a TypeScript consumer type-checks against the declarations", () => {
      const check = (source: string) => {
        const file = join(app, "consumer.ts");
        Deno.writeTextFileSync(file, source);
        const program = ts.createProgram([file], {
          noEmit: true,
          strict: true,
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.NodeNext,
          moduleResolution: ts.ModuleResolutionKind.NodeNext,
          lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
          types: [],
        });
        return ts.getPreEmitDiagnostics(program).map((d) =>
          ts.flattenDiagnosticMessageText(d.messageText, "\n")
        );
      };
      Deno.writeTextFileSync(join(app, "package.json"), '{ "private": true, "type": "module" }\n');
      assert.deepEqual(
        check([
          `import { type Context, createClient, ExitCode, LuaError, maskKey, resolveApiKey,`,
          `  FsError } from "@lua/cli";`,
          `import { nodeContext } from "@lua/cli/node";`,
          `const ctx: Context = nodeContext();`,
          `const resolved = await resolveApiKey(ctx);`,
          `console.log(resolved && maskKey(resolved.key), createClient(ctx), ExitCode.Ok,`,
          `  new LuaError("x", ExitCode.Error).exitCode, new FsError("NotFound", "x").code);`,
        ].join("\n")),
        [],
      );
      const bad = check(
        `import { nodeContext } from "@lua/cli/node";\nconst n: number = nodeContext().os;\n`,
      );
      assert.match(bad.join("\n"), /Type 'string' is not assignable to type 'number'/);
    });

    await t.step("start-up: auth key --force against node -e 0, median of 11 runs", async () => {
      const bin = join(app, "node_modules", ".bin", "lua");
      const env = { HOME: join(base, "no-home"), LUA_API_KEY: KEY, LUA_TELEMETRY: "false" };
      const time = async (args: string[]) => {
        const started = performance.now();
        ok(args.join(" "), await run("node", args, { cwd: app, env }));
        return performance.now() - started;
      };
      const floor: number[] = [];
      const cli: number[] = [];
      for (let i = 0; i < 11; i++) {
        floor.push(await time(["-e", "0"]));
        cli.push(await time([bin, "auth", "key", "--force"]));
      }
      const median = (v: number[]) => v.sort((a, b) => a - b)[5]!;
      console.log(
        `  node -e 0: ${median(floor).toFixed(1)} ms; lua auth key --force: ` +
          `${median(cli).toFixed(1)} ms (deno task bench --npm measures it properly)`,
      );
      assert.ok(median(cli) - median(floor) < 1000);
    });
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
