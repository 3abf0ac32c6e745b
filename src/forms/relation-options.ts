import type { FormField } from "./types";
import { parseKey } from "../model/column-domain";
import { delegateOf } from "../model/relations";

export interface RelationChoices {
  options: Array<{ value: string; label: string }>;
  /** More records exist than are listed: the form shows a search box that narrows the list. */
  searchable: boolean;
  total: number;
}

/** Relations with up to this many records list them all; larger ones list a first slice plus search. */
export const FULL_LIST_LIMIT = 200;
const SEARCH_LIMIT = 100;

export interface ChoiceLimits {
  /** A dependent field's filter (Prisma `where` of the related model): only matching records are offered. */
  restrict?: Record<string, unknown>;
  /**
   * Whether a selected record outside `restrict` is still listed. A form shows the stored value as it
   * is (saving it unchanged is then refused with a message, never cleared silently); a reload after
   * the field it depends on changed drops it.
   */
  keepSelected?: boolean;
}

/**
 * The choices of a foreign-key or many-to-many select: matching `search` when given, and always the
 * currently selected records, so narrowing the list never loses a selection (unless a dependent
 * field's filter excludes them, see ChoiceLimits).
 */
export async function relationChoices(
  prisma: Record<string, any>,
  field: FormField,
  selected: string[],
  search?: string,
  limits: ChoiceLimits = {},
): Promise<RelationChoices> {
  const relation = field.relation!;
  const delegate = delegateOf(prisma, relation.model);
  const select = { [relation.idField]: true, [relation.labelField]: true };
  const orderBy = [{ [relation.labelField]: "asc" }, { [relation.idField]: "asc" }];
  const restrict = limits.restrict && Object.keys(limits.restrict).length ? limits.restrict : undefined;
  const total: number = await delegate.count(restrict ? { where: restrict } : undefined);
  const term = search?.trim() ?? "";
  const searching = term !== "";
  // Prisma passes % and _ through to LIKE: escape them so they match themselves.
  const matching = !searching ? {}
    // PostgreSQL text cannot hold NUL, so no label contains it; the query would only fail.
    : term.includes("\u0000") ? { [relation.idField]: { in: [] } }
    : relation.labelIsText
    ? { [relation.labelField]: { contains: term.replace(/[\\%_]/g, (c) => `\\${c}`), mode: "insensitive" } }
    // A label that is not text (a number, a date) cannot be searched by "contains": match the id instead.
    : { [relation.idField]: { in: keysOf(field, [term]) } };
  const where = restrict ? { AND: [restrict, matching] } : matching;
  const limit = searching || total > FULL_LIST_LIMIT ? SEARCH_LIMIT : FULL_LIST_LIMIT;
  const found: any[] = await delegate.findMany({ where, select, orderBy, take: limit });
  const missing = keysOf(field, selected).filter((id) => !found.some((row) => row[relation.idField] === id));
  const byKey = { [relation.idField]: { in: missing } };
  const extra: any[] = missing.length
    ? await delegate.findMany({ where: restrict && !limits.keepSelected ? { AND: [restrict, byKey] } : byKey, select, orderBy })
    : [];
  const options = [...extra, ...found].map((row) => ({ value: String(row[relation.idField]), label: String(row[relation.labelField] ?? row[relation.idField]) }));
  return { options, searchable: total > FULL_LIST_LIMIT, total };
}

/** The keys among `values` that the related id column can hold; anything else names no record and is left out. */
function keysOf(field: FormField, values: unknown[]): Array<number | bigint | string> {
  return values.flatMap((value) => {
    const key = typeof value === "string" ? parseKey(field.domain, value.trim()) : undefined;
    return key === undefined ? [] : [key];
  });
}

/**
 * The chosen keys of a relation field (as parseForm gives them) that do not exist (any more), or that
 * `restrict` (a dependent field's filter) excludes, so the form can say so. Keys the related id column cannot hold are missing by definition and never queried.
 */
export async function missingRelated(prisma: Record<string, any>, field: FormField, ids: unknown[], restrict?: Record<string, unknown>): Promise<unknown[]> {
  if (ids.length === 0) return [];
  const checked = ids.map((id) => ({ id, key: parseKey(field.domain, String(id)) }));
  const keys = checked.flatMap(({ key }) => (key === undefined ? [] : [key]));
  const relation = field.relation!;
  const byKey = { [relation.idField]: { in: keys } };
  const found: any[] = keys.length
    ? await delegateOf(prisma, relation.model).findMany({ where: restrict ? { AND: [restrict, byKey] } : byKey, select: { [relation.idField]: true } })
    : [];
  return checked.filter(({ key }) => key === undefined || !found.some((row) => row[relation.idField] === key)).map(({ id }) => id);
}
