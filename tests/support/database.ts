import { inject } from "vitest";
import { createPool, createPrisma } from "../../src/db/clients";

export const databaseUrl = (): string => inject("databaseUrl");

/** Pool and Prisma client on the run's test database; close them in afterAll. */
export function connect() {
  const url = databaseUrl();
  const pool = createPool(url);
  const prisma = createPrisma(url);
  return {
    url,
    pool,
    prisma,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
