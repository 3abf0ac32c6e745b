import path from "node:path";
import { createRequire } from "node:module";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import { connectionFields } from "./src/db/connection-fields";

// prisma/orm#27403: the wasm schema engine reads pg_catalog columns of type `name` (oid 19) and
// `"char"` (oid 18) that the pg adapter cannot map; relabel them as text. Only the CLI loads this file.
const require = createRequire(import.meta.url);
const Result = require("pg/lib/result.js");
const addFields = Result.prototype.addFields;
Result.prototype.addFields = function relabelCatalogTypes(fields: Array<{ dataTypeID: number }>) {
  for (const field of fields) if (field.dataTypeID === 19 || field.dataTypeID === 18) field.dataTypeID = 25;
  return addFields.call(this, fields);
};

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  // Discrete fields, not a connection string: `migrate dev` builds its shadow database by overriding
  // `database`, and a connection string would win over it.
  async adapter() {
    return new PrismaPg({ ...connectionFields(process.env.DATABASE_URL ?? ""), idleTimeoutMillis: 200 });
  },
});
