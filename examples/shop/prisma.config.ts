import { defineConfig } from "prisma/config";
import { prismaCliAdapter } from "powercrud/prisma-config";

// Prisma 6.19.3's CLI with the pg driver adapter and its WebAssembly schema engine: nothing to
// download. prismaCliAdapter() reads DATABASE_URL and carries the fix `prisma migrate` needs.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  adapter: prismaCliAdapter(),
});
