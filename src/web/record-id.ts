import type { ModelMeta } from "../model/types";
import { fieldOf } from "../model/relations";
import { HttpError } from "./http-error";

const INT4_MAX = 2_147_483_647;

/** Parses a record id from the URL, answering 404 (not 500) for anything that cannot be an id. */
export function parseRecordId(model: ModelMeta, raw: string, singular: string): number | bigint | string {
  const field = fieldOf(model, model.idField);
  const type = field?.kind === "scalar" ? field.type : "String";
  const notFound = () => new HttpError(404, `There is no ${singular.toLowerCase()} with id "${raw.slice(0, 40)}".`);
  if (type === "Int" || type === "BigInt") {
    if (!/^\d{1,19}$/.test(raw)) throw notFound();
    const id = BigInt(raw);
    if (id < 1n || (type === "Int" && id > BigInt(INT4_MAX)) || id > 9_223_372_036_854_775_807n) throw notFound();
    return type === "Int" ? Number(id) : id;
  }
  if (raw.length === 0 || raw.length > 200) throw notFound();
  return raw;
}
