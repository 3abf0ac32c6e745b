import { humanize } from "../model/labels";
import { displayFieldOf, fieldOf, manyToMany, modelOf, relationOfForeignKey } from "../model/relations";
import type { DataModelMeta, EnumFieldMeta, ModelMeta, RelationFieldMeta, ScalarFieldMeta } from "../model/types";
import type { FormField } from "./types";

export interface FormFieldOptions {
  /** Exactly these fields, in this order; a foreign key may be named by its relation (author for authorId). */
  fields?: string[];
  exclude?: string[];
  disabled?: string[];
  labels?: Record<string, string>;
  help?: Record<string, string>;
  /** Model name → the field that names its records in relation selects. */
  labelFields?: Record<string, string>;
}

/** A model field a form can edit, under the name the form uses. */
type Editable =
  | { name: string; kind: "scalar"; meta: ScalarFieldMeta }
  | { name: string; kind: "enum"; meta: EnumFieldMeta }
  | { name: string; kind: "foreignKey"; meta: ScalarFieldMeta; relation: RelationFieldMeta }
  | { name: string; kind: "manyToMany"; meta: RelationFieldMeta };

const INT_RANGE = { min: -2147483648, max: 2147483647 };
// BigInt columns are edited as JavaScript numbers, so only the range a number holds exactly is accepted.
const BIGINT_RANGE = { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER };

export function formFieldsFor(dataModel: DataModelMeta, model: ModelMeta, options: FormFieldOptions = {}): FormField[] {
  const editable = editableFields(dataModel, model);
  const resolve = resolver(model, editable);
  checkLabelFields(dataModel, options.labelFields ?? {});

  const chosen = options.fields
    ? options.fields.map((name) => resolve(name, "fields"))
    : editable.filter((field) => shownByDefault(model, field));
  const duplicate = chosen.find((field, index) => chosen.indexOf(field) !== index);
  if (duplicate) throw new Error(`The form of ${model.name} lists "${duplicate.name}" twice in fields.`);

  const excluded = new Set(options.exclude?.map((name) => resolve(name, "exclude")));
  const disabled = new Set(options.disabled?.map((name) => resolve(name, "disabled")));
  const labels = byField(options.labels ?? {}, (name) => resolve(name, "labels"));
  const help = byField(options.help ?? {}, (name) => resolve(name, "help"));

  return chosen
    .filter((field) => !excluded.has(field))
    .map((field) => ({
      ...formField(dataModel, field, options.labelFields ?? {}),
      label: labels.get(field) ?? humanize(field.name),
      disabled: disabled.has(field),
      ...(help.has(field) ? { help: help.get(field) } : {}),
    }));
}

function editableFields(dataModel: DataModelMeta, model: ModelMeta): Editable[] {
  const editable: Editable[] = [];
  for (const meta of model.fields) {
    if (meta.kind === "object") {
      if (manyToMany(dataModel, model, meta)) editable.push({ name: meta.name, kind: "manyToMany", meta });
    } else if (meta.isList) {
      // Scalar lists (String[]) have no widget.
    } else if (meta.kind === "enum") {
      editable.push({ name: meta.name, kind: "enum", meta });
    } else if (meta.type !== "Json" && meta.type !== "Bytes") {
      const relation = relationOfForeignKey(model, meta);
      editable.push(relation ? { name: meta.name, kind: "foreignKey", meta, relation } : { name: meta.name, kind: "scalar", meta });
    }
  }
  return editable;
}

function shownByDefault(model: ModelMeta, field: Editable): boolean {
  if (field.kind === "manyToMany") return true;
  if (field.meta.name === model.idField) return false;
  return field.kind === "enum" || !field.meta.isGenerated;
}

/** Maps a configured name to its field, or throws naming the valid ones: config typos surface at mount time. */
function resolver(model: ModelMeta, editable: Editable[]): (name: string, option: string) => Editable {
  const byName = new Map<string, Editable>();
  for (const field of editable) {
    byName.set(field.name, field);
    if (field.kind === "foreignKey") byName.set(field.relation.name, field);
  }
  return (name, option) => {
    const field = byName.get(name);
    if (field) return field;
    const why = fieldOf(model, name) ? "is not editable in a form" : "is not a field of this model";
    const valid = editable.map((candidate) => candidate.name).join(", ");
    throw new Error(`Unknown field "${name}" in ${option} for ${model.name}: it ${why}. Valid fields: ${valid}.`);
  };
}

function byField(values: Record<string, string>, resolve: (name: string) => Editable): Map<Editable, string> {
  return new Map(Object.entries(values).map(([name, value]) => [resolve(name), value]));
}

function checkLabelFields(dataModel: DataModelMeta, labelFields: Record<string, string>): void {
  for (const [modelName, fieldName] of Object.entries(labelFields)) {
    const target = modelOf(dataModel, modelName);
    if (!fieldOf(target, fieldName)) {
      const valid = target.fields.filter((field) => field.kind !== "object").map((field) => field.name).join(", ");
      throw new Error(`Unknown field "${fieldName}" in labelFields for ${modelName}. Valid fields: ${valid}.`);
    }
  }
}

type Described = Omit<FormField, "label" | "disabled" | "help">;

function formField(dataModel: DataModelMeta, field: Editable, labelFields: Record<string, string>): Described {
  if (field.kind === "manyToMany") {
    const target = modelOf(dataModel, field.meta.type);
    return {
      name: field.name,
      widget: "relations",
      required: false,
      nullable: false,
      relation: { model: target.name, idField: target.idField, ...labelOf(target, labelFields), multiple: true },
    };
  }
  const widget: WidgetDescription =
    field.kind === "enum" ? { widget: "select" } : field.kind === "foreignKey" ? { widget: "relation" } : scalarWidget(field.meta);
  // Generated columns (@updatedAt has no @default) get their value without the user.
  const generated = field.kind !== "enum" && field.meta.isGenerated;
  const { meta } = field;
  const described: Described = {
    name: field.name,
    ...widget,
    required: meta.isRequired && !meta.hasDefault && !generated && widget.widget !== "checkbox",
    nullable: !meta.isRequired,
    ...(meta.defaultValue !== undefined ? { initial: meta.defaultValue } : {}),
  };
  if (field.kind === "enum") {
    const values = dataModel.enums[field.meta.type]?.values ?? [];
    described.choices = values.map((value) => ({ value, label: humanize(value) }));
  }
  if (field.kind === "foreignKey") {
    const target = modelOf(dataModel, field.relation.type);
    described.relation = {
      model: target.name,
      // The select's option values must be what the column stores: the referenced key, usually the id.
      idField: field.relation.toFields[0] ?? target.idField,
      ...labelOf(target, labelFields),
      multiple: false,
    };
  }
  return described;
}

type WidgetDescription = Pick<FormField, "widget"> & Partial<Pick<FormField, "step" | "min" | "max" | "precision" | "scale" | "maxLength">>;

function scalarWidget(meta: ScalarFieldMeta): WidgetDescription {
  switch (meta.type) {
    case "String": {
      const maxLength = meta.nativeType === "VarChar" || meta.nativeType === "Char" ? Number(meta.nativeTypeArgs?.[0]) : NaN;
      return {
        widget: meta.nativeType === "Text" ? "textarea" : "text",
        ...(Number.isInteger(maxLength) ? { maxLength } : {}),
      };
    }
    case "Int":
      return { widget: "integer", ...INT_RANGE };
    case "BigInt":
      return { widget: "integer", ...BIGINT_RANGE };
    case "Float":
      return { widget: "float" };
    case "Decimal":
      return decimalWidget(meta.nativeTypeArgs ?? []);
    case "Boolean":
      return { widget: "checkbox" };
    case "DateTime":
      return { widget: meta.nativeType === "Date" ? "date" : "datetime" };
    case "Json":
    case "Bytes":
      throw new Error(`${meta.type} field "${meta.name}" has no form widget.`);
  }
}

function decimalWidget(nativeTypeArgs: string[]): WidgetDescription {
  const [precision, scale] = nativeTypeArgs.map(Number);
  if (precision === undefined || !Number.isInteger(precision)) return { widget: "decimal", step: "any" };
  const digits = scale ?? 0;
  const whole = "9".repeat(precision - digits) || "0";
  const max = Number(digits > 0 ? `${whole}.${"9".repeat(digits)}` : whole);
  return {
    widget: "decimal",
    step: digits > 0 ? `0.${"0".repeat(digits - 1)}1` : "1",
    min: -max,
    max,
    precision,
    scale: digits,
  };
}

function labelOf(target: ModelMeta, labelFields: Record<string, string>): { labelField: string; labelIsText: boolean } {
  const labelField = displayFieldOf(target, labelFields[target.name]);
  const label = fieldOf(target, labelField);
  return { labelField, labelIsText: label?.kind === "scalar" && label.type === "String" };
}
