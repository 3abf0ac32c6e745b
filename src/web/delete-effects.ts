import type pg from "pg";
import { ident } from "../db/sql";
import { humanize, pluralize } from "../model/labels";
import { fieldOf, manyToMany } from "../model/relations";
import type { DataModelMeta, ModelMeta } from "../model/types";

/**
 * What else a delete changes, in words, counted set-based: rows a cascading foreign key deletes too
 * ("deletes 3 reviews"), rows whose optional key is cleared ("clears the editor of 12 books"), and
 * many-to-many links it removes ("removes the genre “Travel” from 333 books"). Restricting keys are
 * blockers (delete-blockers.ts), not effects. `name` names a single deleted record; a selection is
 * "the selected genres".
 */
export async function deleteEffects(pool: pg.Pool, dataModel: DataModelMeta, model: ModelMeta, ids: Array<string | number | bigint>, name: string | undefined): Promise<string[]> {
  if (ids.length === 0) return [];
  const keys = ids.map(String);
  const effects: string[] = [];
  for (const other of Object.values(dataModel.models)) {
    for (const relation of other.fields) {
      if (relation.kind !== "object" || relation.type !== model.name || relation.fromFields.length !== 1) continue;
      const column = fieldOf(other, relation.fromFields[0]!);
      if (!column || column.kind === "object") continue;
      const action = relation.onDelete ?? (column.isRequired ? "Restrict" : "SetNull");
      if (action !== "Cascade" && action !== "SetNull") continue;
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${ident(other.dbName)} WHERE ${ident(column.dbName)} = ANY($1)`, [keys]);
      const n = Number(rows[0]!.n);
      if (n === 0) continue;
      const noun = humanize(other.name).toLowerCase();
      effects.push(action === "Cascade" ? `deletes ${counted(n, noun)}` : `clears the ${humanize(relation.name).toLowerCase()} of ${counted(n, noun)}`);
    }
  }
  for (const field of model.fields) {
    const m2m = manyToMany(dataModel, model, field);
    if (!m2m) continue;
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(DISTINCT ${ident(m2m.targetColumn)}) AS n FROM ${ident(m2m.joinTable)} WHERE ${ident(m2m.ownColumn)} = ANY($1)`,
      [keys],
    );
    const n = Number(rows[0]!.n);
    if (n === 0) continue;
    const own = humanize(model.name).toLowerCase();
    const what = name === undefined ? `the selected ${pluralize(own)}` : `the ${own} “${name}”`;
    effects.push(`removes ${what} from ${counted(n, humanize(m2m.target.name).toLowerCase())}`);
  }
  return effects;
}

const counted = (count: number, noun: string) => `${count.toLocaleString("en")} ${count === 1 ? noun : pluralize(noun)}`;
