// `require("@lua/cli")`: the package is ES modules only.
throw new Error(
  '@lua/cli is an ES module and cannot be loaded with require(): use import { ... } from "@lua/cli", ' +
    'or await import("@lua/cli") from CommonJS.',
);
