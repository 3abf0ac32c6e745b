import type { FormField } from "./types";
import { parseKey } from "../model/column-domain";
import { countRelated, relatedChoices, searchRelated, type Choice, type RelatedModel } from "../model/related-search";

export interface RelationChoices {
  /** The chosen records first (those not among the listed ones), then the listed ones. */
  options: Choice[];
  /** The chosen records with their labels, for the combobox's chips. */
  chosen: Choice[];
  /** More records exist than FULL_LIST_LIMIT: the field is a combobox that searches them. */
  searchable: boolean;
}

/** Relations with up to this many records list them all in a plain select; larger ones are searched. */
export const FULL_LIST_LIMIT = 200;
/** A searchable field's select lists this many (plus the chosen ones) for a browser without JavaScript. */
const FIRST_SLICE = 100;

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

/** The related model a relation field chooses from, for the shared search (model/related-search.ts). */
export function relatedOf(field: FormField): RelatedModel {
  const { model, idField, labelField, labelIsText } = field.relation!;
  return { model, idField, labelField, labelIsText, key: field.domain };
}

/**
 * The choices a foreign-key or many-to-many select is drawn with: matching `search` when given, and
 * always the currently selected records, so narrowing the list never loses a selection (unless a
 * dependent field's filter excludes them, see ChoiceLimits).
 */
export async function relationChoices(
  prisma: Record<string, any>,
  field: FormField,
  selected: string[],
  search = "",
  limits: ChoiceLimits = {},
): Promise<RelationChoices> {
  const related = relatedOf(field);
  const restrict = limits.restrict && Object.keys(limits.restrict).length ? limits.restrict : undefined;
  const searchable = (await countRelated(prisma, related, FULL_LIST_LIMIT, restrict)) > FULL_LIST_LIMIT;
  const pageSize = search.trim() || searchable ? FIRST_SLICE : FULL_LIST_LIMIT;
  const [listed, chosen] = await Promise.all([
    searchRelated(prisma, related, { search, page: 1, pageSize, restrict }),
    relatedChoices(prisma, related, selected, limits.keepSelected ? undefined : restrict),
  ]);
  const options = [...chosen.filter((choice) => !listed.options.some((option) => option.value === choice.value)), ...listed.options];
  return { options, chosen, searchable };
}

/**
 * The chosen keys of a relation field (as parseForm gives them) that do not exist (any more), or that
 * `restrict` (a dependent field's filter) excludes, so the form can say so. Keys the related id column cannot hold are missing by definition and never queried.
 */
export async function missingRelated(prisma: Record<string, any>, field: FormField, ids: unknown[], restrict?: Record<string, unknown>): Promise<unknown[]> {
  if (ids.length === 0) return [];
  const related = relatedOf(field);
  const found = new Set((await relatedChoices(prisma, related, ids.map(String), restrict)).map((choice) => choice.value));
  return ids.filter((id) => {
    const key = parseKey(field.domain, String(id).trim());
    return key === undefined || !found.has(String(key));
  });
}
