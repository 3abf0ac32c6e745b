import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import express, { type Router } from "express";
import { packagePublic } from "../paths";

const require = createRequire(import.meta.url);
const htmxDist = path.dirname(require.resolve("htmx.org/dist/htmx.min.js"));

/** The files the templates load, by the path under the assets URL that serves them. */
const FILES: Record<string, string> = {
  "powercrud.css": path.join(packagePublic, "powercrud.css"),
  "powercrud.js": path.join(packagePublic, "powercrud.js"),
  "theme.js": path.join(packagePublic, "theme.js"),
  "htmx/htmx.min.js": path.join(htmxDist, "htmx.min.js"),
};

const versions = new Map<string, string>();

/**
 * A short hash of an asset's content, for its URL (`powercrud.css?v=3f2a…`): a new build gets a new
 * URL, so browsers may keep each version for a year without ever showing a stale one.
 */
export function assetVersion(name: string): string {
  let version = versions.get(name);
  if (version === undefined) {
    const file = FILES[name];
    version = file && fs.existsSync(file) ? createHash("sha256").update(fs.readFileSync(file)).digest("hex").slice(0, 12) : "";
    versions.set(name, version);
  }
  return version;
}

/**
 * The package's static files: built CSS, its small script, and htmx served from node_modules. A
 * request that names the current version (`?v=`) is cached for a year as immutable; any other for an hour.
 */
export function assetsRouter(): Router {
  const router = express.Router();
  const options = {
    maxAge: "1h",
    fallthrough: true,
    setHeaders(res: express.Response, file: string) {
      const name = Object.keys(FILES).find((key) => FILES[key] === file);
      const wanted = (res.req.query as Record<string, unknown>).v;
      if (name && wanted !== undefined && wanted === assetVersion(name)) res.set("Cache-Control", "public, max-age=31536000, immutable");
    },
  };
  router.use("/htmx", express.static(htmxDist, options));
  router.use(express.static(packagePublic, options));
  return router;
}
