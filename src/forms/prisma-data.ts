import { fieldOf, manyToMany, modelOf, relationOfForeignKey } from "../model/relations";
import type { DataModelMeta, ModelMeta } from "../model/types";
import type { FormField, FormValues } from "./types";

/**
 * Prisma `data` for a create or update. Foreign keys are written through their relation
 * (`author: { connect }`) because Prisma only takes a bare column in its "unchecked" input,
 * which cannot be combined with the many-to-many writes (`genres: { set }`) of the same form.
 */
export function toPrismaData(
  dataModel: DataModelMeta,
  model: ModelMeta,
  fields: FormField[],
  values: FormValues,
  mode: "create" | "update",
): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.disabled || value === undefined) continue;
    const meta = fieldOf(model, field.name);
    if (!meta) throw new Error(`${model.name} has no field "${field.name}".`);

    if (field.widget === "relation" && meta.kind === "scalar") {
      const relation = relationOfForeignKey(model, meta);
      if (!relation) throw new Error(`${model.name}.${field.name} is not a foreign key.`);
      const key = relation.toFields[0] ?? modelOf(dataModel, relation.type).idField;
      if (value !== null) data[relation.name] = { connect: { [key]: value } };
      // A new record without the relation simply leaves it out; an existing one must drop it.
      else if (mode === "update") data[relation.name] = { disconnect: true };
    } else if (field.widget === "relations") {
      const link = manyToMany(dataModel, model, meta);
      if (!link) throw new Error(`${model.name}.${field.name} is not a many-to-many relation.`);
      const ids = (value as number[]).map((id) => ({ [link.target.idField]: id }));
      data[field.name] = mode === "create" ? { connect: ids } : { set: ids };
    } else {
      data[field.name] = value;
    }
  }
  return data;
}
