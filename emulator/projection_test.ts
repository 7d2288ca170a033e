/**
 * The emulator's projections against the real client's schemas.
 *
 * `EffectiveAuthorizationSchema` and `ResourcePageSchema` (lua-cli 3.37.0, `@lua/shared-types`,
 * `src/authorization-projection.types.ts`) are zod schemas; zod is not a dependency here, so they
 * are re-stated below field by field with zod's semantics: `.passthrough()` objects accept
 * unknown keys, `.optional()` accepts a missing key or `undefined`, `.nullable()` accepts `null`,
 * `.nullish()` both, `string().min(a).max(b)` counts UTF-16 code units, `z.object` rejects arrays
 * and `null`, `z.record(k, v)` checks every own key and value. (`handler_test.ts` checks that
 * the HTTP routes answer exactly what these functions build.)
 *
 * @module
 */

import assert from "node:assert/strict";
import { authorizationProjection, OWNER_PROFILE, resourcePage } from "./projection.ts";
import type { Authenticated, StoredKey } from "./store.ts";

/** Checks `value` at `path`, pushing one line per problem. */
type Check = (value: unknown, path: string, issues: string[]) => void;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `z.string()` with optional `.min()` / `.max()`. */
function string(min = 0, max = Infinity): Check {
  return (value, path, issues) => {
    if (typeof value !== "string") issues.push(`${path}: expected a string`);
    else if (value.length < min) issues.push(`${path}: shorter than ${min}`);
    else if (value.length > max) issues.push(`${path}: longer than ${max}`);
  };
}

/** `z.boolean()`. */
const boolean: Check = (value, path, issues) => {
  if (typeof value !== "boolean") issues.push(`${path}: expected a boolean`);
};

/** `z.number().int().nonnegative()`. */
const nonNegativeInt: Check = (value, path, issues) => {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    issues.push(`${path}: expected a non-negative integer`);
  }
};

/** `z.unknown()`. */
const unknown: Check = () => {};

/** `z.literal(expected)`. */
function literal(expected: string | number): Check {
  return (value, path, issues) => {
    if (value !== expected) issues.push(`${path}: expected ${JSON.stringify(expected)}`);
  };
}

/** `z.enum(values)`. */
function oneOf(values: readonly string[]): Check {
  return (value, path, issues) => {
    if (typeof value !== "string" || !values.includes(value)) {
      issues.push(`${path}: expected one of ${values.join(", ")}`);
    }
  };
}

/** `.optional()`. */
function optional(check: Check): Check {
  return (value, path, issues) => value === undefined ? undefined : check(value, path, issues);
}

/** `.nullable()`. */
function nullable(check: Check): Check {
  return (value, path, issues) => value === null ? undefined : check(value, path, issues);
}

/** `.nullish()`. */
function nullish(check: Check): Check {
  return optional(nullable(check));
}

/** `z.array(item)`. */
function array(item: Check): Check {
  return (value, path, issues) => {
    if (!Array.isArray(value)) return void issues.push(`${path}: expected an array`);
    value.forEach((element, i) => item(element, `${path}[${i}]`, issues));
  };
}

/** `z.record(key, item)`. */
function record(key: Check, item: Check): Check {
  return (value, path, issues) => {
    if (!isObject(value)) return void issues.push(`${path}: expected an object`);
    for (const [name, element] of Object.entries(value)) {
      key(name, `${path} key ${JSON.stringify(name)}`, issues);
      item(element, `${path}.${name}`, issues);
    }
  };
}

/** `z.object(shape).passthrough()`: unknown keys are kept, not refused. */
function object(shape: Record<string, Check>): Check {
  return (value, path, issues) => {
    if (!isObject(value)) return void issues.push(`${path}: expected an object`);
    for (const [name, check] of Object.entries(shape)) {
      check(value[name], `${path}.${name}`, issues);
    }
  };
}

// ---- src/principal.types.ts

const SUBJECT_TYPES = ["user", "apiKey", "service", "endUser", "staff"] as const;
const CREDENTIAL_TYPES = [
  "firstPartySession",
  "apiKey",
  "deviceCredential",
  "endUserSession",
  "staffAssertion",
  "serviceCredential",
  "legacyInternalToken",
] as const;

// ---- src/authorization-projection.types.ts

const ProjectedScope = string(1, 128);

const DisplayRole = object({
  role: string(1, 128),
  boundTo: oneOf(["org", "agent", "platform"]),
  resourceId: string(1, 256),
});

const AuthorizationPrincipal = object({
  subjectType: oneOf(SUBJECT_TYPES),
  subjectId: string(1, 256),
});

const CredentialContext = object({
  type: oneOf(CREDENTIAL_TYPES),
  id: optional(string(1, 256)),
  owner: optional(object({ type: oneOf(["user", "org", "service"]), id: string(1, 256) })),
  compatibility: optional(object({ mode: literal("legacy-owner-delegation") })),
});

const ProjectionAnomaly = oneOf(["grant-without-membership", "live-grant-on-inactive-membership"]);

const ProjectedOrg = object({
  orgId: string(1, 256),
  name: optional(string()),
  archived: boolean,
  capabilityProfile: string(1, 64),
  displayRoles: array(DisplayRole),
  membership: object({ rostered: boolean, active: boolean }),
  discoveredVia: oneOf(["org-grant", "agent-grant-only"]),
  anomalies: optional(array(ProjectionAnomaly)),
  resourceCounts: optional(object({ agents: nonNegativeInt, spaces: nonNegativeInt })),
});

const ProjectedResource = object({
  resourceType: literal("agent"),
  resourceId: string(1, 256),
  kind: oneOf(["agent", "space"]),
  orgId: nullable(string(1, 256)),
  name: optional(string()),
  visibility: oneOf(["private", "public", "platform"]),
  capabilityProfile: string(1, 64),
  displayRoles: array(DisplayRole),
  discoveredVia: oneOf(["org-cascade", "agent-grant", "owner-override", "platform-allowlist"]),
  rostered: boolean,
  createdBy: optional(string(1, 256)),
  owner: optional(
    object({ id: string(1, 256), name: optional(string()), email: optional(string()) }),
  ),
  persona: optional(unknown),
  description: optional(string()),
  avatar: nullish(unknown),
  platform: optional(boolean),
  supervisedAgents: optional(array(string())),
});

const CapabilityProfiles = record(string(1, 64), array(ProjectedScope));
const RoleCatalog = record(string(1, 128), object({ label: string() }));

const EffectiveAuthorization = object({
  version: literal(1),
  generatedAt: string(1),
  authorizationPrincipal: AuthorizationPrincipal,
  credentialContext: optional(CredentialContext),
  orgs: array(ProjectedOrg),
  platform: optional(object({ capabilityProfile: string(1, 64) })),
  capabilityProfiles: CapabilityProfiles,
  roleCatalog: optional(RoleCatalog),
});

const ResourcePage = object({
  version: literal(1),
  generatedAt: string(1),
  orgId: string(1, 256),
  resources: array(ProjectedResource),
  capabilityProfiles: CapabilityProfiles,
  nextCursor: nullable(string()),
});

function run(check: Check, value: unknown): string[] {
  const issues: string[] = [];
  check(value, "$", issues);
  return issues;
}

/**
 * Why the real client's `parseEffectiveAuthorization` would refuse `value`.
 *
 * @returns The problems; empty when it passes.
 */
function effectiveAuthorizationIssues(value: unknown): string[] {
  return run(EffectiveAuthorization, value);
}

/**
 * Why the real client's `parseResourcePage` would refuse `value`.
 *
 * @returns The problems; empty when it passes.
 */
function resourcePageIssues(value: unknown): string[] {
  return run(ResourcePage, value);
}

// ---------------------------------------------------------------------------------------------

const NOW = "2026-01-01T00:00:00.000Z";

function who(kind: StoredKey["kind"]): Authenticated {
  const account = {
    userId: "usr_0123456789abcdef",
    email: "ada@example.com",
    fullName: "Ada",
    orgId: "org_0123456789ab",
    orgName: "Ada's organization",
    agentId: "agt_0123456789ab",
    agentName: "Base Agent",
  };
  const key: StoredKey = {
    keyHash: "0".repeat(64),
    email: account.email,
    kind,
    keyId: "key_01020304",
    userId: account.userId,
    createdAt: NOW,
    revoked: false,
  };
  return { key, account };
}

Deno.test("the schema checks refuse what the real schemas refuse", () => {
  const good = authorizationProjection(who("legacy"), NOW);
  assert.deepEqual(effectiveAuthorizationIssues(good), []);
  const bad: [string, (p: Record<string, unknown>) => void][] = [
    ["version 2", (p) => p.version = 2],
    ["empty generatedAt", (p) => p.generatedAt = ""],
    [
      "unknown subject type",
      (p) => p.authorizationPrincipal = { subjectType: "x", subjectId: "a" },
    ],
    ["empty subject id", (p) => p.authorizationPrincipal = { subjectType: "user", subjectId: "" }],
    [
      "long subject id",
      (p) => p.authorizationPrincipal = { subjectType: "user", subjectId: "a".repeat(257) },
    ],
    ["no orgs", (p) => delete p.orgs],
    ["orgs not an array", (p) => p.orgs = {}],
    ["org without archived", (p) => p.orgs = [{ ...(p.orgs as object[])[0], archived: undefined }]],
    ["org discovered oddly", (p) => p.orgs = [{ ...(p.orgs as object[])[0], discoveredVia: "x" }]],
    [
      "negative count",
      (p) => p.orgs = [{ ...(p.orgs as object[])[0], resourceCounts: { agents: -1, spaces: 0 } }],
    ],
    ["no capabilityProfiles", (p) => delete p.capabilityProfiles],
    ["profile of numbers", (p) => p.capabilityProfiles = { owner: [1] }],
    ["profile key too long", (p) => p.capabilityProfiles = { ["k".repeat(65)]: [] }],
    ["credential type", (p) => p.credentialContext = { type: "password" }],
    [
      "compatibility mode",
      (p) => p.credentialContext = { type: "apiKey", compatibility: { mode: "x" } },
    ],
    ["role catalog label", (p) => p.roleCatalog = { owner: {} }],
    ["platform profile", (p) => p.platform = { capabilityProfile: "" }],
  ];
  for (const [label, spoil] of bad) {
    const copy = structuredClone(good);
    spoil(copy);
    assert.notDeepEqual(effectiveAuthorizationIssues(copy), [], label);
  }
  assert.notDeepEqual(effectiveAuthorizationIssues(null), []);
  assert.notDeepEqual(effectiveAuthorizationIssues([good]), [], "an array is not an object");
  // Unknown extra fields pass, as with `.passthrough()`.
  assert.deepEqual(effectiveAuthorizationIssues({ ...good, future: { x: 1 } }), []);

  const page = resourcePage(who("legacy"), "org_0123456789ab", NOW);
  assert.deepEqual(resourcePageIssues(page), []);
  const badPages: Record<string, unknown>[] = [
    { ...page, nextCursor: undefined },
    { ...page, nextCursor: 3 },
    { ...page, orgId: "" },
    { ...page, resources: [{ resourceType: "space" }] },
    { ...page, resources: [{ ...(page!.resources as object[])[0], visibility: "secret" }] },
    { ...page, resources: [{ ...(page!.resources as object[])[0], orgId: undefined }] },
  ];
  for (const value of badPages) assert.notDeepEqual(resourcePageIssues(value), []);
  // A platform agent has a null orgId.
  const platformAgent = {
    ...page,
    resources: [{ ...(page!.resources as object[])[0], orgId: null }],
  };
  assert.deepEqual(resourcePageIssues(platformAgent), []);
});

Deno.test("authorizationProjection(): a legacy key acts as its owner, and passes the schema", () => {
  const projection = authorizationProjection(who("legacy"), NOW);
  assert.deepEqual(effectiveAuthorizationIssues(projection), []);
  assert.equal(projection.version, 1);
  assert.equal(projection.generatedAt, NOW);
  assert.deepEqual(projection.authorizationPrincipal, {
    subjectType: "user",
    subjectId: "usr_0123456789abcdef",
  });
  assert.deepEqual(projection.credentialContext, {
    type: "apiKey",
    id: "key_01020304",
    owner: { type: "user", id: "usr_0123456789abcdef" },
    compatibility: { mode: "legacy-owner-delegation" },
  });
  const orgs = projection.orgs as Record<string, unknown>[];
  assert.equal(orgs.length, 1, "one organisation");
  assert.equal(orgs[0]!.orgId, "org_0123456789ab");
  assert.deepEqual(orgs[0]!.resourceCounts, { agents: 1, spaces: 0 }, "one agent");
  const profiles = projection.capabilityProfiles as Record<string, unknown>;
  assert.ok(Object.hasOwn(profiles, orgs[0]!.capabilityProfile as string), "a known profile");
});

Deno.test("authorizationProjection(): a typed key is its own principal, and passes the schema", () => {
  const projection = authorizationProjection(who("typed"), NOW);
  assert.deepEqual(effectiveAuthorizationIssues(projection), []);
  assert.deepEqual(projection.authorizationPrincipal, {
    subjectType: "apiKey",
    subjectId: "key_01020304",
  });
  const context = projection.credentialContext as Record<string, unknown>;
  assert.equal(context.type, "apiKey");
  assert.equal(context.id, "key_01020304");
  assert.equal(context.compatibility, undefined, "a typed key is not a legacy delegation");
});

Deno.test("resourcePage(): the one agent of the account's organisation, last page", () => {
  const page = resourcePage(who("typed"), "org_0123456789ab", NOW);
  assert.ok(page);
  assert.deepEqual(resourcePageIssues(page), []);
  assert.equal(page.orgId, "org_0123456789ab");
  assert.equal(page.nextCursor, null);
  const resources = page.resources as Record<string, unknown>[];
  assert.equal(resources.length, 1);
  assert.equal(resources[0]!.resourceId, "agt_0123456789ab");
  assert.equal(resources[0]!.capabilityProfile, OWNER_PROFILE);
  assert.equal(resourcePage(who("typed"), "org_other", NOW), undefined);
});
