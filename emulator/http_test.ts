import assert from "node:assert/strict";
import {
  bearerToken,
  emptyResponse,
  errorResponse,
  jsonResponse,
  readJson,
  readJsonObject,
} from "./http.ts";

function withBody(body: string | null): Request {
  return new Request("http://emulator/x", { method: "POST", body });
}

Deno.test("jsonResponse() sets status, JSON body and content-type", async () => {
  const response = jsonResponse(201, { a: 1 }, { "x-extra": "yes" });
  assert.equal(response.status, 201);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal(response.headers.get("x-extra"), "yes");
  assert.deepEqual(await response.json(), { a: 1 });
});

Deno.test("jsonResponse() keeps application/json even if headers say otherwise", async () => {
  const response = jsonResponse(200, [], { "content-type": "text/plain" });
  assert.equal(response.headers.get("content-type"), "application/json");
  await response.body?.cancel();
});

Deno.test("errorResponse() builds {error, message} plus extras", async () => {
  const response = errorResponse(429, "rate_limited", "slow down", { retryAfter: 3 }, {
    "retry-after": "3",
  });
  assert.equal(response.status, 429);
  assert.equal(response.headers.get("retry-after"), "3");
  assert.deepEqual(await response.json(), {
    error: "rate_limited",
    message: "slow down",
    retryAfter: 3,
  });
});

Deno.test("emptyResponse() has no body", async () => {
  const response = emptyResponse();
  assert.equal(response.status, 204);
  assert.equal(response.body, null);
  assert.equal(await response.text(), "");
});

Deno.test("readJson() parses any JSON value and rejects the rest", async () => {
  assert.deepEqual(await readJson(withBody('{"a":[1]}')), { ok: true, value: { a: [1] } });
  assert.deepEqual(await readJson(withBody("null")), { ok: true, value: null });
  assert.deepEqual(await readJson(withBody("7")), { ok: true, value: 7 });
  assert.deepEqual(await readJson(withBody("{oops")), { ok: false });
  assert.deepEqual(await readJson(withBody("")), { ok: false });
  assert.deepEqual(await readJson(withBody(null)), { ok: false });
});

Deno.test("readJson() reports a consumed body as not JSON", async () => {
  const request = withBody("{}");
  await request.text();
  assert.deepEqual(await readJson(request), { ok: false });
});

Deno.test("readJsonObject() accepts only plain objects", async () => {
  assert.deepEqual(await readJsonObject(withBody('{"a":1}')), { a: 1 });
  assert.equal(await readJsonObject(withBody("[]")), undefined);
  assert.equal(await readJsonObject(withBody("null")), undefined);
  assert.equal(await readJsonObject(withBody('"s"')), undefined);
  assert.equal(await readJsonObject(withBody("nope")), undefined);
});

Deno.test("bearerToken() extracts the credential", () => {
  const cases: [string | null, string | undefined][] = [
    ["Bearer abc", "abc"],
    ["bearer abc", "abc"],
    ["BEARER   abc  ", "abc"],
    [null, undefined],
    ["", undefined],
    ["Bearer", undefined],
    ["Bearer ", undefined],
    ["Basic abc", undefined],
    ["Bearer a b", undefined],
    ["Bearerabc", undefined],
  ];
  for (const [header, expected] of cases) {
    const headers = new Headers();
    if (header !== null) headers.set("authorization", header);
    const request = new Request("http://emulator/x", { headers });
    assert.equal(bearerToken(request), expected, JSON.stringify(header));
  }
});
