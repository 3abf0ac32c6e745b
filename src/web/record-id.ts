import { keyDomain, parseKey } from "../model/column-domain";
import type { DataModelMeta, ModelMeta } from "../model/types";
import { HttpError } from "./http-error";

/**
 * Parses a record id from the URL by what the id column holds, answering 404 (not 500) for anything
 * it could not hold: such an id names no record.
 */
export function parseRecordId(dataModel: DataModelMeta, model: ModelMeta, raw: string, singular: string): number | bigint | string {
  const id = parseKey(keyDomain(dataModel, model), raw);
  if (id === undefined) throw new HttpError(404, `There is no ${singular.toLowerCase()} with id "${raw.slice(0, 40)}".`);
  return id;
}
