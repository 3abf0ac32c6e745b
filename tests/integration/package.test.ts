/**
 * The package as a stranger gets it: `npm pack` (which runs the build; once per run, shared with
 * example-app.test.ts), the tarball installed into an empty folder next to a minimal strict
 * TypeScript host, and that host's own tools run against it: plain Node, `prisma generate` with the
 * powercrud-metadata generator, `tsc --noEmit`, and the Tailwind recipe from docs/guides/templates.md.
 * npm reuses its cache, so the install is quick.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../src/paths";
import { installedVersion, packedPackage, runCommand as run, type PackedPackage } from "../support/packed-package";

const SLOW = 300_000;
const HOST_ONLY_CLASS = "tracking-widest";
let host = "";
let packed: PackedPackage;

describe("the packed package in a strict TypeScript host", () => {
  beforeAll(() => {
    host = fs.mkdtempSync(path.join(os.tmpdir(), "powercrud-host-"));
    packed = packedPackage();
    writeHost(host, packed.tarball);
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], host);
    // As `npx prisma generate` or an npm script does: the generator's bin is found on the PATH.
    run(path.join(host, "node_modules", ".bin", "prisma"), ["generate"], host, {
      PATH: `${path.join(host, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
      CHECKPOINT_DISABLE: "1",
      DATABASE_URL: "postgresql://localhost/generate-reads-no-database",
    });
  }, SLOW);

  afterAll(() => {
    if (host) fs.rmSync(host, { recursive: true, force: true });
  });

  it("holds the built library, its views and stylesheet, and no tests, benchmarks, CI files, sources or demo", () => {
    const files = packed.files.map((file) => file.path);
    expect(files).toEqual(expect.arrayContaining([
      "dist/index.js", "dist/index.d.ts", "dist/model/types.d.ts", "dist/model/prisma-generator.js",
      "dist/prisma-config.js", "dist/dev.js", "views/powercrud/base.njk", "public/powercrud.js",
      "public/powercrud.css", "src/render/tailwind-sources.css", "src/render/tailwind-themes.css", "README.md", "package.json",
    ]));
    const unwanted = files.filter((file) =>
      /^(tests|bench|\.ci|docs|prisma|scripts|views\/demo)\//.test(file) ||
      /(^|\/)(demo|generated)\//.test(file) ||
      (file.startsWith("src/") && !["src/render/tailwind-sources.css", "src/render/tailwind-themes.css"].includes(file)) ||
      /\.(ts|map)$/.test(file) && !file.endsWith(".d.ts"));
    expect(unwanted).toEqual([]);
    const css = packed.files.find((file) => file.path === "public/powercrud.css");
    expect(css?.size).toBeGreaterThan(10_000);
  });

  it("loads under plain Node and serves its built stylesheet and htmx from crud.assets()", () => {
    const report = JSON.parse(run(process.execPath, ["serve-assets.mjs"], host));
    expect(report).toEqual({ css: 200, cssType: "text/css; charset=utf-8", htmx: 200, prismaCliAdapter: "function" });
    const cssLength = fs.statSync(path.join(host, "node_modules", "powercrud", "public", "powercrud.css")).size;
    expect(cssLength).toBeGreaterThan(10_000);
  });

  it("runs the metadata generator under plain Node (prisma generate with provider powercrud-metadata)", () => {
    const generator = fs.readFileSync(path.join(host, "node_modules", "powercrud", "dist", "model", "prisma-generator.js"), "utf8");
    expect(generator.split("\n")[0]).toBe("#!/usr/bin/env node");
    const metadata = fs.readFileSync(path.join(host, "src", "generated", "powercrud", "index.ts"), "utf8");
    expect(metadata).toContain('import type { DataModelMeta } from "powercrud/model";');
    expect(metadata).toContain('"Product"');
    expect(metadata).toContain('"Category"');
  });

  it("type-checks with the host's tsc --noEmit (strict, NodeNext, no skipLibCheck) without errors", () => {
    const tsc = path.join(packageRoot, "node_modules", "typescript", "bin", "tsc");
    expect(run(process.execPath, [tsc, "--noEmit", "-p", "."], host)).toBe("");
  }, SLOW);

  it("builds a host stylesheet from the Tailwind recipe in docs/guides/templates.md with every class the package uses", () => {
    fs.writeFileSync(path.join(host, "src", "styles.css"), documentedRecipe());
    run(path.join(host, "node_modules", ".bin", "tailwindcss"), ["-i", "src/styles.css", "-o", "public/app.css"], host);
    const hostCss = fs.readFileSync(path.join(host, "public", "app.css"), "utf8");
    const hostClasses = classSelectors(hostCss);
    expect(hostCss).toMatch(/\.pc-js\s+\.pc-no-js/);
    // The reference: what Tailwind and daisyUI make of the installed package's templates and script,
    // built here from explicit paths (independent of the recipe). The host's stylesheet and the
    // shipped one must both hold all of it.
    const installed = path.join(host, "node_modules", "powercrud");
    fs.writeFileSync(path.join(host, "src", "reference.css"), [
      '@import "tailwindcss" source(none);',
      `@source "${path.join(installed, "views", "powercrud")}";`,
      `@source "${path.join(installed, "public", "powercrud.js")}";`,
      `@source "${path.join(installed, "public", "theme.js")}";`,
      '@plugin "daisyui";',
    ].join("\n"));
    run(path.join(host, "node_modules", ".bin", "tailwindcss"), ["-i", "src/reference.css", "-o", "public/reference.css"], host);
    const reference = [...classSelectors(fs.readFileSync(path.join(host, "public", "reference.css"), "utf8"))];
    const shipped = classSelectors(fs.readFileSync(path.join(installed, "public", "powercrud.css"), "utf8"));
    expect(reference.length).toBeGreaterThan(100);
    expect(reference.filter((name) => !hostClasses.has(name))).toEqual([]);
    expect(reference.filter((name) => !shipped.has(name))).toEqual([]);
    // The host's own templates are scanned too: a utility only the host page uses.
    expect(shipped.has(HOST_ONLY_CLASS)).toBe(false);
    expect(hostClasses.has(HOST_ONLY_CLASS)).toBe(true);
    // Classes no file spells out (option-built button variants, an alert per flash kind), and x-cloak.
    expect(hostCss).toContain("[x-cloak]");
    for (const name of ["alert-success", "btn-accent", "btn-secondary", "btn-warning", "bg-primary/5", "pc-no-js"]) {
      expect(hostClasses.has(name)).toBe(true);
    }
  });
});

/** The ```css block that follows the `host-tailwind-recipe` marker in the templates guide. */
function documentedRecipe(): string {
  const guide = fs.readFileSync(path.join(packageRoot, "docs", "guides", "templates.md"), "utf8");
  const match = /<!-- host-tailwind-recipe -->\s*```css\n([\s\S]*?)```/.exec(guide);
  if (!match?.[1]) throw new Error("docs/guides/templates.md: no css block after <!-- host-tailwind-recipe -->");
  return match[1];
}

/** Class names in selectors (a name starts with a letter, `_`, `-` or an escape; `.5s` is a number). */
function classSelectors(css: string): Set<string> {
  return new Set([...css.matchAll(/\.((?:\\.|[a-zA-Z_-])(?:\\.|[\w-])*)/g)].map((match) => match[1]!.replace(/\\(.)/g, "$1")));
}

function writeHost(directory: string, tarball: string): void {
  const dependencies = Object.fromEntries(
    ["prisma", "@prisma/client", "@types/node", "tailwindcss", "@tailwindcss/cli", "daisyui"].map((name) => [name, installedVersion(name)]),
  );
  const files: Record<string, string> = {
    "package.json": JSON.stringify({ name: "host", private: true, type: "module", dependencies: { powercrud: `file:${tarball}`, ...dependencies } }, null, 2),
    "tsconfig.json": JSON.stringify({
      compilerOptions: {
        target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", types: ["node"], noEmit: true,
        strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: false,
      },
      include: ["src", "prisma.config.ts"],
    }, null, 2),
    "prisma.config.ts": [
      'import { defineConfig } from "prisma/config";',
      'import { prismaCliAdapter } from "powercrud/prisma-config";',
      "",
      'export default defineConfig({ experimental: { adapter: true }, engine: "js", schema: "prisma/schema.prisma", adapter: prismaCliAdapter() });',
      "",
    ].join("\n"),
    "prisma/schema.prisma": `
generator client {
  provider     = "prisma-client"
  output       = "../src/generated/prisma"
  engineType   = "client"
  moduleFormat = "esm"
}

generator powercrud {
  provider = "powercrud-metadata"
  output   = "../src/generated/powercrud"
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Product {
  id         String    @id @default(uuid()) @db.Uuid
  name       String
  categoryId Int?
  category   Category? @relation(fields: [categoryId], references: [id])
}

model Category {
  id       Int       @id @default(autoincrement())
  name     String
  products Product[]
}
`,
    "src/main.ts": `
import express from "express";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { createPowerCrud, ConfigError, HttpError, type PowerCrudOptions, type ResourceOptions, type PermissionContext } from "powercrud";
import type { DataModelMeta } from "powercrud/model";
import type { EmbeddedDatabase } from "powercrud/dev";
import { PrismaClient } from "./generated/prisma/client.js";
import { dataModel } from "./generated/powercrud/index.js";

const url = process.env.DATABASE_URL ?? "";
const pool = new pg.Pool({ connectionString: url });
const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
const metadata: DataModelMeta = dataModel;
const options: PowerCrudOptions = { prisma, pool, dataModel: metadata, getUser: () => undefined };
const crud = createPowerCrud(options);
const products: ResourceOptions = { model: "Product", title: "Products" };
const canSee = (context: PermissionContext): boolean => context.user !== undefined;

const app = express();
app.use("/powercrud-assets", crud.assets());
app.use(crud.protect());
app.use("/products", crud.resource(products));
app.use("/tasks", crud.tasks());
app.use(crud.errorHandler());
export const database: EmbeddedDatabase | undefined = undefined;
export { app, canSee, ConfigError, HttpError };
`,
    // Plain Node, no TypeScript: the entry points resolve through "exports" and the assets are there.
    "serve-assets.mjs": `
import express from "express";
import pg from "pg";
import { createPowerCrud } from "powercrud";
import { prismaCliAdapter } from "powercrud/prisma-config";

const crud = createPowerCrud({ prisma: { $transaction() {} }, pool: new pg.Pool(), dataModel: { models: {}, enums: {} } });
const app = express();
app.use("/powercrud-assets", crud.assets());
const server = app.listen(0, "127.0.0.1", async () => {
  const base = "http://127.0.0.1:" + server.address().port + "/powercrud-assets";
  const css = await fetch(base + "/powercrud.css");
  const htmx = await fetch(base + "/htmx/htmx.min.js");
  console.log(JSON.stringify({ css: css.status, cssType: css.headers.get("content-type"), htmx: htmx.status, prismaCliAdapter: typeof prismaCliAdapter }));
  process.exit(0);
});
`,
    "views/home.njk": `<p class="${HOST_ONLY_CLASS}">Host page</p>\n`,
  };
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(directory, name)), { recursive: true });
    fs.writeFileSync(path.join(directory, name), content);
  }
}
