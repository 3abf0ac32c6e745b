import type pg from "pg";
import { readOne, type ScalarRead } from "../db/read-together";

/** A named list state: the list's query (search, filters, sort, page size) and the columns shown. */
export interface SavedView {
  id: number;
  name: string;
  /** The canonical list query, without "?" or page. */
  query: string;
  /** The visible columns when it was saved; null: the user's own choice stays. */
  columns: string[] | null;
  shared: boolean;
  ownerKey: string;
  ownerName: string | null;
}

/** Views one user may keep on one list: enough for any real use, and a bound on the menu. */
export const MAX_VIEWS_PER_USER = 100;
export const MAX_VIEW_NAME = 100;
/** Shared views by others listed in a menu, newest first beyond this are left out. */
const MAX_SHARED_LISTED = 100;

export class DuplicateViewName extends Error {}
export class TooManyViews extends Error {}

const COLUMNS = `id, name, query, columns, shared, "ownerKey", "ownerName"`;

/**
 * Saved views in powercrud.saved_view, one row each, keyed by the list (its mount path, as column
 * preferences are) and the owner's user key. Every statement names the owner or asks for a shared
 * view, so a user never reads or changes another user's private view.
 */
export class SavedViewStore {
  constructor(private readonly pool: pg.Pool) {}

  /** The user's own views, then the views others share, each by name. */
  visible(list: string, userKey: string): Promise<SavedView[]> {
    return readOne(this.pool, this.visibleRead(list, userKey));
  }

  /** visible() as a read that can share a statement with others (readTogether). */
  visibleRead(list: string, userKey: string): ScalarRead<SavedView[]> {
    return {
      sql: `SELECT json_agg(v ORDER BY others, lower(name), id) FROM (
              (SELECT ${COLUMNS}, false AS others FROM powercrud.saved_view WHERE resource = $1 AND "ownerKey" = $2)
              UNION ALL
              (SELECT ${COLUMNS}, true FROM powercrud.saved_view WHERE resource = $1 AND shared AND "ownerKey" <> $2 ORDER BY id DESC LIMIT ${MAX_SHARED_LISTED})
            ) v`,
      params: [list, userKey],
      parse: (views) => ((views ?? []) as Array<SavedView & { others: boolean }>).map(({ others: _others, ...view }) => view),
    };
  }

  /** One view the user may apply: their own or a shared one. */
  async find(list: string, userKey: string, id: number): Promise<SavedView | undefined> {
    const { rows } = await this.pool.query<SavedView>(
      `SELECT ${COLUMNS} FROM powercrud.saved_view WHERE id = $1 AND resource = $2 AND ("ownerKey" = $3 OR shared)`,
      [id, list, userKey],
    );
    return rows[0];
  }

  /** Saves a new view; at most MAX_VIEWS_PER_USER per user and list, one of each name. */
  async create(list: string, owner: { key: string; name: string | undefined }, view: Pick<SavedView, "name" | "query" | "columns" | "shared">): Promise<number> {
    try {
      // The count and the insert are one statement, so two quick saves cannot pass the limit together
      // unnoticed by more than the one row the unique name already bounds.
      const { rows } = await this.pool.query<{ id: number }>(
        `INSERT INTO powercrud.saved_view (resource, "ownerKey", "ownerName", name, query, columns, shared)
         SELECT $1, $2, $3, $4, $5, $6, $7
         WHERE (SELECT count(*) FROM powercrud.saved_view WHERE resource = $1 AND "ownerKey" = $2) < ${MAX_VIEWS_PER_USER}
         RETURNING id`,
        [list, owner.key, owner.name ?? null, view.name, view.query, view.columns, view.shared],
      );
      if (!rows[0]) throw new TooManyViews();
      return rows[0].id;
    } catch (error) {
      throw isDuplicateName(error) ? new DuplicateViewName() : error;
    }
  }

  /** Renames one of the user's views; false when they have no such view. */
  async rename(list: string, ownerKey: string, id: number, name: string): Promise<boolean> {
    try {
      const { rowCount } = await this.pool.query(
        `UPDATE powercrud.saved_view SET name = $4, "updatedAt" = now() WHERE id = $1 AND resource = $2 AND "ownerKey" = $3`,
        [id, list, ownerKey, name],
      );
      return rowCount === 1;
    } catch (error) {
      throw isDuplicateName(error) ? new DuplicateViewName() : error;
    }
  }

  async setShared(list: string, ownerKey: string, id: number, shared: boolean): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE powercrud.saved_view SET shared = $4, "updatedAt" = now() WHERE id = $1 AND resource = $2 AND "ownerKey" = $3`,
      [id, list, ownerKey, shared],
    );
    return rowCount === 1;
  }

  async remove(list: string, ownerKey: string, id: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(`DELETE FROM powercrud.saved_view WHERE id = $1 AND resource = $2 AND "ownerKey" = $3`, [id, list, ownerKey]);
    return rowCount === 1;
  }
}

function isDuplicateName(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: string; constraint?: string };
  return code === "23505" && constraint === "saved_view_owner_name";
}

/** A view name as typed, or why it cannot be one. */
export function checkViewName(raw: unknown): { ok: true; name: string } | { ok: false; message: string } {
  const name = typeof raw === "string" ? raw.replace(/\s+/g, " ").trim() : "";
  if (name === "") return { ok: false, message: "Give the view a name." };
  if (/[\u0000-\u001f\u007f]/.test(name)) return { ok: false, message: "A view name cannot hold control characters." };
  if ([...name].length > MAX_VIEW_NAME) return { ok: false, message: `A view name has at most ${MAX_VIEW_NAME} characters.` };
  return { ok: true, name };
}
