import type { Request } from "express";
import type pg from "pg";
import { readOne, type ScalarRead } from "../db/read-together";

declare module "express-session" {
  interface SessionData {
    powercrudColumns?: Record<string, string[]>;
  }
}

/**
 * Which columns a user chose for a list. Signed-in users (those with a user key) keep their choice in
 * the powercrud.list_preference table, so it follows them across sessions and devices; anyone else
 * keeps it in the session.
 */
export class ColumnPreferences {
  constructor(private readonly pool: pg.Pool) {}

  async load(req: Request, userKey: string | undefined, list: string): Promise<string[] | undefined> {
    return userKey ? readOne(this.pool, this.read(userKey, list)) : this.inSession(req, list);
  }

  /** A signed-in user's choice, as a read that can share a statement with others (readTogether). */
  read(userKey: string, list: string): ScalarRead<string[] | undefined> {
    return {
      sql: `SELECT columns FROM powercrud.list_preference WHERE "userKey" = $1 AND resource = $2`,
      params: [userKey, list],
      parse: (columns) => (columns as string[] | null) ?? undefined,
    };
  }

  /** The choice of someone without a user key. */
  inSession(req: Request, list: string): string[] | undefined {
    return req.session?.powercrudColumns?.[list];
  }

  async save(req: Request, userKey: string | undefined, list: string, columns: string[]): Promise<void> {
    if (!userKey) {
      if (req.session) req.session.powercrudColumns = { ...req.session.powercrudColumns, [list]: columns };
      return;
    }
    await this.pool.query(
      `INSERT INTO powercrud.list_preference ("userKey", resource, columns, "updatedAt") VALUES ($1, $2, $3, now())
       ON CONFLICT ("userKey", resource) DO UPDATE SET columns = EXCLUDED.columns, "updatedAt" = now()`,
      [userKey, list, columns],
    );
  }

  async reset(req: Request, userKey: string | undefined, list: string): Promise<void> {
    if (!userKey) {
      if (req.session?.powercrudColumns) delete req.session.powercrudColumns[list];
      return;
    }
    await this.pool.query(`DELETE FROM powercrud.list_preference WHERE "userKey" = $1 AND resource = $2`, [userKey, list]);
  }
}
