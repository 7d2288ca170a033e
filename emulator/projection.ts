/**
 * The platform's authorization projection (`GET /admin/me/authorization`) and resource page
 * (`GET /admin/me/authorization/orgs/:orgId/resources`) for an emulated key, in the shapes the
 * real client's schemas (`EffectiveAuthorizationSchema`, `ResourcePageSchema` of
 * `@lua/shared-types`) accept.
 *
 * @module
 */

import type { Authenticated } from "./store.ts";

/** The capability profile every emulated account holds on its organisation. */
export const OWNER_PROFILE = "org-owner";

const CAPABILITY_PROFILES = {
  [OWNER_PROFILE]: ["org:read", "agents:read", "agents:write", "agents:deploy"],
};

/**
 * The projection for a key: a typed key is its own principal (`apiKey`), a legacy key acts as
 * its owner (`user`). One organisation, owned, with one agent.
 *
 * @param who The authenticated key and its account.
 * @param generatedAt When, ISO 8601.
 * @returns The projection, version 1.
 */
export function authorizationProjection(
  who: Authenticated,
  generatedAt: string,
): Record<string, unknown> {
  const { key, account } = who;
  const typed = key.kind === "typed";
  return {
    version: 1,
    generatedAt,
    authorizationPrincipal: typed
      ? { subjectType: "apiKey", subjectId: key.keyId }
      : { subjectType: "user", subjectId: account.userId },
    credentialContext: {
      type: "apiKey",
      id: key.keyId,
      owner: { type: "user", id: account.userId },
      ...(typed ? {} : { compatibility: { mode: "legacy-owner-delegation" } }),
    },
    orgs: [{
      orgId: account.orgId,
      name: account.orgName,
      archived: false,
      capabilityProfile: OWNER_PROFILE,
      displayRoles: [{ role: "owner", boundTo: "org", resourceId: account.orgId }],
      membership: { rostered: true, active: true },
      discoveredVia: "org-grant",
      resourceCounts: { agents: 1, spaces: 0 },
    }],
    capabilityProfiles: CAPABILITY_PROFILES,
    roleCatalog: { owner: { label: "Owner" } },
  };
}

/**
 * The one page of agents of an organisation, or `undefined` when the key cannot see it.
 *
 * @param who The authenticated key and its account.
 * @param orgId The organisation asked for.
 * @param generatedAt When, ISO 8601.
 * @returns The page (its `nextCursor` is `null`: the last page).
 */
export function resourcePage(
  who: Authenticated,
  orgId: string,
  generatedAt: string,
): Record<string, unknown> | undefined {
  const { account } = who;
  if (orgId !== account.orgId) return undefined;
  return {
    version: 1,
    generatedAt,
    orgId,
    resources: [{
      resourceType: "agent",
      resourceId: account.agentId,
      kind: "agent",
      orgId,
      name: account.agentName,
      visibility: "private",
      capabilityProfile: OWNER_PROFILE,
      displayRoles: [{ role: "owner", boundTo: "org", resourceId: orgId }],
      discoveredVia: "org-cascade",
      rostered: true,
    }],
    capabilityProfiles: CAPABILITY_PROFILES,
    nextCursor: null,
  };
}
