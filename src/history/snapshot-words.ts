import type { Resource } from "../config/resolve-resource";
import { ident } from "../db/sql";
import { formatValue } from "../list/format";
import { humanize } from "../model/labels";
import { displayFieldOf, fieldOf, idSqlType, relationOfForeignKey } from "../model/relations";
import type { FieldMeta } from "../model/types";

/**
 * A snapshot as read for people: every column value as PostgreSQL writes it as text (exact: no
 * decimal passes through a float), null for NULL; link sets as lists of related ids.
 */
export interface TextSnapshot {
  row: Record<string, string | null>;
  links: Record<string, string[]>;
}

/** SQL turning a snapshot (a jsonb expression) into a TextSnapshot's shape. */
export function textSnapshotSql(snapshot: string): string {
  return `CASE WHEN ${snapshot} IS NULL THEN NULL ELSE jsonb_build_object(
    'row', (SELECT COALESCE(jsonb_object_agg(e.key, e.value), '{}'::jsonb) FROM jsonb_each_text(${snapshot}->'row') e),
    'links', COALESCE(${snapshot}->'links', '{}'::jsonb)) END`;
}

/** One field of a record, before and after, in words. */
export interface FieldChange {
  label: string;
  before: string;
  after: string;
}

const EMPTY = "empty";

/**
 * Says what differs between snapshots of a resource's records, field by field in the model's order,
 * with labels as the forms show them and values as the list shows them; related records by name,
 * looked up once per related model for all the pairs given.
 */
export async function describeChanges(resource: Resource, pairs: Array<{ before: TextSnapshot | null; after: TextSnapshot | null }>): Promise<FieldChange[][]> {
  const { model } = resource;
  const names = new RelatedNames(resource);
  const plans = pairs.map(({ before, after }) => {
    const parts: Part[] = [];
    for (const field of model.fields) {
      if (field.kind === "object") {
        if (!(field.name in (before?.links ?? {})) && !(field.name in (after?.links ?? {}))) continue;
        const was = before?.links[field.name];
        const now = after?.links[field.name];
        if (sameSet(was, now)) continue;
        for (const id of [...(was ?? []), ...(now ?? [])]) names.want(field.type, id);
        parts.push({ field, words: (ids) => linkWords(names, field.type, ids as string[] | undefined), was, now });
        continue;
      }
      if (!(field.dbName in (before?.row ?? {})) && !(field.dbName in (after?.row ?? {}))) continue;
      const was = before ? before.row[field.dbName] ?? null : undefined;
      const now = after ? after.row[field.dbName] ?? null : undefined;
      if (was === now) continue;
      const related = field.kind === "scalar" ? relationOfForeignKey(model, field) : undefined;
      if (related) for (const id of [was, now]) if (typeof id === "string") names.want(related.type, id);
      parts.push({ field, words: (text) => valueWords(resource, names, field, text as string | null | undefined), was, now });
    }
    return parts;
  });
  await names.load();
  return plans.map((parts) => parts.map(({ field, words, was, now }) => ({ label: labelOf(resource, field), before: words(was), after: words(now) })));
}

interface Part {
  field: FieldMeta;
  words: (value: string[] | string | null | undefined) => string;
  was: string[] | string | null | undefined;
  now: string[] | string | null | undefined;
}

/** For a conflict, given pairs of (what was written, what is there now): "Pages is 500 (the task wrote 4242); ..." */
export function differenceSentence(changes: FieldChange[], wroteWord: string): string {
  return changes.map((change) => `${change.label} is ${change.after} (${wroteWord} ${change.before})`).join("; ");
}

function sameSet(a: string[] | undefined, b: string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/** A field's label as the resource's forms show it. */
export function labelOf(resource: Resource, field: FieldMeta): string {
  const label = resource.config.labels[field.name];
  if (label) return label;
  const form = [...resource.formFields, ...resource.bulkFields].find((candidate) => candidate.name === field.name || (field.kind === "scalar" && field.foreignKeyOf === candidate.name));
  return form?.label ?? humanize(field.name);
}

function linkWords(names: RelatedNames, model: string, ids: string[] | undefined): string {
  if (ids === undefined) return "—";
  return ids.length ? ids.map((id) => names.of(model, id)).join(", ") : "none";
}

function valueWords(resource: Resource, names: RelatedNames, field: FieldMeta, text: string | null | undefined): string {
  if (text === undefined) return "—";
  if (text === null || text === "") return EMPTY;
  if (field.kind === "enum") return formatValue(text, { format: "enum" });
  if (field.kind !== "scalar") return text;
  const related = relationOfForeignKey(resource.model, field);
  if (related) return names.of(related.type, text);
  switch (field.type) {
    case "Boolean":
      return formatValue(text === "true", { format: "boolean" });
    case "Int":
    case "BigInt":
      return formatValue(BigInt(text), { format: "integer" });
    case "Decimal":
      return formatValue(text, { format: "decimal", scale: field.nativeTypeArgs?.[1] !== undefined ? Number(field.nativeTypeArgs[1]) : undefined });
    case "DateTime": {
      // Stored without a zone (timestamp(3), UTC by Prisma's convention) or as a date.
      const date = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}${text.length > 10 ? "Z" : "T00:00:00Z"}`);
      return formatValue(date, { format: field.nativeType === "Date" ? "date" : "datetime" });
    }
    default:
      return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  }
}

/** Names of related records, collected first, then read with one query per related model. */
class RelatedNames {
  private readonly wanted = new Map<string, Set<string>>();
  private readonly found = new Map<string, string>();

  constructor(private readonly resource: Resource) {}

  want(model: string, id: string): void {
    if (!this.wanted.has(model)) this.wanted.set(model, new Set());
    this.wanted.get(model)!.add(id);
  }

  async load(): Promise<void> {
    const { dataModel, pool, displayFields } = this.resource.global;
    await Promise.all([...this.wanted].map(async ([modelName, ids]) => {
      const related = dataModel.models[modelName];
      if (!related) return;
      const label = fieldOf(related, displayFieldOf(related, displayFields[modelName]));
      const id = fieldOf(related, related.idField);
      if (!label || label.kind === "object" || !id || id.kind === "object") return;
      const { rows } = await pool.query<{ id: string; name: string | null }>(
        `SELECT ${ident(id.dbName)}::text AS id, ${ident(label.dbName)}::text AS name FROM ${ident(related.dbName)} WHERE ${ident(id.dbName)} = ANY($1::text[]::${idSqlType(related)}[])`,
        [[...ids]],
      );
      for (const row of rows) this.found.set(`${modelName}\0${row.id}`, row.name ?? `#${row.id}`);
    }));
  }

  of(model: string, id: string): string {
    return this.found.get(`${model}\0${id}`) ?? `#${id} (deleted)`;
  }
}
