import type { Request, Response, Router } from "express";
import type { InlineField } from "../config/resolve-resource";
import type { RecordRow } from "../config/resource-schema";
import { parseForm, toPrismaData } from "../forms";
import { choicesWhere, chosenRecordErrors, parentValues, recordParentInputs } from "../forms/dependent-choices";
import { dependentWiring } from "../forms/dependent-wiring";
import { recordInputs, submittedInputs } from "../forms/record-inputs";
import { relationChoices } from "../forms/relation-options";
import type { FormField } from "../forms/types";
import type { ColumnPreferences } from "../list/column-preferences";
import type { SelectionStore } from "../selection/selection-store";
import { addFlash } from "./flash";
import { isFragmentRequest } from "./htmx";
import { HttpError } from "./http-error";
import { rowContext, type RowContext } from "./list-row";
import { problemMessages, writeProblem } from "./prisma-errors";
import { recordName } from "./resource-views";
import type { ResourceWeb } from "./resource-web";

export const ROW_TEMPLATE = "powercrud/partials/table-row.njk";

interface InlineDeps {
  /** The record by the :id in the URL (404 when there is none), with every scalar field. */
  loadRecord(req: Request): Promise<RecordRow>;
  /** 403 when the user may not edit it, 409 when a background task holds it. */
  requireUpdate(req: Request, record: RecordRow): Promise<void>;
  preferences: ColumnPreferences;
  selections: SelectionStore;
}

interface EditState {
  inputs: Record<string, string | string[]>;
  errors: Record<string, string>;
  formError?: string;
}

/**
 * Inline row editing: `GET /:id/inline` turns a list row into inputs for the resource's inline fields
 * that the user's columns show, `POST /:id/inline` saves them (answering the row again, or the inputs
 * with their messages), `GET /:id/row` draws the row as it is (Cancel). Saving goes through the same
 * permission hooks, task locks, parsing, zod checks, relation and dependent-choice checks as the edit
 * form; without JavaScript the row's "Quick edit" link is that form.
 */
export function inlineEditRoutes(router: Router, web: ResourceWeb, deps: InlineDeps): void {
  const { resource, route } = web;
  const { global, model } = resource;
  // parseForm compiles a schema per field list: one list per combination of shown fields.
  const fieldLists = new Map<string, FormField[]>();
  const fieldsNamed = (inline: InlineField[]) => {
    const key = inline.map((entry) => entry.field.name).join(",");
    if (!fieldLists.has(key)) fieldLists.set(key, inline.map((entry) => entry.field));
    return fieldLists.get(key)!;
  };
  const asker = (req: Request) => ({ user: global.getUser(req), req });

  const shownInline = (context: RowContext) => resource.inlineFields.filter((inline) => context.visible.includes(inline.column));

  const renderRow = (req: Request, res: Response, context: RowContext, extra: Record<string, unknown> = {}) =>
    web.render(req, res, ROW_TEMPLATE, { ...context, ...extra });

  const renderEditing = async (req: Request, res: Response, context: RowContext, inline: InlineField[], state: EditState) => {
    const id = context.row.id;
    const idPrefix = `pc-${context.row.domId}-`;
    const fields = fieldsNamed(inline);
    // Parents this row does not edit keep the record's values, for the choices and their reloads.
    const fixed = recordParentInputs(fields, context.record);
    const inputs: Record<string, unknown> = {};
    for (const { field, column } of inline) {
      const value = state.inputs[field.name] ?? (field.widget === "relations" ? [] : "");
      const restrict = field.dependent ? await choicesWhere(field, parentValues(field.dependent, state.inputs, fixed), asker(req)) : undefined;
      const choices = field.relation ? await relationChoices(global.prisma, field, [value].flat(), undefined, { restrict, keepSelected: true }) : undefined;
      inputs[column] = { field, value, error: state.errors[field.name], choices };
    }
    renderRow(req, res, context, {
      editing: {
        formId: `pc-inline-${context.row.domId}`,
        idPrefix,
        action: `${req.baseUrl}/${encodeURIComponent(id)}/inline`,
        cancelUrl: `${req.baseUrl}/${encodeURIComponent(id)}/row`,
        choicesUrl: `${req.baseUrl}/_choices`,
        fieldNames: fields.map((field) => field.name).join(","),
        inputs,
        wiring: dependentWiring(fields, fixed, idPrefix),
        formError: state.formError,
      },
    });
  };

  /** The inline fields this row shows, or 409 when the user's columns show none of them. */
  const editable = (context: RowContext): InlineField[] => {
    const inline = shownInline(context);
    if (inline.length === 0) {
      const columns = resource.inlineFields.map((entry) => resource.listColumns.find((column) => column.key === entry.column)?.label ?? entry.column);
      throw new HttpError(409, `None of the columns edited in place (${columns.join(", ")}) is shown. Show one with Columns, or use Edit.`, "Nothing to edit here");
    }
    return inline;
  };

  router.get("/:id/inline", route(async (req, res) => {
    const record = await deps.loadRecord(req);
    await deps.requireUpdate(req, record);
    const base = `${req.baseUrl}/${encodeURIComponent(String(record[model.idField]))}`;
    // A plain request (a new tab, no JavaScript) gets the edit form the link points to.
    if (!isFragmentRequest(req)) return res.redirect(303, `${base}/edit?_return=${encodeURIComponent(web.returnUrlOf(req))}`);
    const context = await rowContext(web, req, record[model.idField], deps.preferences, deps.selections);
    const inline = editable(context);
    await renderEditing(req, res, context, inline, { inputs: recordInputs(context.record, fieldsNamed(inline)), errors: {} });
  }));

  // Cancel: the row as it is now.
  router.get("/:id/row", route(async (req, res) => {
    await web.require(req, "list");
    const record = await deps.loadRecord(req);
    renderRow(req, res, await rowContext(web, req, record[model.idField], deps.preferences, deps.selections));
  }));

  router.post("/:id/inline", route(async (req, res) => {
    const record = await deps.loadRecord(req);
    await deps.requireUpdate(req, record);
    const body = (req.body ?? {}) as Record<string, unknown>;
    // The row posts the fields it showed; only inline fields count, so a forged name writes nothing.
    const posted = new Set([body._fields ?? []].flat().flatMap((names) => (typeof names === "string" ? names.split(",") : [])));
    const inline = resource.inlineFields.filter((entry) => posted.has(entry.field.name));
    if (inline.length === 0) throw new HttpError(400, "This inline form names no field that can be edited in place. Reload the list and try again.");
    const fields = fieldsNamed(inline);
    const id = record[model.idField];

    const refuse = async (state: EditState) => {
      if (!isFragmentRequest(req)) throw new HttpError(422, [state.formError, ...Object.values(state.errors)].filter(Boolean).join(" "));
      res.status(422);
      await renderEditing(req, res, await rowContext(web, req, id, deps.preferences, deps.selections), inline, state);
    };

    const parsed = parseForm(fields, body);
    if (!parsed.ok) return refuse({ inputs: parsed.values, errors: parsed.errors });
    const submitted = submittedInputs(body);

    const refused = await chosenRecordErrors(global.prisma, fields, parsed.values, asker(req), recordParentInputs(fields, record));
    if (Object.keys(refused).length) return refuse({ inputs: submitted, errors: refused });

    const data = toPrismaData(global.dataModel, model, fields, parsed.values, "update");
    let saved: RecordRow;
    try {
      saved = await resource.delegate.update({ where: { [model.idField]: id }, data, select: { [model.idField]: true, [resource.displayField]: true } });
    } catch (error) {
      const problem = writeProblem(error);
      if (!problem) throw error;
      if (problem.kind === "not-found") throw new HttpError(404, `This ${resource.singular.toLowerCase()} no longer exists. It may have been deleted.`);
      const { fieldErrors, formError } = problemMessages(problem, fields, resource.singular);
      return refuse({ inputs: submitted, errors: fieldErrors, formError: formError ?? "Some values need attention." });
    }
    const message = `Saved ${resource.singular.toLowerCase()} “${recordName(resource, saved)}”.`;
    if (!isFragmentRequest(req)) {
      addFlash(req, { kind: "success", message });
      return res.redirect(303, web.returnUrlOf(req));
    }
    renderRow(req, res, await rowContext(web, req, id, deps.preferences, deps.selections), { saved: message });
  }));
}
