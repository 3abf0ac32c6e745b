import type { DataModelMeta, FieldMeta, ModelMeta, RelationFieldMeta, ScalarFieldMeta } from "./types";

export function fieldOf(model: ModelMeta, name: string): FieldMeta | undefined {
  return model.fields.find((field) => field.name === name);
}

export function modelOf(dataModel: DataModelMeta, name: string): ModelMeta {
  const model = dataModel.models[name];
  if (!model) throw new Error(`Unknown model "${name}"`);
  return model;
}

/** The relation field a foreign-key column belongs to (Book.authorId → Book.author). */
export function relationOfForeignKey(model: ModelMeta, field: ScalarFieldMeta): RelationFieldMeta | undefined {
  if (!field.foreignKeyOf) return undefined;
  const relation = fieldOf(model, field.foreignKeyOf);
  return relation?.kind === "object" ? relation : undefined;
}

export interface ManyToMany {
  field: RelationFieldMeta;
  target: ModelMeta;
  /** Prisma's implicit join table, e.g. "_BookToGenre". */
  joinTable: string;
  /** Join-table column holding this model's id ("A" or "B"). */
  ownColumn: "A" | "B";
  targetColumn: "A" | "B";
}

/**
 * Implicit many-to-many relations (both sides lists, no key fields): Prisma keeps them in a table
 * named `_<relationName>` whose column A points at the model whose name sorts first.
 */
export function manyToMany(dataModel: DataModelMeta, model: ModelMeta, field: FieldMeta): ManyToMany | undefined {
  if (field.kind !== "object" || !field.isList || field.fromFields.length > 0) return undefined;
  const target = dataModel.models[field.type];
  const opposite = target?.fields.find(
    (other) => other.kind === "object" && other.relationName === field.relationName && other !== field,
  );
  if (!target || !opposite || !opposite.isList) return undefined;
  const ownFirst = model.name === target.name ? field.name < opposite.name : model.name < target.name;
  return { field, target, joinTable: `_${field.relationName}`, ownColumn: ownFirst ? "A" : "B", targetColumn: ownFirst ? "B" : "A" };
}

const LABEL_CANDIDATES = ["name", "title", "label", "displayName", "email", "username", "slug", "code"];

/** The field that names a record of this model in selects and relation columns. */
export function displayFieldOf(model: ModelMeta, override?: string): string {
  if (override) return override;
  for (const candidate of LABEL_CANDIDATES) {
    const field = fieldOf(model, candidate);
    if (field && field.kind === "scalar" && field.type === "String") return candidate;
  }
  const firstText = model.fields.find((field) => field.kind === "scalar" && field.type === "String" && !field.isId);
  return firstText?.name ?? model.idField;
}

/** The database column of a field (differs from the field name with @map). */
export function columnName(model: ModelMeta, fieldName: string): string {
  const field = fieldOf(model, fieldName);
  return field && field.kind !== "object" ? field.dbName : fieldName;
}

/** The database column of the model's id. */
export function idColumn(model: ModelMeta): string {
  return columnName(model, model.idField);
}

/** The SQL type of a model's id column, for casting ids that travel as text: int, bigint, uuid or text. */
export function idSqlType(model: ModelMeta): string {
  const field = fieldOf(model, model.idField);
  if (field?.kind !== "scalar") return "text";
  if (field.type === "Int") return "int";
  if (field.type === "BigInt") return "bigint";
  return field.nativeType === "Uuid" ? "uuid" : "text";
}

/** The Prisma client's delegate for a model: prisma.book for "Book". */
export function delegateOf(prisma: Record<string, any>, modelName: string): any {
  return prisma[modelName.charAt(0).toLowerCase() + modelName.slice(1)];
}
