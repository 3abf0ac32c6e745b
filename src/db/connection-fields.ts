export interface ConnectionFields {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

/** Splits a postgres:// URL into the discrete fields that Prisma's migrate needs (see prisma.config.ts). */
export function connectionFields(url: string): ConnectionFields {
  if (!url) throw new Error("DATABASE_URL is not set");
  const parsed = new URL(url);
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) {
    throw new Error(`DATABASE_URL must start with postgres:// or postgresql://, got ${parsed.protocol}//`);
  }
  return {
    host: parsed.hostname || "localhost",
    port: parsed.port ? Number(parsed.port) : 5432,
    database: decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "postgres",
    user: decodeURIComponent(parsed.username) || "postgres",
    password: decodeURIComponent(parsed.password),
  };
}

export function connectionUrl(fields: ConnectionFields): string {
  const auth = `${encodeURIComponent(fields.user)}:${encodeURIComponent(fields.password)}`;
  return `postgresql://${auth}@${fields.host}:${fields.port}/${encodeURIComponent(fields.database)}`;
}

/** The same server, another database (used to create the target database before migrating). */
export function withDatabase(url: string, database: string): string {
  return connectionUrl({ ...connectionFields(url), database });
}
