import { ident } from "../db/sql";
import { fieldOf, idColumn, idSqlType, manyToMany } from "../model/relations";
import type { DataModelMeta, EnumFieldMeta, ModelMeta, ScalarFieldMeta } from "../model/types";
import type { BulkChange, ManyMode } from "./bulk-changes";

/**
 * A bulk operation as SQL, before any ids: the same plan serves the request (sync) path and, later,
 * background workers, so both change rows in exactly the same way.
 */
export type BulkPlan =
  | { kind: "update"; table: string; idColumn: string; idType: string; assignments: string[]; values: unknown[]; links: LinkChange[] }
  | { kind: "delete"; table: string; idColumn: string; idType: string };

export interface LinkChange {
  joinTable: string;
  ownColumn: string;
  targetColumn: string;
  mode: ManyMode;
  /** The related records' ids as text, and their id column's SQL type. */
  targetIds: string[];
  targetType: string;
}

const CASTS: Record<string, string> = { Int: "int", BigInt: "bigint", Float: "float8", Decimal: "numeric", Boolean: "boolean", String: "text", Json: "jsonb" };

export function updatePlan(dataModel: DataModelMeta, model: ModelMeta, changes: BulkChange[]): BulkPlan {
  const assignments: string[] = [];
  const values: unknown[] = [];
  const links: LinkChange[] = [];
  for (const change of changes) {
    const meta = fieldOf(model, change.field.name);
    if (!meta) throw new Error(`Unknown field ${change.field.name}`);
    if (meta.kind === "object") {
      const m2m = manyToMany(dataModel, model, meta)!;
      links.push({ joinTable: m2m.joinTable, ownColumn: m2m.ownColumn, targetColumn: m2m.targetColumn, mode: change.mode ?? "add", targetIds: (change.value as unknown[]).map(String), targetType: idSqlType(m2m.target) });
      continue;
    }
    // $1 is the chunk's ids; values follow, each cast to its column's type.
    values.push(sqlValue(change.value, meta.kind === "scalar" ? meta.nativeType : undefined));
    assignments.push(`${ident(meta.dbName)} = $${values.length + 1}::${columnCast(meta)}`);
  }
  // @updatedAt columns move on every row the operation touches, as Prisma would move them (UTC).
  for (const field of model.fields) {
    if (field.kind === "scalar" && field.isUpdatedAt) assignments.push(`${ident(field.dbName)} = (now() AT TIME ZONE 'UTC')`);
  }
  return { kind: "update", table: model.dbName, idColumn: idColumn(model), idType: idSqlType(model), assignments, values, links };
}

export function deletePlan(model: ModelMeta): BulkPlan {
  return { kind: "delete", table: model.dbName, idColumn: idColumn(model), idType: idSqlType(model) };
}

/** The SQL type a column's new value is cast to. */
export function columnCast(meta: ScalarFieldMeta | EnumFieldMeta): string {
  if (meta.kind === "enum") return ident(meta.type);
  if (meta.type === "DateTime") return meta.nativeType === "Date" ? "date" : "timestamp(3)";
  if (meta.nativeType === "Uuid") return "uuid";
  return CASTS[meta.type] ?? "text";
}

/** A change's value as SQL receives it (dates and bigints as text). */
export function sqlValue(value: unknown, nativeType: string | undefined): unknown {
  if (value instanceof Date) return nativeType === "Date" ? value.toISOString().slice(0, 10) : value.toISOString();
  return typeof value === "bigint" ? value.toString() : value;
}
