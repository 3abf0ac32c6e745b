import path from "node:path";
import { createRequire } from "node:module";
import express, { type Router } from "express";
import { packagePublic } from "../paths";

const require = createRequire(import.meta.url);
const htmxDist = path.dirname(require.resolve("htmx.org/dist/htmx.min.js"));

/** The package's static files: built CSS, its small script, and htmx served from node_modules. */
export function assetsRouter(): Router {
  const router = express.Router();
  const cache = { maxAge: "1h", fallthrough: true };
  router.use("/htmx", express.static(htmxDist, cache));
  router.use(express.static(packagePublic, cache));
  return router;
}
