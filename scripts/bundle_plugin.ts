/**
 * The esbuild plugin both builds share (`build_deno.ts`, `build_npm.ts`): TypeScript turns each
 * project module into JavaScript, with a source map esbuild carries into the bundle's, and
 * rewrites two things on the way.
 *
 * - **Fewer files.** `import("./x.ts")` of a project module becomes a static import
 *   (`Promise.resolve` of its namespace): in a bundle that costs a few microseconds, where on
 *   Node a separate file costs about 0.5 ms and in Deno one evaluated module about 0.2 ms. An
 *   entry point keeps its `import()`s (`main_node.ts` checks Node's version before them), and
 *   so does every `import()` of a package, which loads it only when it runs.
 * - **Eager functions** (`eager: true`, the Deno bundle). V8 compiles a parenthesized function
 *   when it compiles its script, and Deno keeps what it compiled in its V8 code cache; any other
 *   function is compiled again by every run that calls it (docs/benchmarks.md). So every arrow
 *   function and function expression is parenthesized, and `function f() {}` becomes
 *   `var f = (function f() {})` at the top of its scope, still defined before any other
 *   statement of the scope runs. Only declarations directly in a module or a function body
 *   move: a declaration in a nested block is scoped to that block, and stays as it is. Methods
 *   stay lazy. Node 20 has no code cache for ES modules, so the npm build keeps its functions
 *   lazy.
 *
 * @module
 */

import type * as esbuild from "esbuild";
import ts from "typescript";

/** Options of {@linkcode bundlePlugin} and {@linkcode transformModule}. */
export interface BundleOptions {
  /** Turn function declarations into eagerly compiled function expressions. */
  eager: boolean;
}

/** The statements of a scope with its function declarations first, as eager expressions. */
function hoisted(
  f: ts.NodeFactory,
  statements: readonly ts.Statement[],
  module: boolean,
): ts.Statement[] {
  const moved: ts.Statement[] = [];
  const rest: ts.Statement[] = [];
  for (const s of statements) {
    const kinds = ts.canHaveModifiers(s) ? (ts.getModifiers(s) ?? []).map((m) => m.kind) : [];
    if (!ts.isFunctionDeclaration(s) || !s.name || !s.body) rest.push(s);
    else if (kinds.includes(ts.SyntaxKind.DefaultKeyword)) rest.push(s);
    else {
      const asyncs = s.modifiers?.filter((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
      const fn = f.createFunctionExpression(
        asyncs as ts.Modifier[] | undefined,
        s.asteriskToken,
        s.name,
        undefined,
        s.parameters,
        undefined,
        s.body,
      );
      const exported = module && kinds.includes(ts.SyntaxKind.ExportKeyword);
      const declaration = f.createVariableDeclaration(
        s.name,
        undefined,
        undefined,
        f.createParenthesizedExpression(ts.setTextRange(fn, s)),
      );
      moved.push(ts.setTextRange(
        f.createVariableStatement(
          exported ? [f.createModifier(ts.SyntaxKind.ExportKeyword)] : undefined,
          f.createVariableDeclarationList([declaration]),
        ),
        s,
      ));
    }
  }
  return [...moved, ...rest];
}

/**
 * One project module as JavaScript for the bundle, with an inline source map back to `text`.
 *
 * @example
 * ```ts
 * import { transformModule } from "./bundle_plugin.ts";
 * import assert from "node:assert/strict";
 * const js = transformModule("export const a = g();\nfunction g(): number { return 1; }\n", {
 *   path: "/p/m.ts",
 *   eager: true,
 *   keepImports: false,
 * });
 * assert.match(js, /var g = \(function g\(\) \{/);
 * assert.ok(js.indexOf("function g") < js.indexOf("const a"));
 * ```
 *
 * @param text The module's TypeScript.
 * @param options Its path (for the map), whether to make functions eager, and whether to keep
 * its `import()`s of project modules (an entry point's).
 * @returns JavaScript ending in a `sourceMappingURL` data URL.
 */
export function transformModule(
  text: string,
  options: BundleOptions & { path: string; keepImports: boolean },
): string {
  const rewrite: ts.TransformerFactory<ts.SourceFile> = (context) => {
    const f = context.factory;
    const statics: ts.Statement[] = [];
    const visitor = (parent: ts.Node) => (node: ts.Node): ts.Node => {
      if (
        ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]!) &&
        /^\.\.?\//.test(node.arguments[0].text) && !options.keepImports
      ) {
        const namespace = f.createUniqueName("module");
        statics.push(f.createImportDeclaration(
          undefined,
          f.createImportClause(false, undefined, f.createNamespaceImport(namespace)),
          f.createStringLiteral(node.arguments[0].text),
        ));
        const resolved = f.createPropertyAccessExpression(f.createIdentifier("Promise"), "resolve");
        return ts.setTextRange(f.createCallExpression(resolved, undefined, [namespace]), node);
      }
      const visited = ts.visitEachChild(node, visitor(node), context);
      if (!options.eager) return visited;
      if (ts.isBlock(visited) && ts.isFunctionLike(parent)) {
        return f.updateBlock(visited, hoisted(f, visited.statements, false));
      }
      if (
        (ts.isArrowFunction(visited) || ts.isFunctionExpression(visited)) &&
        !ts.isParenthesizedExpression(parent)
      ) {
        return f.createParenthesizedExpression(visited);
      }
      return visited;
    };
    return (file) => {
      const visited = ts.visitEachChild(file, visitor(file), context);
      const body = options.eager ? hoisted(f, visited.statements, true) : visited.statements;
      return f.updateSourceFile(visited, [...statics, ...body]);
    };
  };
  const { outputText, sourceMapText } = ts.transpileModule(text, {
    fileName: options.path,
    compilerOptions: {
      target: ts.ScriptTarget.ESNext,
      module: ts.ModuleKind.ESNext,
      sourceMap: true,
    },
    transformers: { after: [rewrite] },
  });
  const map = { ...JSON.parse(sourceMapText!), sources: [options.path], sourcesContent: [text] };
  const bytes = new TextEncoder().encode(JSON.stringify(map));
  const inline = btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(""));
  return outputText.replace(/^\/\/# sourceMappingURL=.*$/m, "") +
    `//# sourceMappingURL=data:application/json;base64,${inline}\n`;
}

/**
 * The esbuild plugin: every `.ts` module of the build through {@linkcode transformModule}.
 *
 * @param options Whether to make functions eager.
 * @returns The plugin.
 */
export function bundlePlugin(options: BundleOptions): esbuild.Plugin {
  return {
    name: "lua-bundle",
    setup: (build) =>
      build.onLoad({ filter: /\.ts$/ }, ({ path }) => {
        const entry = Object.values(build.initialOptions.entryPoints ?? {}).includes(path);
        const text = Deno.readTextFileSync(path);
        const contents = transformModule(text, { ...options, path, keepImports: entry });
        return { contents, loader: "js" };
      }),
  };
}
