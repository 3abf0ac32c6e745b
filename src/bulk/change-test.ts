import { ident } from "../db/sql";
import { fieldOf, idColumn, idSqlType, manyToMany } from "../model/relations";
import type { DataModelMeta, ModelMeta } from "../model/types";
import type { BulkChange } from "./bulk-changes";
import { columnCast, sqlValue } from "./bulk-plan";

/**
 * A SQL condition on a row (alias t) that holds when a bulk edit would really change it: some field
 * differs from its new value, or its many-to-many links would differ. Parameters are numbered from
 * `firstParam`, so it can follow another query's. The preview counts and shows these rows.
 */
export function changeTest(dataModel: DataModelMeta, model: ModelMeta, changes: BulkChange[], firstParam: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };
  const rowId = `t.${ident(idColumn(model))}`;
  const tests = changes.map((change) => {
    const meta = fieldOf(model, change.field.name);
    if (!meta) throw new Error(`Unknown field ${change.field.name}`);
    if (meta.kind !== "object") {
      const value = sqlValue(change.value, meta.kind === "scalar" ? meta.nativeType : undefined);
      return `t.${ident(meta.dbName)} IS DISTINCT FROM ${param(value)}::${columnCast(meta)}`;
    }
    const m2m = manyToMany(dataModel, model, meta)!;
    const ids = param((change.value as unknown[]).map(String));
    const wanted = `${ids}::text[]::${idSqlType(m2m.target)}[]`;
    const linked = `FROM ${ident(m2m.joinTable)} m WHERE m.${ident(m2m.ownColumn)} = ${rowId}`;
    const target = `m.${ident(m2m.targetColumn)}`;
    switch (change.mode ?? "add") {
      case "add":
        return `(SELECT count(*) ${linked} AND ${target} = ANY(${wanted})) < cardinality(${wanted})`;
      case "remove":
        return `EXISTS (SELECT 1 ${linked} AND ${target} = ANY(${wanted}))`;
      case "replace":
        return `ARRAY(SELECT ${target} ${linked} ORDER BY 1) IS DISTINCT FROM ARRAY(SELECT DISTINCT unnest(${wanted}) ORDER BY 1)`;
    }
  });
  return { sql: tests.length ? `(${tests.join(" OR ")})` : "FALSE", params };
}
