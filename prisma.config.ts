import path from "node:path";
import { defineConfig } from "prisma/config";
import { prismaCliAdapter } from "./src/prisma-config";

// The same helper a host's prisma.config.ts uses (docs/guides/mounting-resources.md): the pg driver
// adapter with the catalog-type fix `prisma migrate` needs. Only the CLI loads this file.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  adapter: prismaCliAdapter(),
});
