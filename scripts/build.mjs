#!/usr/bin/env node
/**
 * Builds the publishable library into dist/: tsc (tsconfig.build.json) emits ESM and .d.ts, then the
 * relative specifiers are given the explicit `.js` / `/index.js` that Node's ESM loader and a host's
 * `moduleResolution: "nodenext"` require. The sources keep extensionless imports (tsx and vitest
 * resolve those), so this rewrite is the one place that knows about the difference.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");

fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});

// `from "./x"`, `import("./x")`, `import "./x"` and `declare module "./x"` with a relative specifier.
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\bdeclare\s+module\s+)(["'])(\.{1,2}(?:\/[^"']*)?)\2/g;

for (const file of walk(dist)) {
  if (!/\.(js|d\.ts)$/.test(file)) continue;
  const source = fs.readFileSync(file, "utf8");
  const rewritten = source.replace(SPECIFIER, (match, lead, quote, specifier) => {
    const resolved = withExtension(path.dirname(file), specifier);
    if (!resolved) throw new Error(`${path.relative(root, file)}: cannot resolve ${specifier}`);
    return `${lead}${quote}${resolved}${quote}`;
  });
  if (rewritten !== source) fs.writeFileSync(file, rewritten);
}
for (const bin of [["model", "prisma-generator.js"], ["cli.js"]]) fs.chmodSync(path.join(dist, ...bin), 0o755);

function withExtension(directory, specifier) {
  if (/\.(m?js|json)$/.test(specifier)) return specifier;
  if (specifier === "." || specifier === "..") return `${specifier}/index.js`;
  if (fs.existsSync(path.join(directory, `${specifier}.js`))) return `${specifier}.js`;
  if (fs.existsSync(path.join(directory, specifier, "index.js"))) return `${specifier}/index.js`;
  return null;
}

function* walk(directory) {
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}
