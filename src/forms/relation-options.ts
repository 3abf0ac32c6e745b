import type { FormField } from "./types";
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

/**
 * The choices of a foreign-key or many-to-many select: matching `search` when given, and always the
 * currently selected records, so narrowing the list never loses a selection.
 */
export async function relationChoices(
  prisma: Record<string, any>,
  field: FormField,
  selected: string[],
  search?: string,
): Promise<RelationChoices> {
  const relation = field.relation!;
  const delegate = delegateOf(prisma, relation.model);
  const select = { [relation.idField]: true, [relation.labelField]: true };
  const orderBy = [{ [relation.labelField]: "asc" }, { [relation.idField]: "asc" }];
  const total: number = await delegate.count();
  const searching = search !== undefined && search.trim() !== "";
  // Prisma passes % and _ through to LIKE: escape them so they match themselves.
  const where = !searching ? {} : relation.labelIsText
    ? { [relation.labelField]: { contains: search.trim().replace(/[\\%_]/g, (c) => `\\${c}`), mode: "insensitive" } }
    // A label that is not text (a number, a date) cannot be searched by "contains": match the id instead.
    : { [relation.idField]: /^\d{1,9}$/.test(search.trim()) ? Number(search.trim()) : -1 };
  const limit = searching || total > FULL_LIST_LIMIT ? SEARCH_LIMIT : FULL_LIST_LIMIT;
  const found: any[] = await delegate.findMany({ where, select, orderBy, take: limit });
  const ids = selected.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0);
  const missing = ids.filter((id) => !found.some((row) => row[relation.idField] === id));
  const extra: any[] = missing.length ? await delegate.findMany({ where: { [relation.idField]: { in: missing } }, select, orderBy }) : [];
  const options = [...extra, ...found].map((row) => ({ value: String(row[relation.idField]), label: String(row[relation.labelField] ?? row[relation.idField]) }));
  return { options, searchable: total > FULL_LIST_LIMIT, total };
}

/** The chosen ids of a relation field that do not exist (any more), so the form can say so. */
export async function missingRelated(prisma: Record<string, any>, field: FormField, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const relation = field.relation!;
  const delegate = delegateOf(prisma, relation.model);
  const found: any[] = await delegate.findMany({ where: { [relation.idField]: { in: ids } }, select: { [relation.idField]: true } });
  return ids.filter((id) => !found.some((row) => row[relation.idField] === id));
}
