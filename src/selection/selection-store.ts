import { randomBytes } from "node:crypto";
import type pg from "pg";
import { ident } from "../db/sql";
import { inTransaction } from "../db/transaction";

export interface Selection {
  token: string;
  mode: "ids" | "all";
  /** For "all": the canonical list query (search and filters) whose matches are selected. */
  filterQuery: string;
  /** Selected rows as last counted; null until counted. */
  size: number | null;
}

/** How the store reaches the list's rows: its table, id column, and the SQL of a filter query. */
export interface SelectionTarget {
  table: string;
  idColumn: string;
  /** The id column's SQL type (int, bigint, uuid or text): ids travel and are stored as text and are cast to it. */
  idType: string;
  /** SQL condition on alias t for a stored filter query, with its parameters numbered from `offset`. */
  matchSql(filterQuery: string, offset: number): { sql: string; params: unknown[] };
  /** The filter query as the list validates it today: a stored filter must still read back as itself. */
  canonical(filterQuery: string): string;
}

/**
 * A stored selection could not be used any more and was dropped: its filter no longer reads back as
 * itself (the list's validation changed) or PostgreSQL refused its SQL. Shown to the user as `message`.
 */
export class StaleSelectionError extends Error {
  constructor(readonly filterQuery: string) {
    super("Your selection was cleared: the filter it was made under can no longer be used. Select the rows again.");
    this.name = "StaleSelectionError";
  }
}

/**
 * SQLSTATE classes that say the stored filter itself cannot run: 22 (a value PostgreSQL refuses,
 * such as an int overflow) and 42 (a column or type the filter names is gone). Anything else
 * (connection loss, timeouts) is not the selection's fault and is passed on.
 */
function isFilterFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^(22|42)/.test(code);
}

const SELECTION = "powercrud.selection";
const ITEM = "powercrud.selection_item";

/**
 * Server-side selections, one per browser session and list. "All matching" is kept as the filter
 * plus exceptions, never as ids, so selecting a million rows stores one row; the exceptions and
 * explicit picks are items keyed by (token, id), so a toggle touches one index entry. Items hold the
 * id as PostgreSQL prints it (`id::text`) and are cast back to the id column's type when compared
 * with the table, so the id column's own index serves every lookup whatever its type.
 */
export class SelectionStore {
  constructor(private readonly pool: pg.Pool) {}

  /** The session's selection of this list; throws StaleSelectionError (having dropped it) when unusable. */
  async find(sessionId: string, resource: string, target: SelectionTarget): Promise<Selection | undefined> {
    const { rows } = await this.pool.query<Selection>(
      `SELECT token, mode, "filterQuery", size FROM ${SELECTION} WHERE "sessionId" = $1 AND resource = $2`,
      [sessionId, resource],
    );
    return this.usable(rows[0], target);
  }

  /** The selection a bulk form names, only if it belongs to this session and list. */
  async byToken(token: unknown, sessionId: string, resource: string, target: SelectionTarget): Promise<Selection | undefined> {
    if (typeof token !== "string" || !/^[A-Za-z0-9_-]{16,64}$/.test(token)) return undefined;
    const { rows } = await this.pool.query<Selection>(
      `SELECT token, mode, "filterQuery", size FROM ${SELECTION} WHERE token = $1 AND "sessionId" = $2 AND resource = $3`,
      [token, sessionId, resource],
    );
    return this.usable(rows[0], target);
  }

  /**
   * A copy of a selection under an owner of its own (e.g. "export:12" for a background export), inside
   * the caller's transaction: the session's later clicks change the original, never the copy, so a
   * task reads the rows that were selected when it was queued.
   */
  async copy(client: pg.PoolClient, selection: Selection, owner: string): Promise<Selection> {
    const token = randomBytes(18).toString("base64url");
    await client.query(
      `INSERT INTO ${SELECTION} (token, "sessionId", resource, mode, "filterQuery", size, "updatedAt")
       SELECT $2, $3, resource, mode, "filterQuery", size, now() FROM ${SELECTION} WHERE token = $1`,
      [selection.token, token, owner],
    );
    await client.query(`INSERT INTO ${ITEM} (token, "recordId", included) SELECT $2, "recordId", included FROM ${ITEM} WHERE token = $1`, [selection.token, token]);
    return { ...selection, token };
  }

  /** A copied selection by its token alone (a worker has no session), or undefined once it is gone. */
  async copied(token: string): Promise<Selection | undefined> {
    const { rows } = await this.pool.query<Selection>(`SELECT token, mode, "filterQuery", size FROM ${SELECTION} WHERE token = $1`, [token]);
    return rows[0];
  }

  /** Deletes a selection (with its picks) by its token. */
  async remove(token: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${SELECTION} WHERE token = $1`, [token]);
  }

  /**
   * A stored filter that the list would now read differently (made before a validation change, or
   * before filters were stored canonically) would select other rows than the user chose, maybe all
   * of them: it is dropped rather than silently widened.
   */
  private async usable(selection: Selection | undefined, target: SelectionTarget): Promise<Selection | undefined> {
    if (selection?.mode === "all" && target.canonical(selection.filterQuery) !== selection.filterQuery) {
      await this.drop(selection);
    }
    return selection;
  }

  private async drop(selection: Selection): Promise<never> {
    await this.pool.query(`DELETE FROM ${SELECTION} WHERE token = $1`, [selection.token]);
    throw new StaleSelectionError(selection.filterQuery);
  }

  /** Runs SQL built from a selection's filter; a filter PostgreSQL refuses drops the selection. */
  private async resolving<T>(selection: Selection, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!isFilterFailure(error)) throw error;
      return this.drop(selection);
    }
  }

  private async ensure(client: pg.PoolClient, sessionId: string, resource: string): Promise<Selection> {
    // Most changes hit an existing selection: lock and read it without writing a new row version.
    const existing = await client.query<Selection>(
      `SELECT token, mode, "filterQuery", size FROM ${SELECTION} WHERE "sessionId" = $1 AND resource = $2 FOR UPDATE`,
      [sessionId, resource],
    );
    if (existing.rows[0]) return existing.rows[0];
    // Selections of ended sessions would linger forever: creating a selection sweeps week-old ones.
    await client.query(`DELETE FROM ${SELECTION} WHERE "updatedAt" < now() - interval '7 days'`);
    const { rows } = await client.query<Selection>(
      `INSERT INTO ${SELECTION} (token, "sessionId", resource, mode, "filterQuery", size, "updatedAt")
       VALUES ($1, $2, $3, 'ids', '', 0, now())
       ON CONFLICT ("sessionId", resource) DO UPDATE SET "updatedAt" = now()
       RETURNING token, mode, "filterQuery", size`,
      [randomBytes(18).toString("base64url"), sessionId, resource],
    );
    return rows[0]!;
  }

  /**
   * Selects or deselects rows by id (one row, a page, a shift-click range). In "all" mode a row that
   * matches the filter is selected by removing its exclusion; any other row by an explicit inclusion.
   */
  async setRows(sessionId: string, resource: string, target: SelectionTarget, ids: string[], selected: boolean): Promise<Selection> {
    try {
      return await inTransaction(this.pool, async (client) => {
        const selection = await this.ensure(client, sessionId, resource);
        if (selection.mode === "all" && target.canonical(selection.filterQuery) !== selection.filterQuery) throw new StaleSelectionError(selection.filterQuery);
        return this.setRowsOf(client, selection, target, ids, selected);
      });
    } catch (error) {
      if (!(error instanceof StaleSelectionError) && !isFilterFailure(error)) throw error;
      await this.clear(sessionId, resource);
      throw error instanceof StaleSelectionError ? error : new StaleSelectionError("");
    }
  }

  /**
   * `ids` are in the id column's canonical text (as parseKey gives them and PostgreSQL prints them),
   * so an id compares equal to the item stored for it.
   */
  private async setRowsOf(client: pg.PoolClient, selection: Selection, target: SelectionTarget, ids: string[], selected: boolean): Promise<Selection> {
    const matching = selection.mode === "all" ? await this.matchingIds(client, target, selection.filterQuery, ids) : new Set<string>();
    const inFilter = ids.filter((id) => matching.has(id));
    const outside = ids.filter((id) => !matching.has(id));
    const id = `t.${ident(target.idColumn)}`;
    let delta = 0;
    if (selected) {
      delta += await this.rowsChanged(client, `DELETE FROM ${ITEM} WHERE token = $1 AND NOT included AND "recordId" = ANY($2::text[]) RETURNING 1`, [selection.token, inFilter]);
      // Only rows that exist are picked, so the counter counts rows, not whatever ids were posted.
      delta += await this.rowsChanged(
        client,
        `INSERT INTO ${ITEM} (token, "recordId", included)
         SELECT $1, ${id}::text, true FROM ${ident(target.table)} t WHERE ${id} = ANY($2::text[]::${target.idType}[])
         ON CONFLICT DO NOTHING RETURNING 1`,
        [selection.token, outside],
      );
    } else {
      delta -= await this.rowsChanged(client, `INSERT INTO ${ITEM} (token, "recordId", included) SELECT $1, unnest($2::text[]), false ON CONFLICT DO NOTHING RETURNING 1`, [selection.token, inFilter]);
      delta -= await this.rowsChanged(client, `DELETE FROM ${ITEM} WHERE token = $1 AND included AND "recordId" = ANY($2::text[]) RETURNING 1`, [selection.token, outside]);
    }
    const { rows } = await client.query<Selection>(
      `UPDATE ${SELECTION} SET size = size + $2, "updatedAt" = now() WHERE token = $1 RETURNING token, mode, "filterQuery", size`,
      [selection.token, delta],
    );
    return rows[0]!;
  }

  /** Selects every row matching the list's current filter, forgetting earlier picks and exceptions. */
  async selectAll(sessionId: string, resource: string, filterQuery: string): Promise<Selection> {
    return inTransaction(this.pool, async (client) => {
      const selection = await this.ensure(client, sessionId, resource);
      await client.query(`DELETE FROM ${ITEM} WHERE token = $1`, [selection.token]);
      const { rows } = await client.query<Selection>(
        `UPDATE ${SELECTION} SET mode = 'all', "filterQuery" = $2, size = NULL, "updatedAt" = now() WHERE token = $1
         RETURNING token, mode, "filterQuery", size`,
        [selection.token, filterQuery],
      );
      return rows[0]!;
    });
  }

  async clear(sessionId: string, resource: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${SELECTION} WHERE "sessionId" = $1 AND resource = $2`, [sessionId, resource]);
  }

  /** Counts the selected rows that exist now, exactly (the filter's matches, plus inclusions, minus exclusions). */
  async count(selection: Selection, target: SelectionTarget): Promise<number> {
    const { sql, params } = this.resolveSql(selection, target);
    return this.resolving(selection, async () => Number((await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) s`, params)).rows[0]!.n));
  }

  /**
   * Counts exactly if that takes at most `ms`, else null (the caller shows the count once loaded):
   * a filter matching a million rows must not hold up a form, a few thousand picks never do.
   */
  async countWithin(selection: Selection, target: SelectionTarget, ms: number): Promise<number | null> {
    const { sql, params } = this.resolveSql(selection, target);
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(ms))}`);
      const counted = await this.resolving(selection, async () => Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) s`, params)).rows[0]!.n));
      await client.query("COMMIT");
      return counted;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      if ((error as { code?: unknown }).code === "57014") return null;
      throw error;
    } finally {
      client.release();
    }
  }

  /** Counts a selection exactly and remembers the count for the bar. */
  async countNow(selection: Selection, target: SelectionTarget): Promise<number> {
    const size = await this.count(selection, target);
    await this.pool.query(`UPDATE ${SELECTION} SET size = $2 WHERE token = $1`, [selection.token, size]);
    selection.size = size;
    return size;
  }

  /** The selected ids, frozen in id order: what an apply acts on. */
  async freeze(selection: Selection, target: SelectionTarget): Promise<string[]> {
    const { sql, params } = this.resolveSql(selection, target);
    return this.resolving(selection, async () => (await this.pool.query<{ id: string }>(`SELECT id::text AS id FROM (${sql}) s ORDER BY id`, params)).rows.map((row) => row.id));
  }

  /** How many rows were ticked outside the filter and unticked inside it: what a form says beside the filter. */
  async exceptions(selection: Selection): Promise<{ included: number; excluded: number }> {
    const { rows } = await this.pool.query<{ included: number; excluded: number }>(
      `SELECT count(*) FILTER (WHERE included)::int AS included, count(*) FILTER (WHERE NOT included)::int AS excluded FROM ${ITEM} WHERE token = $1`,
      [selection.token],
    );
    return rows[0]!;
  }

  /** Which of these ids (a page) are selected. */
  async selectedAmong(selection: Selection | undefined, target: SelectionTarget, ids: Array<number | string | bigint>): Promise<Set<string>> {
    if (!selection || ids.length === 0) return new Set();
    const { sql, params } = this.resolveSql(selection, target, ids.map(String));
    const { rows } = await this.resolving(selection, () => this.pool.query<{ id: string }>(`SELECT id::text AS id FROM (${sql}) s`, params));
    return new Set(rows.map((row) => row.id));
  }

  /**
   * SQL that yields the selected ids (column `id`): the filter's matches that still exist, minus
   * exclusions, plus inclusions that still exist. Optionally limited to some ids (a page).
   */
  resolveSql(selection: Selection, target: SelectionTarget, only?: string[]): { sql: string; params: unknown[] } {
    const params: unknown[] = [selection.token];
    const id = `t.${ident(target.idColumn)}`;
    const limit = only ? (params.push(only), ` AND ${id} = ANY($${params.length}::text[]::${target.idType}[])`) : "";
    const items = (included: boolean) => `SELECT "recordId"::${target.idType} FROM ${ITEM} WHERE token = $1 AND ${included ? "" : "NOT "}included`;
    const included = `SELECT ${id} AS id FROM ${ident(target.table)} t
                      WHERE ${id} IN (${items(true)})${limit}`;
    if (selection.mode !== "all") return { sql: included, params };
    const match = target.matchSql(selection.filterQuery, params.length + 1);
    params.push(...match.params);
    return {
      sql: `SELECT ${id} AS id FROM ${ident(target.table)} t
            WHERE (${match.sql})${limit}
              AND ${id} NOT IN (${items(false)})
            UNION ${included}`,
      params,
    };
  }

  /**
   * Stands for the set of rows a selection chose, for task keys: its mode, its filter and its picks
   * and exceptions (hashed in SQL, so a selection of 10,000 picks never travels to Node).
   */
  async fingerprint(selection: Selection): Promise<string> {
    const { rows } = await this.pool.query<{ items: string }>(
      `SELECT md5(coalesce(string_agg("recordId"::text || (CASE WHEN included THEN '+' ELSE '-' END), ',' ORDER BY "recordId"), '')) AS items
       FROM ${ITEM} WHERE token = $1`,
      [selection.token],
    );
    return `${selection.mode}|${selection.mode === "all" ? selection.filterQuery : ""}|${rows[0]!.items}`;
  }

  private async matchingIds(client: pg.PoolClient, target: SelectionTarget, filterQuery: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const match = target.matchSql(filterQuery, 2);
    const { rows } = await client.query<{ id: string }>(
      `SELECT t.${ident(target.idColumn)}::text AS id FROM ${ident(target.table)} t WHERE t.${ident(target.idColumn)} = ANY($1::text[]::${target.idType}[]) AND (${match.sql})`,
      [ids, ...match.params],
    );
    return new Set(rows.map((row) => row.id));
  }

  private async rowsChanged(client: pg.PoolClient, sql: string, params: unknown[]): Promise<number> {
    if (Array.isArray(params[1]) && params[1].length === 0) return 0;
    return (await client.query(sql, params)).rowCount ?? 0;
  }
}
