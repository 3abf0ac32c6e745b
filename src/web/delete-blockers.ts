import type pg from "pg";
import { ident } from "../db/sql";
import { humanize, pluralize } from "../model/labels";
import { fieldOf } from "../model/relations";
import type { DataModelMeta, ModelMeta } from "../model/types";

export interface Blocker {
  /** The referencing model and the relation on it, e.g. Book.author. */
  model: string;
  relation: string;
  /** Referencing rows, and how many of the deleted rows they point at. */
  records: number;
  owners: number;
}

/**
 * Counts, set-based, the rows of other tables that a restricting foreign key ties to the rows about
 * to be deleted (one record or a bulk selection), so the user learns what to do ("17 books have it
 * as author") instead of seeing a constraint error.
 */
export async function deleteBlockers(pool: pg.Pool, dataModel: DataModelMeta, model: ModelMeta, ids: Array<string | number | bigint>): Promise<Blocker[]> {
  const blockers: Blocker[] = [];
  for (const other of Object.values(dataModel.models)) {
    for (const relation of other.fields) {
      if (relation.kind !== "object" || relation.type !== model.name || relation.fromFields.length !== 1) continue;
      const column = fieldOf(other, relation.fromFields[0]!);
      if (!column || column.kind === "object") continue;
      const restricts = relation.onDelete ? ["Restrict", "NoAction"].includes(relation.onDelete) : column.isRequired;
      if (!restricts) continue;
      // No cast on $1: PostgreSQL takes the array's type from the key column, whatever the id type.
      const { rows } = await pool.query<{ records: string; owners: string }>(
        `SELECT count(*) AS records, count(DISTINCT ${ident(column.dbName)}) AS owners
         FROM ${ident(other.dbName)} WHERE ${ident(column.dbName)} = ANY($1)`,
        [ids.map(String)],
      );
      const records = Number(rows[0]!.records);
      if (records > 0) blockers.push({ model: other.name, relation: relation.name, records, owners: Number(rows[0]!.owners) });
    }
  }
  return blockers;
}

const counted = (count: number, noun: string) => `${count.toLocaleString("en")} ${count === 1 ? noun : pluralize(noun)}`;

/** For one record: "Ada Lovelace can't be deleted: 17 books have it as author. ..." */
export function describeBlockers(blockers: Blocker[], name: string): string {
  const parts = blockers.map(
    (blocker) => `${counted(blocker.records, humanize(blocker.model).toLowerCase())} ${blocker.records === 1 ? "has" : "have"} it as ${humanize(blocker.relation).toLowerCase()}`,
  );
  return `${name} can't be deleted: ${parts.join(", and ")}. Reassign or delete those first.`;
}

/** For a selection: "Nothing can be deleted while 3 of the selected authors are still author of 40 books. ..." */
export function describeBulkBlockers(blockers: Blocker[], singular: string, plural: string): string {
  const parts = blockers.map((blocker) => {
    const owners = `${blocker.owners.toLocaleString("en")} of the selected ${blocker.owners === 1 ? singular.toLowerCase() : plural.toLowerCase()}`;
    return `${owners} ${blocker.owners === 1 ? "is" : "are"} still ${blocker.relation} of ${counted(blocker.records, blocker.model.toLowerCase())}`;
  });
  return `Nothing can be deleted while ${parts.join(", and ")}. Reassign or delete those first, or unselect them.`;
}
