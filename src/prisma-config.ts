/**
 * Helpers for a host's `prisma.config.ts` (Prisma 6.19 with the pg driver adapter and the
 * WebAssembly schema engine, so `prisma migrate` needs no downloaded engines):
 *
 *   import { defineConfig } from "prisma/config";
 *   import { prismaCliAdapter } from "powercrud/prisma-config";
 *   export default defineConfig({ experimental: { adapter: true }, engine: "js", schema: "prisma/schema.prisma",
 *     adapter: prismaCliAdapter() });
 */
import { createRequire } from "node:module";
import { PrismaPg } from "@prisma/adapter-pg";
import { connectionFields } from "./db/connection-fields";

interface PgResult {
  prototype: { addFields(fields: Array<{ dataTypeID: number }>): void };
}

const NAME_OID = 19;
const CHAR_OID = 18;
const TEXT_OID = 25;
let relabelled = false;

/**
 * prisma/orm#27403: the schema engine reads pg_catalog columns of type `name` (oid 19) and `"char"`
 * (oid 18) that the pg adapter cannot map ("Column type 'name' could not be deserialized"); this
 * relabels them as text. It patches the `pg` that @prisma/adapter-pg loads, once; only the CLI needs it.
 */
export function relabelPgCatalogTypes(): void {
  if (relabelled) return;
  const adapterRequire = createRequire(createRequire(import.meta.url).resolve("@prisma/adapter-pg"));
  const Result = adapterRequire("pg/lib/result.js") as PgResult;
  const addFields = Result.prototype.addFields;
  Result.prototype.addFields = function relabelCatalogTypes(fields) {
    for (const field of fields) if (field.dataTypeID === NAME_OID || field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    return addFields.call(this, fields);
  };
  relabelled = true;
}

const LONG_TIMER_MS = 5_000;
let timersUnrefd = false;

/**
 * Prisma 6's WebAssembly schema engine leaves 10 s and 60 s timers armed, so `prisma migrate deploy`
 * does its work in about two seconds and then sits idle until they fire. Unref'd, they no longer keep
 * the CLI alive. Only the CLI loads prisma.config.ts, so only the CLI is affected.
 */
export function unrefLongTimers(): void {
  if (timersUnrefd) return;
  const setTimeoutBefore = globalThis.setTimeout;
  const unrefLong = (handler: TimerHandler, ms?: number, ...args: unknown[]) => {
    const timer = setTimeoutBefore(handler as (...args: unknown[]) => void, ms, ...args);
    if (typeof ms === "number" && ms >= LONG_TIMER_MS) timer.unref();
    return timer;
  };
  globalThis.setTimeout = Object.assign(unrefLong, setTimeoutBefore) as typeof setTimeout;
  timersUnrefd = true;
}

/**
 * The `adapter` of a prisma.config.ts: a pg adapter for the Prisma CLI with the catalog-type fix
 * applied, and the CLI's long timers unref'd. It passes discrete connection fields, not a connection
 * string, because `migrate dev` builds its shadow database by overriding `database` and a connection
 * string would win over it.
 */
export function prismaCliAdapter(options: { url?: string } = {}): () => Promise<PrismaPg> {
  relabelPgCatalogTypes();
  unrefLongTimers();
  return async () => new PrismaPg({ ...connectionFields(options.url ?? process.env.DATABASE_URL ?? ""), idleTimeoutMillis: 200 });
}
