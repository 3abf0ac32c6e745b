/**
 * What PowerCRUD knows about a Prisma model. Written at `prisma generate` time by the PowerCRUD
 * generator (src/model/prisma-generator.ts) from Prisma's full DMMF, so nothing is guessed at runtime.
 */
export type ScalarType = "String" | "Int" | "BigInt" | "Float" | "Decimal" | "Boolean" | "DateTime" | "Json" | "Bytes";

interface FieldBase {
  name: string;
  isRequired: boolean;
  isList: boolean;
  /** Any @default, including autoincrement(), now(), uuid(). */
  hasDefault: boolean;
  documentation?: string;
}

export interface ScalarFieldMeta extends FieldBase {
  kind: "scalar";
  type: ScalarType;
  /** Column name in the database (differs from `name` with @map). */
  dbName: string;
  /** Native type such as "Date", "Text", "Decimal" (from @db.X), when given. */
  nativeType?: string;
  nativeTypeArgs?: string[];
  isId: boolean;
  isUnique: boolean;
  isUpdatedAt: boolean;
  /** The value is produced by the database or Prisma (autoincrement, now(), uuid(), cuid()...). */
  isGenerated: boolean;
  /** A literal default value, when the default is a plain value. */
  defaultValue?: string | number | boolean;
  /** Set when this column holds a foreign key: the relation field that uses it. */
  foreignKeyOf?: string;
  /** The column is part of a B-tree index (id, @unique, @@index): each value must fit an index page. */
  inBtreeIndex?: boolean;
}

export interface EnumFieldMeta extends FieldBase {
  kind: "enum";
  type: string;
  dbName: string;
  isId: boolean;
  isUnique: boolean;
  defaultValue?: string;
}

export interface RelationFieldMeta extends FieldBase {
  kind: "object";
  /** The related model's name. */
  type: string;
  relationName: string;
  /** Scalar fields on this model that hold the key (empty on the side without the key). */
  fromFields: string[];
  toFields: string[];
  onDelete?: string;
}

export type FieldMeta = ScalarFieldMeta | EnumFieldMeta | RelationFieldMeta;

export interface ModelMeta {
  name: string;
  /** Table name (differs from `name` with @@map). */
  dbName: string;
  /** The single-column primary key PowerCRUD routes and bulk SQL use. */
  idField: string;
  /** The primary key's fields when it spans several columns (@@id); idField is then "". */
  primaryKey?: string[];
  fields: FieldMeta[];
  documentation?: string;
}

export interface EnumMeta {
  name: string;
  values: string[];
}

export interface DataModelMeta {
  models: Record<string, ModelMeta>;
  enums: Record<string, EnumMeta>;
}
