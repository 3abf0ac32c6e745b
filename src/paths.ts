import path from "node:path";
import { fileURLToPath } from "node:url";

/** The package root (where package.json, views/ and public/ live), wherever the host runs from. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const packageViews = path.join(packageRoot, "views");
export const packagePublic = path.join(packageRoot, "public");
