import assert from "node:assert/strict";
import { DEFAULT_PORT, parseArgs, USAGE } from "./main.ts";
import { startEmulator } from "./server.ts";

const ROOT = new URL("..", import.meta.url);
const LISTENING = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/;

/** Reads a byte stream line by line; `rest()` drains it to the end. */
class LineReader {
  #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next line without its newline, or `undefined` at the end of the stream. */
  async next(): Promise<string | undefined> {
    for (;;) {
      const newline = this.#buffer.indexOf("\n");
      if (newline >= 0) {
        const line = this.#buffer.slice(0, newline);
        this.#buffer = this.#buffer.slice(newline + 1);
        return line;
      }
      const { value, done } = await this.#reader.read();
      if (done) return undefined;
      this.#buffer += value;
    }
  }

  /** Everything not yet returned, up to the end of the stream. */
  async rest(): Promise<string> {
    for (;;) {
      const { value, done } = await this.#reader.read();
      if (done) return this.#buffer;
      this.#buffer += value;
    }
  }
}

function command(args: string[]): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", "emulator/main.ts", ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

interface Spawned {
  /** Port from the "listening on" line. */
  port: number;
  stdout: LineReader;
  /** Sends `signal` and collects the exit status and the remaining output. */
  stop(signal: Deno.Signal): Promise<{ status: Deno.CommandStatus; rest: string; stderr: string }>;
}

/** Starts main.ts on port 0 and waits for its first stdout line. */
async function spawnEmulator(): Promise<Spawned> {
  const child = command(["--port", "0"]).spawn();
  const stderr = new Response(child.stderr).text();
  const stdout = new LineReader(child.stdout);
  const stop = async (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch {
      // Already exited.
    }
    const [status, rest] = await Promise.all([child.status, stdout.rest()]);
    return { status, rest, stderr: await stderr };
  };
  const first = await stdout.next();
  const match = LISTENING.exec(first ?? "");
  if (match === null) {
    const { stderr } = await stop("SIGKILL");
    throw new Error(`unexpected first line ${JSON.stringify(first)}; stderr: ${stderr}`);
  }
  return { port: Number(match[1]), stdout, stop };
}

Deno.test("parseArgs() defaults to port 8787", () => {
  assert.equal(DEFAULT_PORT, 8787);
  assert.deepEqual(parseArgs([]), { help: false, port: 8787 });
});

Deno.test("parseArgs() reads --port N and --port=N", () => {
  assert.deepEqual(parseArgs(["--port", "0"]), { help: false, port: 0 });
  assert.deepEqual(parseArgs(["--port=9000"]), { help: false, port: 9000 });
  assert.deepEqual(parseArgs(["--port", "1", "--port", "65535"]), { help: false, port: 65535 });
});

Deno.test("parseArgs() recognises --help and -h", () => {
  assert.deepEqual(parseArgs(["--help"]), { help: true });
  assert.deepEqual(parseArgs(["-h"]), { help: true });
});

Deno.test("parseArgs() rejects bad arguments", () => {
  for (
    const args of [
      ["--port"],
      ["--port", "x"],
      ["--port", "-1"],
      ["--port", "65536"],
      ["--port", "1.5"],
      ["--port="],
      ["--port", "123456"],
      ["--host", "0.0.0.0"],
      ["8787"],
    ]
  ) {
    const parsed = parseArgs(args);
    assert.ok("error" in parsed, JSON.stringify(args));
  }
});

Deno.test({
  name: "main.ts prints the listening line and outbox lines, and stops on SIGTERM",
  ignore: Deno.build.os === "windows",
  async fn() {
    const spawned = await spawnEmulator();
    let stopped = false;
    try {
      const url = `http://127.0.0.1:${spawned.port}`;
      const sent = await fetch(`${url}/otp`, {
        method: "POST",
        body: JSON.stringify({ email: "Ada@Example.com", type: "email" }),
      });
      assert.equal(sent.status, 200);
      await sent.body?.cancel();
      const outbox = await (await fetch(`${url}/_emulator/outbox`)).json();
      const code = outbox[0]?.code;
      assert.match(code, /^\d{6}$/);
      assert.equal(await spawned.stdout.next(), `[outbox] to=ada@example.com code=${code}`);

      // Listening on 127.0.0.1 only.
      await assert.rejects(async () => {
        const conn = await Deno.connect({ hostname: "::1", port: spawned.port });
        conn.close();
      });

      const { status, rest } = await spawned.stop("SIGTERM");
      stopped = true;
      assert.equal(status.code, 0);
      assert.equal(status.success, true);
      assert.equal(rest, "", "nothing else on stdout");
    } finally {
      if (!stopped) await spawned.stop("SIGKILL");
    }
  },
});

Deno.test({
  name: "main.ts stops cleanly on SIGINT",
  ignore: Deno.build.os === "windows",
  async fn() {
    const spawned = await spawnEmulator();
    const { status, rest } = await spawned.stop("SIGINT");
    assert.equal(status.code, 0);
    assert.equal(rest, "");
  },
});

Deno.test("main.ts exits 1 when the port is taken", async () => {
  const server = await startEmulator();
  try {
    const output = await command(["--port", String(server.port)]).output();
    assert.equal(output.code, 1);
    assert.equal(new TextDecoder().decode(output.stdout), "");
    assert.match(new TextDecoder().decode(output.stderr), /cannot listen on 127\.0\.0\.1:\d+/);
  } finally {
    await server.close();
  }
});

Deno.test("main.ts exits 2 with usage for bad arguments", async () => {
  const output = await command(["--port", "nope"]).output();
  assert.equal(output.code, 2);
  assert.equal(new TextDecoder().decode(output.stdout), "");
  const stderr = new TextDecoder().decode(output.stderr);
  assert.match(stderr, /invalid port: nope/);
  assert.ok(stderr.includes(USAGE));
});

Deno.test("main.ts --help prints usage and exits 0", async () => {
  const output = await command(["--help"]).output();
  assert.equal(output.code, 0);
  assert.equal(new TextDecoder().decode(output.stdout), `${USAGE}\n`);
});
