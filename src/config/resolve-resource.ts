import { formFieldsFor } from "../forms";
import type { FormField } from "../forms/types";
import { humanize, pluralize } from "../model/labels";
import { delegateOf, displayFieldOf, fieldOf, manyToMany } from "../model/relations";
import type { ModelMeta } from "../model/types";
import { filterSpecs, searchConditions, type FilterSpec, type SearchField } from "../list/filters";
import { defaultColumnKeys, detailColumnKeys, resolveColumn, type Column, type ColumnContext } from "../list/columns";
import type { BackgroundConfig } from "./background-schema";
import type { ExportConfig } from "./export-schema";
import type { HistoryConfig } from "./history-schema";
import type { ListMounts } from "../web/delete-blockers";
import type { PowerCrudConfig } from "./global-schema";
import type { Permissions } from "./permissions-schema";
import { resourceSchema, type ResourceConfig, type ResourceOptions } from "./resource-schema";
import { ConfigError, parseOptions } from "./schema-helpers";

/** A form field editable in place, and the list column whose cells it edits. */
export interface InlineField {
  field: FormField;
  column: string;
}

/** A resource with every name checked against the model and every default filled in. */
export interface Resource {
  /** The name background workers find this resource by (unique within one createPowerCrud). */
  key: string;
  config: ResourceConfig;
  global: PowerCrudConfig;
  model: ModelMeta;
  /** The Prisma delegate, e.g. prisma.book. */
  delegate: any;
  singular: string;
  plural: string;
  displayField: string;
  listColumns: Column[];
  detailColumns: Column[];
  contextColumns: Column[];
  /** Columns that computed properties read, fetched with every row. */
  propertyNeeds: Column[];
  formFields: FormField[];
  /** The inputs bulk edit offers (from bulkFields). */
  bulkFields: FormField[];
  /** The form fields editable in place in the list (inlineEdit.fields), by the list column that shows each. */
  inlineFields: InlineField[];
  filters: FilterSpec[];
  /** Names of the filters the panel shows without "Add filter" (all of them unless list.defaultFilters says otherwise). */
  defaultFilters: string[];
  /** SQL conditions of the search box, `$PATTERN` standing for the pattern. */
  searchConditions: SearchField[];
  permissions: Permissions;
  /** Where the lists of this createPowerCrud's models are mounted, shared by its resources (for cross-links). */
  mounts: ListMounts;
  /** Background execution: createPowerCrud's settings with this resource's own on top. */
  background: BackgroundConfig;
  /** Export: createPowerCrud's settings with this resource's own on top. */
  export: ExportConfig;
  /** The journal and audit trail: createPowerCrud's `history` with this resource's own on top. */
  history: HistoryConfig;
  templates: { list: string; table: string; detail: string; form: string; deleteConfirm: string };
}

export function resolveResource(global: PowerCrudConfig, options: ResourceOptions): Resource {
  const config = parseOptions(resourceSchema, options, `resource(${JSON.stringify((options as { model?: unknown })?.model ?? "?")})`);
  const where = `resource("${config.model}")`;
  const model = global.dataModel.models[config.model];
  if (!model) {
    throw new ConfigError(`Invalid ${where} options:\n  model: no model "${config.model}" (valid: ${Object.keys(global.dataModel.models).join(", ")})`);
  }
  if (!model.idField) throw new ConfigError(`Invalid ${where} options:\n  model: ${withoutSingleId(model)}`);
  const delegate = delegateOf(global.prisma, model.name);
  if (!delegate?.findMany) throw new ConfigError(`${where}: the Prisma client has no model "${model.name}"; was it generated from the same schema?`);

  if (config.displayField && !model.fields.some((field) => field.name === config.displayField && field.kind !== "object")) {
    const valid = model.fields.filter((field) => field.kind !== "object").map((field) => field.name);
    throw new ConfigError(`Invalid ${where} options:\n  displayField: ${model.name} has no field "${config.displayField}" (valid: ${valid.join(", ")})`);
  }
  const displayFields = { ...global.displayFields, ...(config.displayField ? { [model.name]: config.displayField } : {}) };
  const ctx: ColumnContext = { dataModel: global.dataModel, model, labels: config.labels, properties: config.properties, displayFields };
  const columns = (option: string, keys: string[]) => keys.map((key) => check(where, option, () => resolveColumn(ctx, key)));
  for (const key of Object.keys(config.labels)) {
    if (!(key in config.properties)) check(where, `labels.${key}`, () => resolveColumn({ ...ctx, labels: {} }, key));
  }

  const listKeys = config.list.fields?.map((entry) => (typeof entry === "string" ? entry : entry.field)) ?? defaultColumnKeys(global.dataModel, model);
  checkNames(where, "list.exclude", config.list.exclude, listKeys.concat(defaultColumnKeys(global.dataModel, model)));
  const listColumns = columns("list.fields", listKeys.filter((key) => !config.list.exclude.includes(key)));
  const linkFields = config.list.linkFields ?? listColumns.slice(0, 1).map((column) => column.key);
  checkNames(where, "list.linkFields", linkFields, listColumns.map((column) => column.key));
  for (const column of listColumns) {
    const entry = config.list.fields?.find((item) => typeof item !== "string" && item.field === column.key);
    column.link = typeof entry === "object" && entry.link !== undefined ? entry.link : linkFields.includes(column.key);
    if (typeof entry === "object" && entry.label) column.label = entry.label;
  }
  checkNames(where, "list.defaultColumns", config.list.defaultColumns ?? [], listColumns.map((column) => column.key));
  checkNames(where, "list.help", Object.keys(config.list.help), listColumns.map((column) => column.key));
  for (const column of listColumns) if (config.list.help[column.key]) column.help = config.list.help[column.key];
  checkNames(where, "list.defaultSort", config.list.defaultSort.map((key) => key.replace(/^-/, "")), listColumns.filter((c) => c.sortable).map((c) => c.key));

  const detailKeys = config.detail.fields ?? detailColumnKeys(global.dataModel, model).concat(Object.keys(config.properties));
  checkNames(where, "detail.exclude", config.detail.exclude, detailKeys);
  const detailColumns = columns("detail.fields", detailKeys.filter((key) => !config.detail.exclude.includes(key)));
  const contextColumns = columns("form.context", config.form.context);
  const propertyNeeds = columns("properties.needs", Object.values(config.properties).flatMap((property) => property.needs));

  const textLimits = { maxTextLength: global.maxTextLength, maxIndexedTextLength: global.maxIndexedTextLength };
  const formFields = check(where, "form", () =>
    formFieldsFor(global.dataModel, model, {
      fields: config.form.fields,
      exclude: config.form.exclude,
      disabled: config.form.disabled,
      labels: formLabels(global.dataModel, model, config.labels),
      help: config.form.help,
      validate: config.form.validate,
      labelFields: displayFields,
      textLimits,
      dependentChoices: config.form.dependentChoices,
    }),
  );

  for (const name of config.bulkFields) {
    const field = fieldOf(model, name);
    if (field && field.kind !== "object" && (field.isId || field.isUnique)) {
      throw new ConfigError(`Invalid ${where} options:\n  bulkFields: "${name}" is ${field.isId ? "the id" : "unique"}; one value cannot be set on many records`);
    }
  }
  const bulkFields = config.bulkFields.length === 0 ? [] : check(where, "bulkFields", () =>
    formFieldsFor(global.dataModel, model, {
      fields: config.bulkFields,
      labels: formLabels(global.dataModel, model, config.labels),
      validate: config.form.validate,
      labelFields: displayFields,
      textLimits,
      dependentChoices: config.form.dependentChoices,
    }),
  );
  const inlineFields = check(where, "inlineEdit.fields", () => inlineFieldsOf(global.dataModel, model, config, formFields, listColumns));
  const filters = check(where, "list.filters", () => filterSpecs(global.dataModel, model, config.list.filters, displayFields, config.labels));
  const defaultFilters = config.list.defaultFilters === undefined
    ? filters.map((spec) => spec.name)
    : check(where, "list.defaultFilters", () => filterNames(global.dataModel, model, config.list.defaultFilters!, filters, displayFields));
  const search = check(where, "list.search", () => searchConditions(global.dataModel, model, config.list.search));

  const singular = config.singular ?? humanize(model.name);
  const templates = {
    list: config.templates.list ?? "powercrud/list.njk",
    table: config.templates.table ?? "powercrud/partials/table.njk",
    detail: config.templates.detail ?? "powercrud/partials/detail.njk",
    form: config.templates.form ?? "powercrud/partials/form.njk",
    deleteConfirm: config.templates.deleteConfirm ?? "powercrud/partials/delete-confirm.njk",
  };
  const ownBackground = Object.fromEntries(Object.entries(config.bulk.background).filter(([, value]) => value !== undefined));
  const background = { ...global.bulk.background, ...ownBackground };
  const ownExport = Object.fromEntries(Object.entries(config.export).filter(([, value]) => value !== undefined));
  const exportSettings = { ...global.export, ...ownExport };
  return {
    key: config.key ?? model.name,
    config,
    global,
    model,
    delegate,
    singular,
    plural: config.title ?? pluralize(singular),
    displayField: displayFieldOf(model, displayFields[model.name]),
    listColumns,
    detailColumns,
    contextColumns,
    propertyNeeds,
    formFields,
    bulkFields,
    inlineFields,
    filters,
    defaultFilters,
    searchConditions: search,
    permissions: { ...global.permissions, ...config.permissions },
    mounts: new Map(),
    background,
    export: { ...exportSettings, backgroundMinRecords: exportSettings.backgroundMinRecords ?? background.minRecords },
    history: {
      enabled: config.history.enabled ?? global.history.enabled,
      retentionDays: config.history.retentionDays ?? global.history.retentionDays,
    },
    templates,
  };
}

/**
 * Why a model without a single-column id cannot be mounted: record pages (/:id), selections, bulk
 * edit, bulk delete and background tasks all name a record by one id value.
 */
function withoutSingleId(model: ModelMeta): string {
  const needs = "PowerCRUD addresses each record by one id column (record pages, selection, bulk edit, bulk delete and background tasks need it)";
  if (!model.primaryKey?.length) return `${model.name} has no single-column primary key; ${needs}. Give it one with @id.`;
  const key = model.primaryKey.join(", ");
  return `${model.name}'s primary key spans several columns (${key}); ${needs}. Add a single-column id (e.g. id String @id @default(cuid())) and keep the columns unique with @@unique([${key}]).`;
}

/** Labels may name list paths and properties too; the form takes those that name its kind of field. */
function formLabels(dataModel: PowerCrudConfig["dataModel"], model: ModelMeta, labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labels).filter(([name]) => {
      const field = fieldOf(model, name);
      if (!field) return false;
      if (field.kind !== "object") return field.kind === "enum" || (field.type !== "Json" && field.type !== "Bytes");
      return field.fromFields.length === 1 || manyToMany(dataModel, model, field) !== undefined;
    }),
  );
}

/**
 * The inline fields: each must be a field of the edit form (so it has the form's label, checks and
 * choices) that is not disabled there, and a list column, whose cells become its input.
 */
function inlineFieldsOf(dataModel: PowerCrudConfig["dataModel"], model: ModelMeta, config: ResourceConfig, formFields: FormField[], listColumns: Column[]): InlineField[] {
  if (config.inlineEdit.fields.length === 0) return [];
  if (!config.routes.update) throw new ConfigError(`Invalid resource("${config.model}") options:\n  inlineEdit.fields: inline editing saves through the update route, which routes.update turns off`);
  // Resolved as form fields are, so "author" names authorId and a non-editable field is refused by name.
  const named = formFieldsFor(dataModel, model, { fields: config.inlineEdit.fields });
  return named.map((candidate) => {
    const field = formFields.find((formField) => formField.name === candidate.name);
    if (!field) throw new Error(`"${candidate.name}" is not in the edit form (form.fields, form.exclude); inline editing uses the form's fields`);
    if (field.disabled) throw new Error(`"${candidate.name}" is disabled in the form (form.disabled)`);
    const meta = fieldOf(model, field.name);
    const column = meta && meta.kind === "scalar" && meta.foreignKeyOf ? meta.foreignKeyOf : field.name;
    if (!listColumns.some((listColumn) => listColumn.key === column)) {
      throw new Error(`"${column}" is not a list column (list.fields, list.exclude); a field is edited in place in its column's cells`);
    }
    return { field, column };
  });
}

/**
 * The filters' own names for names given as list.filters accepts them (a relation or its foreign
 * key), each of which must be one of `filters`.
 */
function filterNames(dataModel: PowerCrudConfig["dataModel"], model: ModelMeta, names: string[], filters: FilterSpec[], displayFields: Record<string, string>): string[] {
  const valid = filters.map((spec) => spec.name);
  return names.map((name) => {
    let own: string | undefined;
    try {
      own = filterSpecs(dataModel, model, [name], displayFields)[0]!.name;
    } catch {
      own = undefined;
    }
    if (own === undefined || !valid.includes(own)) throw new Error(`"${name}" is not one of list.filters (valid: ${valid.join(", ")})`);
    return own;
  });
}

function check<T>(where: string, option: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Invalid ${where} options:\n  ${option}: ${(error as Error).message}`);
  }
}

function checkNames(where: string, option: string, names: string[], valid: string[]): void {
  const unknown = names.filter((name) => !valid.includes(name));
  if (unknown.length > 0) {
    throw new ConfigError(`Invalid ${where} options:\n  ${option}: unknown ${unknown.map((n) => `"${n}"`).join(", ")} (valid: ${[...new Set(valid)].join(", ")})`);
  }
}
