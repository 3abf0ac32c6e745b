import { columnDomain, decimalMax, DEFAULT_TEXT_LIMITS, keyDomain, type ColumnDomain, type TextLimits } from "../model/column-domain";
import { humanize } from "../model/labels";
import { displayFieldOf, fieldOf, manyToMany, modelOf, relationOfForeignKey } from "../model/relations";
import type { DataModelMeta, EnumFieldMeta, ModelMeta, RelationFieldMeta, ScalarFieldMeta } from "../model/types";
import type { ChoicesWhere, DependentChoices, FieldCheck, FormField } from "./types";

export interface FormFieldOptions {
  /** Exactly these fields, in this order; a foreign key may be named by its relation (author for authorId). */
  fields?: string[];
  exclude?: string[];
  disabled?: string[];
  labels?: Record<string, string>;
  help?: Record<string, string>;
  /** Model name → the field that names its records in relation selects. */
  labelFields?: Record<string, string>;
  /** Extra checks of a field's parsed value, on top of its column's domain. */
  validate?: Record<string, FieldCheck>;
  /** Default lengths of text columns that declare none. */
  textLimits?: TextLimits;
  /** Relation fields whose choices depend on other fields' values. */
  dependentChoices?: Record<string, { on: string[]; where: ChoicesWhere; message?: string }>;
}

/** A model field a form can edit, under the name the form uses. */
type Editable =
  | { name: string; kind: "scalar"; meta: ScalarFieldMeta }
  | { name: string; kind: "enum"; meta: EnumFieldMeta }
  | { name: string; kind: "foreignKey"; meta: ScalarFieldMeta; relation: RelationFieldMeta }
  | { name: string; kind: "manyToMany"; meta: RelationFieldMeta };

// BigInt columns are edited as JavaScript numbers, so only the range a number holds exactly is accepted.
const SAFE_RANGE = { min: BigInt(-Number.MAX_SAFE_INTEGER), max: BigInt(Number.MAX_SAFE_INTEGER) };

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
  const validate = byField(options.validate ?? {}, (name) => resolve(name, "validate"));
  const limits = options.textLimits ?? DEFAULT_TEXT_LIMITS;
  const dependent = dependentChoices(options, resolve, (field) => ({
    ...formField(dataModel, field, options.labelFields ?? {}, limits),
    label: labels.get(field) ?? humanize(field.name),
    // Parsed only to tell the hook what the form holds: a missing value is "unknown", not an error.
    required: false,
    disabled: false,
  }));

  return chosen
    .filter((field) => !excluded.has(field))
    .map((field) => ({
      ...formField(dataModel, field, options.labelFields ?? {}, limits),
      label: labels.get(field) ?? humanize(field.name),
      disabled: disabled.has(field),
      ...(help.has(field) ? { help: help.get(field) } : {}),
      ...(validate.has(field) ? { validate: validate.get(field) } : {}),
      ...(dependent.has(field) ? { dependent: dependent.get(field) } : {}),
    }));
}

/**
 * Resolves `dependentChoices`: each key must name a relation field (its choices are records), each
 * `on` entry another single-value field, whose submitted value the hook is given.
 */
function dependentChoices(
  options: FormFieldOptions,
  resolve: (name: string, option: string) => Editable,
  describe: (field: Editable) => FormField,
): Map<Editable, DependentChoices> {
  const resolved = new Map<Editable, DependentChoices>();
  for (const [name, spec] of Object.entries(options.dependentChoices ?? {})) {
    const field = resolve(name, "dependentChoices");
    if (field.kind !== "foreignKey" && field.kind !== "manyToMany") {
      throw new Error(`dependentChoices.${name}: only relation fields (a foreign key or a many-to-many relation) have choices to narrow; "${field.name}" is ${field.kind === "enum" ? "an enum" : "a plain field"}.`);
    }
    const on = spec.on.map((parentName) => {
      const parent = resolve(parentName, `dependentChoices.${name}.on`);
      if (parent === field) throw new Error(`dependentChoices.${name}.on: a field cannot depend on itself.`);
      if (parent.kind === "manyToMany") throw new Error(`dependentChoices.${name}.on: "${parentName}" holds several values; name single-value fields (fields, enums, foreign keys).`);
      return parent;
    });
    if (new Set(on).size !== on.length) throw new Error(`dependentChoices.${name}.on: a field is named twice.`);
    resolved.set(field, { on: on.map(describe), where: spec.where, ...(spec.message ? { message: spec.message } : {}) });
  }
  return resolved;
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
    } else if (columnDomain(dataModel, meta).kind !== "other") {
      // Json, Bytes and times of day have no widget.
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

function byField<T>(values: Record<string, T>, resolve: (name: string) => Editable): Map<Editable, T> {
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

type Described = Omit<FormField, "label" | "disabled" | "help" | "validate">;

function formField(dataModel: DataModelMeta, field: Editable, labelFields: Record<string, string>, limits: TextLimits): Described {
  if (field.kind === "manyToMany") {
    const target = modelOf(dataModel, field.meta.type);
    return {
      name: field.name,
      widget: "relations",
      required: false,
      nullable: false,
      domain: keyDomain(dataModel, target, limits),
      relation: { model: target.name, idField: target.idField, ...labelOf(target, labelFields), multiple: true },
    };
  }
  // A foreign key holds the referenced column's values, so its own column has the same domain.
  const domain = columnDomain(dataModel, field.meta, limits);
  const widget: WidgetDescription =
    field.kind === "enum" ? { widget: "select", domain } : field.kind === "foreignKey" ? { widget: "relation", domain } : scalarWidget(field.meta, domain);
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

type WidgetDescription = Pick<FormField, "widget" | "domain"> & Partial<Pick<FormField, "step" | "min" | "max" | "precision" | "scale" | "maxLength">>;

/** The widget of a plain column, with the HTML limits its domain implies. */
function scalarWidget(meta: ScalarFieldMeta, domain: ColumnDomain): WidgetDescription {
  switch (domain.kind) {
    case "text":
      return { widget: meta.nativeType === "Text" ? "textarea" : "text", domain, maxLength: domain.maxLength };
    case "uuid":
      return { widget: "text", domain, maxLength: 36 };
    case "integer": {
      const range = domain.sqlType === "int8" ? SAFE_RANGE : domain;
      return { widget: "integer", domain: { ...domain, ...range }, min: Number(range.min), max: Number(range.max) };
    }
    case "float":
      return { widget: "float", domain };
    case "decimal":
      return decimalWidget(meta, domain);
    case "boolean":
      return { widget: "checkbox", domain };
    case "date":
      return { widget: "date", domain };
    case "timestamp":
      return { widget: "datetime", domain };
    default:
      throw new Error(`${meta.type}${meta.nativeType ? ` (@db.${meta.nativeType})` : ""} field "${meta.name}" has no form widget.`);
  }
}

function decimalWidget(meta: ScalarFieldMeta, domain: Extract<ColumnDomain, { kind: "decimal" }>): WidgetDescription {
  // An unconstrained numeric takes any number of digits: no step or bounds to show.
  if (meta.nativeType !== undefined && meta.nativeTypeArgs?.length === 0) return { widget: "decimal", domain, step: "any" };
  const { precision, scale } = domain;
  const max = Number(decimalMax(domain));
  return {
    widget: "decimal",
    domain,
    step: scale > 0 ? `0.${"0".repeat(scale - 1)}1` : "1",
    min: -max,
    max,
    precision,
    scale,
  };
}

function labelOf(target: ModelMeta, labelFields: Record<string, string>): { labelField: string; labelIsText: boolean } {
  const labelField = displayFieldOf(target, labelFields[target.name]);
  const label = fieldOf(target, labelField);
  return { labelField, labelIsText: label?.kind === "scalar" && label.type === "String" };
}
