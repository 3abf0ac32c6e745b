import pg from "pg";

// Prisma stores DateTime as `timestamp without time zone` holding UTC, and @db.Date as `date`;
// node-postgres would read both as local time. These parsers read them as UTC, as Prisma does.
const TIMESTAMP = 1114;
const DATE = 1082;

const parsers: Record<number, (value: string) => unknown> = {
  [TIMESTAMP]: (value) => new Date(`${value.replace(" ", "T")}Z`),
  [DATE]: (value) => new Date(`${value}T00:00:00Z`),
};

/** Per-query type parsers for raw SQL that returns rows as Prisma would. */
export const prismaCompatibleTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    return parsers[oid] ?? pg.types.getTypeParser(oid, format ?? "text");
  },
};
