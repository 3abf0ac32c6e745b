import type { DMMF } from "@prisma/generator-helper";
import type { DataModelMeta, FieldMeta, ModelMeta, ScalarType } from "./types";

const GENERATED_DEFAULTS = new Set(["autoincrement", "now", "uuid", "cuid", "ulid", "nanoid", "dbgenerated", "sequence"]);

/** Converts Prisma's DMMF datamodel into PowerCRUD's metadata (plain JSON, stable across Prisma versions). */
export function dataModelFromDmmf(datamodel: DMMF.Datamodel): DataModelMeta {
  const models: Record<string, ModelMeta> = {};
  const btreeColumns = btreeIndexedFields(datamodel);
  for (const model of datamodel.models) models[model.name] = modelFromDmmf(model, btreeColumns.get(model.name) ?? new Set());
  const enums = Object.fromEntries(
    datamodel.enums.map((e) => [e.name, { name: e.name, values: e.values.map((value) => value.name) }]),
  );
  return { models, enums };
}

/**
 * Fields held by a B-tree index, per model. PostgreSQL refuses an index entry larger than about a
 * third of a page, so such text columns get a shorter default length (GIN trigram indexes have no such limit).
 */
function btreeIndexedFields(datamodel: DMMF.Datamodel): Map<string, Set<string>> {
  const indexed = new Map<string, Set<string>>();
  for (const index of datamodel.indexes ?? []) {
    if (index.algorithm !== undefined && index.algorithm !== "BTree") continue;
    const fields = indexed.get(index.model) ?? new Set<string>();
    for (const field of index.fields) fields.add(field.name);
    indexed.set(index.model, fields);
  }
  return indexed;
}

function modelFromDmmf(model: DMMF.Model, btreeColumns: Set<string>): ModelMeta {
  const foreignKeyOf = new Map<string, string>();
  for (const field of model.fields) {
    for (const from of field.relationFromFields ?? []) foreignKeyOf.set(from, field.name);
  }
  const fields = model.fields.filter((field) => field.kind !== "unsupported").map((field) => fieldFromDmmf(field, foreignKeyOf, btreeColumns.has(field.name)));
  const idFields = model.primaryKey?.fields ?? model.fields.filter((field) => field.isId).map((field) => field.name);
  return {
    name: model.name,
    dbName: model.dbName ?? model.name,
    idField: idFields.length === 1 ? idFields[0]! : "",
    ...(idFields.length > 1 ? { primaryKey: [...idFields] } : {}),
    fields,
    ...(model.documentation ? { documentation: model.documentation } : {}),
  };
}

function fieldFromDmmf(field: DMMF.Field, foreignKeyOf: Map<string, string>, inBtreeIndex: boolean): FieldMeta {
  const base = {
    name: field.name,
    isRequired: field.isRequired,
    isList: field.isList,
    hasDefault: field.hasDefaultValue,
    ...(field.documentation ? { documentation: field.documentation } : {}),
  };
  const literalDefault = ["string", "number", "boolean"].includes(typeof field.default)
    ? (field.default as string | number | boolean)
    : undefined;
  if (field.kind === "object") {
    return {
      ...base,
      kind: "object",
      type: field.type,
      relationName: field.relationName ?? "",
      fromFields: [...(field.relationFromFields ?? [])],
      toFields: [...(field.relationToFields ?? [])],
      ...(field.relationOnDelete ? { onDelete: field.relationOnDelete } : {}),
    };
  }
  if (field.kind === "enum") {
    return {
      ...base,
      kind: "enum",
      type: field.type,
      dbName: field.dbName ?? field.name,
      isId: field.isId,
      isUnique: field.isUnique,
      ...(typeof literalDefault === "string" ? { defaultValue: literalDefault } : {}),
    };
  }
  const generatorName = field.default && typeof field.default === "object" && "name" in field.default ? field.default.name : undefined;
  const foreignKey = foreignKeyOf.get(field.name);
  return {
    ...base,
    kind: "scalar",
    type: field.type as ScalarType,
    dbName: field.dbName ?? field.name,
    ...(field.nativeType ? { nativeType: field.nativeType[0], nativeTypeArgs: [...field.nativeType[1]] } : {}),
    isId: field.isId,
    isUnique: field.isUnique,
    isUpdatedAt: field.isUpdatedAt ?? false,
    isGenerated: Boolean(field.isUpdatedAt) || (generatorName !== undefined && GENERATED_DEFAULTS.has(generatorName)),
    ...(literalDefault !== undefined ? { defaultValue: literalDefault } : {}),
    ...(foreignKey ? { foreignKeyOf: foreignKey } : {}),
    // @id and @unique on a field are indexes too, whether or not the DMMF lists them.
    ...(inBtreeIndex || field.isId || field.isUnique ? { inBtreeIndex: true } : {}),
  };
}
