import type pg from "pg";
import { ident } from "../db/sql";
import { keyCast, parseKey } from "../model/column-domain";
import { escapeLike, type FilterSpec } from "./filters";

type Relation = NonNullable<FilterSpec["relation"]>;

export interface Choice {
  value: string;
  label: string;
}

export interface ChoicePage {
  options: Choice[];
  /** Another page follows. */
  more: boolean;
  /** How many records match, counted up to MATCH_COUNT_LIMIT. */
  matches: number;
  /** More than MATCH_COUNT_LIMIT match: `matches` is that limit, not the total. */
  manyMatches: boolean;
}

export const CHOICES_PAGE_SIZE = 20;
/** Paging stops here (1,000 choices): past it, typing narrows the list faster than scrolling. */
export const CHOICES_MAX_PAGE = 50;
const MATCH_COUNT_LIMIT = 1_000;

/**
 * One page of a relation filter's choices, in display-field order, matching `search` in the display
 * field (case-insensitive "contains"; by id when the display field is not text). Counting stops at
 * MATCH_COUNT_LIMIT, so a search over a huge table costs at most that many index entries.
 */
export async function relationChoicePage(pool: pg.Pool, relation: Relation, search: string, page: number): Promise<ChoicePage> {
  const condition = matchCondition(relation, search);
  if (!condition) return { options: [], more: false, matches: 0, manyMatches: false };
  const [id, label] = [ident(relation.idColumn), ident(relation.labelColumn)];
  const table = ident(relation.table);
  const offset = (page - 1) * CHOICES_PAGE_SIZE;
  const [rows, counted] = await Promise.all([
    pool.query<Choice>(
      `SELECT ${id}::text AS value, coalesce(${label}::text, ${id}::text) AS label FROM ${table}
       WHERE ${condition.sql} ORDER BY ${label}, ${id} LIMIT ${CHOICES_PAGE_SIZE + 1} OFFSET ${offset}`,
      condition.params,
    ),
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${table} WHERE ${condition.sql} LIMIT ${MATCH_COUNT_LIMIT + 1}) s`, condition.params),
  ]);
  const matches = counted.rows[0]!.n;
  return {
    options: rows.rows.slice(0, CHOICES_PAGE_SIZE),
    more: rows.rows.length > CHOICES_PAGE_SIZE && page < CHOICES_MAX_PAGE,
    matches: Math.min(matches, MATCH_COUNT_LIMIT),
    manyMatches: matches > MATCH_COUNT_LIMIT,
  };
}

/** The SQL condition for a search, or undefined when nothing can match (no row holds NUL, or a non-key). */
function matchCondition(relation: Relation, search: string): { sql: string; params: unknown[] } | undefined {
  if (search === "") return { sql: "TRUE", params: [] };
  if (search.includes("\0")) return undefined;
  if (relation.labelIsText) return { sql: `${ident(relation.labelColumn)} ILIKE $1`, params: [`%${escapeLike(search)}%`] };
  const key = parseKey(relation.key, search);
  return key === undefined ? undefined : { sql: `${ident(relation.idColumn)} = $1::${keyCast(relation.key)}`, params: [String(key)] };
}

/**
 * The display labels of chosen related records, one query for just those ids (already valid keys in
 * their canonical text, as activeFilters leaves them). Ids that name no record are left out.
 */
export async function relationLabels(pool: pg.Pool, relation: Relation, ids: string[]): Promise<Choice[]> {
  if (ids.length === 0) return [];
  const [id, label] = [ident(relation.idColumn), ident(relation.labelColumn)];
  const { rows } = await pool.query<Choice>(
    `SELECT ${id}::text AS value, coalesce(${label}::text, ${id}::text) AS label FROM ${ident(relation.table)}
     WHERE ${id} = ANY($1::text[]::${keyCast(relation.key)}[])`,
    [ids],
  );
  return rows;
}
