import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// Tailwind builds only the class names it finds whole in the files styles.css points it at. A class
// used by a template or a script but missing from the built stylesheet renders unstyled without any
// error (success toasts once had no colour that way). This test reads every class name the templates
// and scripts can put on an element and checks each one is defined in public/powercrud.css, which
// `pretest` builds before the tests run.

const root = path.resolve(import.meta.dirname, "../..");
const builtCss = path.join(root, "public/powercrud.css");

/** Classes that are hooks for scripts and tests, or styled by htmx itself, not by the stylesheet. */
const isHook = (name: string) => name.startsWith("pc-") || name.startsWith("htmx-");

interface Use {
  name: string;
  where: string;
}

function filesUnder(folder: string, suffix: string): string[] {
  return fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

const quoted = /"([^"\\]*)"|'([^'\\]*)'/g;
const literals = (code: string) => Array.from(code.matchAll(quoted), (match) => match[1] ?? match[2] ?? "");
const words = (text: string) => text.split(/\s+/).filter(Boolean);

/**
 * The class strings a Nunjucks expression can produce: the literals of `A if cond else B` without the
 * ones in `cond`, a `*Class`/`*Classes` variable's values (dict values, not keys), or the literals of
 * a plain variable set in the same file. Anything else cannot be checked and is refused.
 */
function expressionClasses(expression: string, sets: Map<string, string>, where: string): string[] {
  const inline = /^(.*?)\s+if\s+.*?(?:\s+else\s+(.*))?$/s.exec(expression);
  if (inline) return [...literals(inline[1]!), ...literals(inline[2] ?? "")];
  if (/^\s*(["']).*\1\s*$/s.test(expression)) return literals(expression);
  const variable = /^\s*([A-Za-z_]\w*)(?:\[[\w.]+\])?\s*$/.exec(expression)?.[1];
  const value = variable === undefined ? undefined : sets.get(variable);
  if (value === undefined) throw new Error(`${where}: the class attribute prints "${expression.trim()}", whose class names cannot be read; use literal, full class names`);
  return value.trim().startsWith("{") ? dictValues(value) : expressionClasses(value, sets, where);
}

/** The values of a `{ "key": "value", ... }` literal. */
const dictValues = (dict: string) => Array.from(dict.matchAll(/:\s*(?:"([^"]*)"|'([^']*)')/g), (match) => match[1] ?? match[2] ?? "");

/** The text of every class="..." attribute, reading past quotes inside {{ }} and {% %} tags. */
function classAttributes(source: string): string[] {
  const values: string[] = [];
  for (const start of source.matchAll(/\bclass="/g)) {
    let index = start.index + start[0].length;
    let value = "";
    while (index < source.length && source[index] !== '"') {
      const tag = /^(\{\{.*?\}\}|\{%.*?%\})/s.exec(source.slice(index, index + 2000));
      const piece = tag ? tag[1]! : source[index]!;
      value += piece;
      index += piece.length;
    }
    values.push(value);
  }
  return values;
}

/** The class names a template can render, and the {% set %} variables they come from. */
export function templateClasses(source: string, file: string): Use[] {
  const sets = new Map(Array.from(source.matchAll(/\{%-?\s*set\s+(\w+)\s*=\s*(.*?)\s*-?%\}/gs), (match) => [match[1]!, match[2]!]));
  const uses: Use[] = [];
  for (const attribute of classAttributes(source)) {
    const where = `${file}: class="${attribute}"`;
    // Text glued to a tag ("btn-{{ variant }}") is a class name built at render time, which Tailwind
    // never sees whole. Allowed only where the tag's output starts with a space (" input-error").
    for (const glued of attribute.matchAll(/(\S)(\{\{(.*?)\}\})|(\{\{(.*?)\}\})([^\s{])/gs)) {
      const expression = glued[3] ?? glued[5]!;
      const produced = expressionClasses(expression, sets, where);
      const safe = glued[1] !== undefined ? produced.every((text) => text === "" || /^\s/.test(text)) : produced.every((text) => text === "" || /\s$/.test(text));
      if (!safe) throw new Error(`${where}: a class name is built by gluing text to {{${expression}}}; write full class names`);
    }
    for (const tag of attribute.matchAll(/\{\{(.*?)\}\}/gs)) {
      for (const text of expressionClasses(tag[1]!, sets, where)) uses.push(...words(text).map((name) => ({ name, where })));
    }
    const plain = attribute.replace(/\{\{.*?\}\}|\{%.*?%\}/gs, " ");
    uses.push(...words(plain).map((name) => ({ name, where })));
  }
  return uses;
}

/** Class names a script sets: className and class="..." strings, classList calls, *Classes maps. */
export function scriptClasses(source: string, file: string): Use[] {
  const uses: Use[] = [];
  const add = (text: string, where: string) => uses.push(...words(text).map((name) => ({ name, where: `${file}: ${where}` })));
  for (const match of source.matchAll(/\.className\s*=\s*([^;]*);/g)) {
    if (/["']\s*\+|\+\s*["']/.test(match[1]!)) throw new Error(`${file}: "${match[0]}" builds a class name from pieces; write full class names`);
    for (const text of literals(match[1]!)) add(text, match[0]);
  }
  for (const match of source.matchAll(/\.classList\.(add|remove|toggle|replace)\(([^)]*)\)/g)) {
    if (/["']\s*\+|\+\s*["']/.test(match[2]!)) throw new Error(`${file}: "${match[0]}" builds a class name from pieces; write full class names`);
    const args = match[1] === "toggle" ? match[2]!.split(",")[0]! : match[2]!;
    for (const text of literals(args)) add(text, match[0]);
  }
  for (const match of source.matchAll(/\b\w*(?:Class|Classes)\s*=\s*(\{[^}]*\})/g)) {
    for (const text of dictValues(match[1]!)) add(text, match[0].split("=")[0]!.trim());
  }
  for (const match of source.matchAll(/class=\\?["']([^"'\\]*)/g)) add(match[1]!, match[0]);
  return uses;
}

/** Whether the stylesheet has a rule for `.name`, with the name escaped as Tailwind writes it. */
function definedIn(css: string, name: string): boolean {
  const escaped = name.replace(/[^A-Za-z0-9_-]/g, (char) => `\\${char}`);
  return new RegExp(`\\.${escaped.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")}(?![A-Za-z0-9_\\\\-])`).test(css);
}

function allUses(): Use[] {
  const templates = filesUnder(path.join(root, "views"), ".njk").flatMap((file) =>
    templateClasses(fs.readFileSync(file, "utf8"), path.relative(root, file)),
  );
  const scripts = filesUnder(path.join(root, "public"), ".js").flatMap((file) =>
    scriptClasses(fs.readFileSync(file, "utf8"), path.relative(root, file)),
  );
  return [...templates, ...scripts];
}

describe("classes used by templates and scripts", () => {
  it("are all in the built stylesheet", () => {
    const css = fs.readFileSync(builtCss, "utf8");
    const uses = allUses();
    // The extraction itself must see the classes this test exists for, or it proves nothing.
    const names = new Set(uses.map((use) => use.name));
    for (const expected of ["alert-success", "alert-error", "btn-primary", "btn-ghost", "bg-primary/5", "opacity-60", "sm:col-span-2", "select-error"]) {
      expect(names, `the extraction finds ${expected}`).toContain(expected);
    }
    const missing = uses.filter((use) => !isHook(use.name) && !definedIn(css, use.name));
    expect(missing.map((use) => `${use.name}  (${use.where})`)).toEqual([]);
  });

  it("include every button variant the options allow", async () => {
    const { resourceSchema } = await import("../../src/config/resource-schema");
    const variants = variantOptions(resourceSchema);
    expect(variants.length).toBeGreaterThan(1);
    for (const file of ["views/powercrud/list.njk", "views/powercrud/partials/table-row.njk"]) {
      const source = fs.readFileSync(path.join(root, file), "utf8");
      const dict = /\{%\s*set\s+variantClasses\s*=\s*(\{.*?\})\s*%\}/s.exec(source)?.[1];
      expect(dict, `${file} sets variantClasses`).toBeDefined();
      const keys = Array.from(dict!.matchAll(/"(\w+)"\s*:/g), (match) => match[1]);
      expect(keys.sort(), file).toEqual([...variants].sort());
    }
  });
});

describe("the class extraction", () => {
  it("refuses class names glued together at render time", () => {
    expect(() => templateClasses('<a class="btn btn-{{ action.variant }}">', "t.njk")).toThrow(/cannot be read/);
    expect(() => templateClasses("<a class=\"btn btn-{{ 'primary' if main else 'ghost' }}\">", "t.njk")).toThrow(/gluing/);
    expect(() => scriptClasses('el.className = "alert alert-" + kind;', "t.js")).toThrow(/pieces/);
    expect(() => scriptClasses('el.classList.add("badge-" + kind);', "t.js")).toThrow(/pieces/);
  });

  it("reads literals, inline ifs, variables and class maps", () => {
    const template = [
      '{% set state = " input-error" if error else "" %}',
      '{% set kindClasses = { "ok": "alert-success", "bad": "alert-error" } %}',
      '<input class="input w-full{{ state }}">',
      "<td class=\"{{ 'text-right tabular-nums' if format in ['integer', 'number'] else 'truncate' }}\">",
      '<div class="alert {{ kindClasses[item.kind] }}">',
    ].join("\n");
    expect(templateClasses(template, "t.njk").map((use) => use.name).sort()).toEqual(
      ["alert", "alert-error", "alert-success", "input", "input-error", "tabular-nums", "text-right", "truncate", "w-full"].sort(),
    );
    const script = 'var toastClasses = { ok: "alert alert-success" }; row.classList.toggle("bg-primary/5", on); el.className = "a b";';
    expect(scriptClasses(script, "t.js").map((use) => use.name).sort()).toEqual(["a", "alert", "alert-success", "b", "bg-primary/5"]);
  });

  it("finds escaped names in minified CSS and only whole names", () => {
    const css = ".btn{x}.btn-xs{y}.bg-primary\\/5{z}.sm\\:col-span-2{w}";
    expect(definedIn(css, "bg-primary/5")).toBe(true);
    expect(definedIn(css, "sm:col-span-2")).toBe(true);
    expect(definedIn(css, "btn")).toBe(true);
    expect(definedIn(css, "btn-x")).toBe(false);
    expect(definedIn(css, "alert-success")).toBe(false);
  });
});

/** The `variant` values the options allow for row actions and toolbar buttons, read from the zod schema. */
function variantOptions(schema: unknown): string[] {
  type Options = { unwrap(): { element: { shape: { variant: { unwrap(): { options: string[] } } } } } };
  const shape = (schema as { shape: Record<"rowActions" | "toolbar", Options> }).shape;
  return [...new Set([shape.rowActions, shape.toolbar].flatMap((list) => list.unwrap().element.shape.variant.unwrap().options))];
}
