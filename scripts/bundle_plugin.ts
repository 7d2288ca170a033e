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
 * - **Eager functions** (the Deno bundle). V8 compiles a parenthesized function when it compiles
 *   its script, and Deno keeps what it compiled in its V8 code cache; any other function is
 *   compiled again by every run that calls it (docs/benchmarks.md). So an eager arrow function
 *   or function expression is parenthesized, and an eager `function f() {}` becomes
 *   `var f = (function f() {})` at the top of its scope, still defined before any other
 *   statement of the scope runs. Only declarations directly in a module or a function body
 *   move: a declaration in a nested block is scoped to that block, and stays as it is. Methods
 *   stay lazy. Which functions are eager: all, or those a profile saw run (`eager` as a set of
 *   {@linkcode functionId}s), since every eager function is also read from the cache by runs
 *   that never call it. The profile build (`profile: true`) records in
 *   `globalThis.__luaProfile` (a `Set`) the id of each function as it runs. Node 20 has no code
 *   cache for ES modules, so the npm build keeps its functions lazy.
 *
 * @module
 */

import type * as esbuild from "esbuild";
import ts from "typescript";
import { dirname, resolve } from "node:path";

/** Options of {@linkcode bundlePlugin} and {@linkcode transformModule}. */
export interface BundleOptions {
  /** The functions V8 compiles with the bundle: none, all, or these {@linkcode functionId}s. */
  eager: boolean | ReadonlySet<string>;
  /** Record each function's id in `globalThis.__luaProfile` when it runs (the profile build). */
  profile?: boolean;
}

/**
 * A function's id in a profile: its file and the line and column where it starts.
 *
 * @example
 * ```ts
 * import { functionId } from "./bundle_plugin.ts";
 * import assert from "node:assert/strict";
 * import ts from "typescript";
import { dirname, resolve } from "node:path";
 * const file = ts.createSourceFile("/p/m.ts", "// f\nexport function f() {}\n", ts.ScriptTarget.ESNext);
 * assert.equal(functionId(file, file.statements[0]!), "/p/m.ts:2:1");
 * ```
 *
 * @param file The module, as TypeScript parsed it.
 * @param node The function, a node of that module.
 * @returns `path:line:column`, both counted from 1.
 */
export function functionId(file: ts.SourceFile, node: ts.Node): string {
  const original = ts.getOriginalNode(node);
  const scanner = ts.createScanner(
    ts.ScriptTarget.ESNext,
    true,
    ts.LanguageVariant.Standard,
    file.text,
  );
  scanner.resetTokenState(original.pos);
  scanner.scan();
  const { line, character } = file.getLineAndCharacterOfPosition(scanner.getTokenStart());
  return `${file.fileName}:${line + 1}:${character + 1}`;
}

/** The statements of a scope with its function declarations first, as eager expressions. */
function hoisted(
  f: ts.NodeFactory,
  statements: readonly ts.Statement[],
  module: boolean,
  eager: (node: ts.Node) => boolean,
): ts.Statement[] {
  const moved: ts.Statement[] = [];
  const rest: ts.Statement[] = [];
  for (const s of statements) {
    const kinds = ts.canHaveModifiers(s) ? (ts.getModifiers(s) ?? []).map((m) => m.kind) : [];
    if (!ts.isFunctionDeclaration(s) || !s.name || !s.body || !eager(s)) rest.push(s);
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
 * @param options Its path (for the map), whether to make functions eager, whether to keep its
 * `import()`s of project modules (an entry point's), and the value exports of the module a
 * specifier names ({@linkcode valueExports}; without them, a namespace is imported).
 * @returns JavaScript ending in a `sourceMappingURL` data URL.
 */
export function transformModule(
  text: string,
  options: BundleOptions & {
    path: string;
    keepImports: boolean;
    exportsOf?: (specifier: string) => readonly string[] | undefined;
  },
): string {
  const rewrite: ts.TransformerFactory<ts.SourceFile> = (context) => {
    const f = context.factory;
    const statics: ts.Statement[] = [];
    let file: ts.SourceFile;
    const { eager: which } = options;
    const eager = (node: ts.Node): boolean =>
      which === true || (which !== false && which.has(functionId(file, node)));
    /** `globalThis.__luaProfile.add("<id>")`, the first statement of a profiled function. */
    const record = (node: ts.Node): ts.Statement =>
      f.createExpressionStatement(f.createCallExpression(
        f.createPropertyAccessExpression(
          f.createPropertyAccessExpression(f.createIdentifier("globalThis"), "__luaProfile"),
          "add",
        ),
        undefined,
        [f.createStringLiteral(functionId(file, node))],
      ));
    /** A function with {@linkcode record} first in its body (an arrow's expression returned). */
    const profiled = (node: ts.Node): ts.Node => {
      if (
        !ts.isArrowFunction(node) && !ts.isFunctionDeclaration(node) &&
        !ts.isFunctionExpression(node)
      ) return node;
      const { body } = node;
      if (body === undefined) return node;
      const recorded = ts.isBlock(body)
        ? f.updateBlock(body, [record(node), ...body.statements])
        : f.createBlock([record(node), f.createReturnStatement(body)]);
      return ts.visitEachChild(node, (child) => child === body ? recorded : child, context);
    };
    const visitor = (parent: ts.Node) => (node: ts.Node): ts.Node => {
      if (
        ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]!) &&
        /^\.\.?\//.test(node.arguments[0].text) && !options.keepImports
      ) {
        const specifier = node.arguments[0].text;
        const names = options.exportsOf?.(specifier);
        let value: ts.Expression;
        let clause: ts.ImportClause;
        if (names) {
          // Named imports and an object of them: esbuild then builds no namespace object, whose
          // getters every run would define at start-up.
          const locals = names.map((name) => [name, f.createUniqueName(name)] as const);
          clause = f.createImportClause(
            false,
            undefined,
            f.createNamedImports(
              locals.map(([name, local]) =>
                f.createImportSpecifier(false, f.createIdentifier(name), local)
              ),
            ),
          );
          value = f.createObjectLiteralExpression(
            locals.map(([name, local]) => f.createPropertyAssignment(name, local)),
          );
        } else {
          const namespace = f.createUniqueName("module");
          clause = f.createImportClause(false, undefined, f.createNamespaceImport(namespace));
          value = namespace;
        }
        statics.push(
          f.createImportDeclaration(undefined, clause, f.createStringLiteral(specifier)),
        );
        const resolved = f.createPropertyAccessExpression(f.createIdentifier("Promise"), "resolve");
        return ts.setTextRange(f.createCallExpression(resolved, undefined, [value]), node);
      }
      const visited = ts.visitEachChild(node, visitor(node), context);
      if (options.profile) return profiled(visited);
      if (which === false) return visited;
      if (ts.isBlock(visited) && ts.isFunctionLike(parent)) {
        return f.updateBlock(visited, hoisted(f, visited.statements, false, eager));
      }
      if (
        (ts.isArrowFunction(visited) || ts.isFunctionExpression(visited)) &&
        !ts.isParenthesizedExpression(parent) && eager(visited)
      ) {
        return f.createParenthesizedExpression(visited);
      }
      return visited;
    };
    return (source) => {
      file = source;
      const visited = ts.visitEachChild(source, visitor(source), context);
      const body = which === false || options.profile
        ? visited.statements
        : hoisted(f, visited.statements, true, eager);
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
 * The names a module exports as values, or `undefined` when it re-exports with `export *`.
 *
 * @example
 * ```ts
 * import { valueExports } from "./bundle_plugin.ts";
 * import assert from "node:assert/strict";
 * const text = "export const a = 1;\nexport function b() {}\nexport type C = 1;\nexport { a as d };\n";
 * assert.deepEqual(valueExports(text), ["a", "b", "d"]);
 * assert.equal(valueExports('export * from "./x.ts";\n'), undefined);
 * ```
 *
 * @param text A module's TypeScript.
 * @returns Its value exports, sorted.
 */
export function valueExports(text: string): string[] | undefined {
  const file = ts.createSourceFile("x.ts", text, ts.ScriptTarget.ESNext);
  const names: string[] = [];
  const exported = (node: ts.Node): boolean =>
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const s of file.statements) {
    if (ts.isExportDeclaration(s)) {
      if (s.isTypeOnly) continue;
      if (!s.exportClause || !ts.isNamedExports(s.exportClause)) return undefined;
      for (const e of s.exportClause.elements) if (!e.isTypeOnly) names.push(e.name.text);
    } else if (!exported(s)) continue;
    else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) return undefined;
        names.push(d.name.text);
      }
    } else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) {
      names.push(s.name.text);
    } else if (ts.isEnumDeclaration(s)) names.push(s.name.text);
  }
  return names.sort();
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
        const exportsOf = (specifier: string): string[] | undefined =>
          valueExports(Deno.readTextFileSync(resolve(dirname(path), specifier)));
        const contents = transformModule(text, { ...options, path, keepImports: entry, exportsOf });
        return { contents, loader: "js" };
      }),
  };
}
