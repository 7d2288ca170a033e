import assert from "node:assert/strict";
import { describeAccount } from "./account.ts";

const BASE = { subjectType: "user", subjectId: "u_1", orgCount: 1 } as const;

Deno.test("describeAccount: a typed key by its id; a user by email and name, or by id", () => {
  assert.equal(
    describeAccount({
      ...BASE,
      kind: "typed",
      subjectType: "apiKey",
      subjectId: "k_9",
      email: null,
      fullName: null,
    }),
    "typed API key k_9",
  );
  assert.equal(
    describeAccount({ ...BASE, kind: "legacy", email: "ada@example.com", fullName: "Ada" }),
    "ada@example.com (Ada)",
  );
  assert.equal(
    describeAccount({ ...BASE, kind: "legacy", email: "ada@example.com", fullName: null }),
    "ada@example.com",
  );
  assert.equal(
    describeAccount({ ...BASE, kind: "legacy", email: null, fullName: "Ada" }),
    "user u_1",
  );
});
