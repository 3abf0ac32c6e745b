import { recordInputs } from "./record-inputs";
import { parseForm } from "./parse-form";
import { humanize } from "../model/labels";
import { missingRelated } from "./relation-options";
import type { RecordRow } from "../config/resource-schema";
import type { DependentChoices, FormField, FormValues } from "./types";

/** Who is asking, for the hook's context. */
export interface Asker {
  user: unknown;
  req: unknown;
}

// Each parent is parsed on its own, so one unreadable value leaves the others known.
const singles = new WeakMap<FormField, FormField[]>();
function single(field: FormField): FormField[] {
  let fields = singles.get(field);
  if (!fields) singles.set(field, (fields = [field]));
  return fields;
}

/**
 * The values of a dependent field's parents, parsed as the form parses them, from the submitted
 * `source` (a body or a query) and, for parents it lacks, from `fallback` (the record being edited).
 * A parent neither gives is left out: the hook sees it as unknown.
 */
export function parentValues(dependent: DependentChoices, source: Record<string, unknown>, fallback?: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const parent of dependent.on) {
    const from = Object.hasOwn(source, parent.name) ? source : fallback && Object.hasOwn(fallback, parent.name) ? fallback : undefined;
    if (!from) continue;
    const parsed = parseForm(single(parent), from);
    if (parsed.ok && parent.name in parsed.values) values[parent.name] = parsed.values[parent.name];
  }
  return values;
}

/** The record's values of the parents of every dependent field, as form inputs (what the edit form would post). */
export function recordParentInputs(fields: FormField[], record: RecordRow): Record<string, string | string[]> {
  const parents = fields.flatMap((field) => field.dependent?.on ?? []);
  return recordInputs(record, parents);
}

/** The filter of the field's choices for these parent values; undefined: every record. */
export async function choicesWhere(field: FormField, values: FormValues, asker: Asker): Promise<Record<string, unknown> | undefined> {
  if (!field.dependent) return undefined;
  const where = await field.dependent.where({ values, user: asker.user, req: asker.req });
  return where && Object.keys(where).length ? where : undefined;
}

/**
 * For a form about to be saved: the dependent fields whose chosen records lie outside the choices
 * their parents allow, with the message to show. `values` are the parsed values being saved;
 * `current` (the record's values as inputs) stands in for parents the form does not set.
 */
export async function dependentErrors(
  prisma: Record<string, any>,
  fields: FormField[],
  values: FormValues,
  asker: Asker,
  current?: Record<string, unknown>,
): Promise<Record<string, string>> {
  // Each field's check is one query of its own: they run side by side.
  const outside = await Promise.all(fields.map(async (field) => {
    if (!field.dependent || field.disabled || !(field.name in values)) return false;
    const chosen = chosenIds(values, field.name);
    if (chosen.length === 0) return false;
    const parents = { ...parentValues(field.dependent, {}, current), ...pick(values, field.dependent.on) };
    const where = await choicesWhere(field, parents, asker);
    return Boolean(where && (await missingRelated(prisma, field, chosen, where)).length);
  }));
  return Object.fromEntries(fields.filter((_field, index) => outside[index]).map((field) => [field.name, outsideMessage(field)]));
}

/**
 * For a form about to be saved: the relation fields whose chosen records no longer exist, else those
 * whose choice is outside what their parents allow (dependentErrors), each with the message to show.
 */
export async function chosenRecordErrors(
  prisma: Record<string, any>,
  fields: FormField[],
  values: FormValues,
  asker: Asker,
  current?: Record<string, unknown>,
): Promise<Record<string, string>> {
  const relations = fields.filter((candidate) => candidate.relation && !candidate.disabled);
  const gone = await Promise.all(relations.map(async (field) => (await missingRelated(prisma, field, chosenIds(values, field.name))).length > 0));
  const missing = Object.fromEntries(relations.filter((_field, index) => gone[index]).map((field) => [
    field.name, `The chosen ${humanize(field.relation!.model).toLowerCase()} no longer exists. Choose another.`,
  ]));
  return Object.keys(missing).length ? missing : dependentErrors(prisma, fields, values, asker, current);
}

function pick(values: FormValues, fields: FormField[]): FormValues {
  return Object.fromEntries(fields.filter((field) => field.name in values).map((field) => [field.name, values[field.name]]));
}

function outsideMessage(field: FormField): string {
  if (field.dependent!.message) return field.dependent!.message;
  const parents = field.dependent!.on.map((parent) => parent.label.toLowerCase()).join(" and ");
  return field.relation!.multiple
    ? `Some of these ${field.label.toLowerCase()} are not available for the chosen ${parents}. Choose others.`
    : `This ${field.label.toLowerCase()} is not available for the chosen ${parents}. Choose another.`;
}

/** The ids a form value holds: none, one or many (a many-to-many), without the empty choice. */
function chosenIds(values: FormValues, name: string): unknown[] {
  return [values[name] ?? []].flat().filter((id) => id !== null);
}
