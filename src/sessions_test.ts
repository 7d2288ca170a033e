import assert from "node:assert/strict";
import { createMemoryContext } from "../testing/memory_context.ts";
import { deleteSessions, listSessions, sessionsDir } from "./sessions.ts";

const DIR = "/home/user/.lua-cli/sessions";
const SESSION = JSON.stringify({ kind: "firebase-session", token: "t" });

function withSessions() {
  const ctx = createMemoryContext();
  ctx.fs.putDir("/home/user/.lua-cli", 0o700);
  ctx.fs.putDir(DIR, 0o700);
  ctx.fs.putFile(`${DIR}/b.json`, SESSION);
  ctx.fs.putFile(`${DIR}/a.json`, SESSION);
  ctx.fs.putFile(`${DIR}/other.json`, JSON.stringify({ kind: "something-else" }));
  ctx.fs.putFile(`${DIR}/.hidden.json`, SESSION);
  ctx.fs.putFile(`${DIR}/notes.txt`, SESSION);
  return ctx;
}

Deno.test("listSessions: the other CLI's session files only, sorted; none without the folder", async () => {
  const ctx = withSessions();
  assert.equal(sessionsDir(ctx), DIR);
  assert.deepEqual(await listSessions(ctx), [`${DIR}/a.json`, `${DIR}/b.json`]);
  assert.deepEqual(await listSessions(createMemoryContext()), []);
});

Deno.test("listSessions: a file in the folder's place holds none; a link to a folder is followed", async () => {
  const ctx = createMemoryContext();
  ctx.fs.putDir("/home/user/.lua-cli", 0o700);
  ctx.fs.putFile(DIR, SESSION);
  assert.deepEqual(await listSessions(ctx), []);
  const linked = createMemoryContext();
  linked.fs.putDir("/home/user/.lua-cli", 0o700);
  linked.fs.putDir("/elsewhere", 0o700);
  linked.fs.putFile("/elsewhere/a.json", SESSION);
  linked.fs.putSymlink(DIR, "/elsewhere");
  assert.deepEqual(await listSessions(linked), [`${DIR}/a.json`]);
});

Deno.test("deleteSessions: lists and deletes, or deletes the files given; one gone is skipped", async (t) => {
  await t.step("without paths: what listSessions finds", async () => {
    const ctx = withSessions();
    assert.deepEqual(await deleteSessions(ctx), [`${DIR}/a.json`, `${DIR}/b.json`]);
    assert.equal(ctx.fs.peek(`${DIR}/a.json`), undefined);
    assert.equal(ctx.fs.peek(`${DIR}/other.json`), JSON.stringify({ kind: "something-else" }));
  });
  await t.step("with paths: only those, and not listed again", async () => {
    const ctx = withSessions();
    const listed = await listSessions(ctx);
    ctx.fs.putFile(`${DIR}/c.json`, SESSION); // appeared after the listing: not deleted
    await ctx.fs.remove(`${DIR}/b.json`); // gone since the listing: skipped, not reported
    assert.deepEqual(await deleteSessions(ctx, listed), [`${DIR}/a.json`]);
    assert.equal(ctx.fs.peek(`${DIR}/c.json`), SESSION);
  });
});
