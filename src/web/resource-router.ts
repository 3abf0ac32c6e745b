import express, { type Request, type Response, type Router } from "express";
import type nunjucks from "nunjucks";
import type { Resource } from "../config/resolve-resource";
import type { RecordRow } from "../config/resource-schema";
import { parseForm, toPrismaData } from "../forms";
import { formSelect, initialInputs, recordInputs, submittedInputs } from "../forms/record-inputs";
import { relatedOf, relationChoices, type RelationChoices } from "../forms/relation-options";
import { searchText } from "../model/related-search";
import { sendChoicePage } from "./choice-page";
import { choicesWhere, chosenRecordErrors, parentValues, recordParentInputs } from "../forms/dependent-choices";
import { dependentWiring } from "../forms/dependent-wiring";
import { ColumnPreferences } from "../list/column-preferences";
import { selectFor } from "../list/record-select";
import { blockerLinks, deleteBlockers, describeBlockers } from "./delete-blockers";
import { deleteEffects } from "./delete-effects";
import { isFragmentRequest, targets } from "./htmx";
import { HttpError } from "./http-error";
import { canDo, canDoToRecord, recordDecision } from "./permissions";
import { problemMessages, writeProblem } from "./prisma-errors";
import { parseRecordId } from "./record-id";
import { listContext, listRangeContext, TABLE_ID, userKeyOf } from "./list-page";
import { cellsOf, recordName } from "./resource-views";
import { resourceWeb } from "./resource-web";
import { SelectionStore } from "../selection/selection-store";
import { bulkRoutes } from "./bulk-routes";
import { heldRecords } from "../tasks/held-records";
import { announceEndedNow, announceEndedTasks } from "./task-routes";
import { selectionRoutes } from "./selection-routes";
import { exportRoutes } from "./export-routes";
import { inlineEditRoutes } from "./inline-edit-routes";
import { filterRoutes } from "./filter-routes";
import { savedViewRoutes } from "./saved-view-routes";
import { SavedViewStore } from "../list/saved-views";
import { auditedWrite } from "../history/record-changes";
import { historyRoutes, historyView } from "./history-routes";

/** The Express router for one resource: list, detail, create, edit and delete, as pages and as htmx fragments. */
export function resourceRouter(resource: Resource, renderer: nunjucks.Environment): Router {
  const router = express.Router();
  const { model, config, global } = resource;
  const preferences = new ColumnPreferences(global.pool);

  const web = resourceWeb(resource, renderer);
  const { route, render, renderPartial, require, returnUrlOf, succeed } = web;
  const selections = new SelectionStore(global.pool);
  const views = new SavedViewStore(global.pool);
  // The list page reads the ended tasks' messages beside its own reads (announceEndedNow).
  router.use(announceEndedTasks(global, { leaveTo: (req) => Boolean(config.routes.list) && req.path === "/" }));
  // Other resources link here (e.g. to the records that block a delete): learn where this list is mounted.
  router.use((req, _res, next) => {
    if (config.routes.list && !resource.mounts.has(model.name)) resource.mounts.set(model.name, { url: req.baseUrl, filters: resource.filters.map((spec) => spec.name) });
    next();
  });
  // Registered before the /:id routes, which would otherwise take "_selection" and "_bulk" for ids.
  selectionRoutes(router, web, selections);
  bulkRoutes(router, web, selections);
  filterRoutes(router, web);
  exportRoutes(router, web, selections, preferences);
  if (config.routes.detail) historyRoutes(router, web);

  // Record permission hooks see every scalar column of the record, whatever the route displays.
  const scalarSelect = Object.fromEntries(model.fields.filter((field) => field.kind !== "object").map((field) => [field.name, true]));
  const loadRecord = async (req: Request, select: Record<string, unknown>): Promise<RecordRow> => {
    const id = parseRecordId(global.dataModel, model, String(req.params.id), resource.singular);
    const record = await resource.delegate.findUnique({ where: { [model.idField]: id }, select: { ...scalarSelect, ...select } });
    if (!record) throw new HttpError(404, `There is no ${resource.singular.toLowerCase()} with id ${String(id)}. It may have been deleted.`);
    return record;
  };


  // ------------------------------------------------------------------ list
  if (config.routes.list) {
    const renderList = async (req: Request, res: Response, query: Record<string, unknown>, extra: Record<string, unknown> = {}, announcing?: Promise<void>) => {
      const [list, toolbar] = await Promise.all([listContext(web, req, query, preferences, selections, views), toolbarViews(resource, req), announcing]);
      const context = { ...list, toolbar, ...extra };
      if (targets(req, TABLE_ID)) return render(req, res, resource.templates.table, context);
      render(req, res, resource.templates.list, context);
    };

    router.get("/", route(async (req, res) => {
      const announcing = announceEndedNow(global, req);
      // A refused list still waits for the messages: they must be in the session before it is saved.
      await require(req, "list").catch(async (error: unknown) => {
        await announcing;
        throw error;
      });
      await renderList(req, res, req.query as Record<string, unknown>, {}, announcing);
    }));

    // The exact total a page loads after it was shown with an estimate while its count ran.
    router.get("/_count", route(async (req, res) => {
      await require(req, "list");
      render(req, res, "powercrud/partials/list-range.njk", await listRangeContext(resource, req.query as Record<string, unknown>));
    }));

    // The column chooser: saves the user's visible columns (or resets them), then shows the list again.
    // An empty choice is refused inside the chooser: the list it belongs to is drawn as it was, with
    // the panel open, the boxes as submitted and the message next to them (a full page without JS).
    router.post("/_columns", route(async (req, res) => {
      await require(req, "list");
      const valid = resource.listColumns.map((column) => column.key);
      const chosen = [req.body?.columns ?? []].flat().filter((key): key is string => typeof key === "string" && valid.includes(key));
      const returnUrl = returnUrlOf(req);
      const returnQuery = Object.fromEntries(new URL(returnUrl, "http://x").searchParams);
      if (req.body?.reset !== "1" && chosen.length === 0) {
        const columnChooser = resource.listColumns.map((column) => ({ key: column.key, label: column.label, visible: false }));
        res.status(422);
        return renderList(req, res, returnQuery, { columnChooser, columnError: "Choose at least one column to show." });
      }
      if (req.body?.reset === "1") await preferences.reset(req, userKeyOf(resource, req), req.baseUrl);
      else await preferences.save(req, userKeyOf(resource, req), req.baseUrl, chosen);
      if (!isFragmentRequest(req)) return res.redirect(303, returnUrl);
      await renderList(req, res, returnQuery);
    }));

    savedViewRoutes(router, web, { store: views, preferences, renderList });
  }

  // ------------------------------------------------------------------ relation choices for comboboxes and dependent selects
  // With `page`, one page of matches for the field's combobox (the same answer as a relation filter's);
  // without, the select's options (a dependent select reloading). A dependent field's choices follow
  // the parent values the request carries, and a selected record those exclude is dropped (the
  // parent just changed).
  router.get("/_choices/:field", route(async (req, res) => {
    const named = (candidate: { name: string; relation?: unknown }) => candidate.name === req.params.field && candidate.relation;
    const field = resource.formFields.find(named) ?? resource.bulkFields.find(named);
    if (!field) throw new HttpError(404, `There is no searchable field "${String(req.params.field).slice(0, 40)}".`);
    const creating = (await canDo(resource, "create", req)).allowed;
    const updating = (await canDo(resource, "update", req)).allowed;
    if (!creating && !updating) throw new HttpError(403, "You do not have permission to edit these records.");
    const restrict = field.dependent
      ? await choicesWhere(field, parentValues(field.dependent, req.query as Record<string, unknown>), askerOf(req))
      : undefined;
    if (req.query.page !== undefined) return sendChoicePage(web, req, res, relatedOf(field), restrict);
    const selected = [req.query[field.name]].flat().filter((value): value is string => typeof value === "string");
    const choices = await relationChoices(global.prisma, field, selected, searchText(req.query.q), { restrict, keepSelected: false });
    render(req, res, "powercrud/partials/select-options.njk", { field, choices, selected, nullable: field.nullable && !field.relation!.multiple });
  }));

  // ------------------------------------------------------------------ create
  if (config.routes.create) {
    router.get("/new", route(async (req, res) => {
      await require(req, "create");
      await renderForm(req, res, { mode: "create", inputs: initialInputs(resource.formFields), errors: {}, returnUrl: returnUrlOf(req) });
    }));

    router.post("/", route(async (req, res) => {
      await require(req, "create");
      await saveForm(req, res, "create");
    }));
  }

  // ------------------------------------------------------------------ detail
  if (config.routes.detail) {
    router.get("/:id", route(async (req, res) => {
      await require(req, "detail");
      const record = await loadRecord(req, selectFor(model, resource.detailColumns, resource.propertyNeeds));
      // As in the list: actions the user may never take are left out, record-level refusals shown disabled.
      const [update, remove_] = await Promise.all([canDo(resource, "update", req), canDo(resource, "delete", req)]);
      const [edit, remove] = await Promise.all([
        update.allowed ? recordDecision(resource, "update", req, record) : undefined,
        remove_.allowed ? recordDecision(resource, "delete", req, record) : undefined,
      ]);
      const base = `${req.baseUrl}/${encodeURIComponent(String(record[model.idField]))}`;
      renderPartial(req, res, resource.templates.detail, {
        record,
        name: recordName(resource, record),
        cells: cellsOf(resource, record, resource.detailColumns),
        edit: edit && { ...edit, url: `${base}/edit` },
        remove: remove && { ...remove, url: `${base}/delete` },
        history: await historyView(web, req, String(record[model.idField])),
        returnUrl: returnUrlOf(req),
        pageTitle: recordName(resource, record),
      });
    }));
  }

  // ------------------------------------------------------------------ update
  if (config.routes.update && config.routes.list && resource.inlineFields.length) {
    inlineEditRoutes(router, web, {
      loadRecord: (req) => loadRecord(req, {}),
      requireUpdate: (req, record) => requireRecord(req, "update", record),
      preferences,
      selections,
    });
  }
  if (config.routes.update) {
    router.get("/:id/edit", route(async (req, res) => {
      const record = await loadRecord(req, { ...formSelect(model.idField, resource.formFields), ...selectFor(model, resource.contextColumns, resource.propertyNeeds) });
      await requireRecord(req, "update", record);
      await renderForm(req, res, { mode: "update", record, inputs: recordInputs(record, resource.formFields), errors: {}, returnUrl: returnUrlOf(req) });
    }));

    router.post("/:id", route(async (req, res) => {
      const record = await loadRecord(req, selectFor(model, resource.contextColumns, resource.propertyNeeds));
      await requireRecord(req, "update", record);
      await saveForm(req, res, "update", record);
    }));
  }

  // ------------------------------------------------------------------ delete
  if (config.routes.delete) {
    router.get("/:id/delete", route(async (req, res) => {
      const record = await loadRecord(req, {});
      await requireRecord(req, "delete", record);
      const name = recordName(resource, record);
      const [blockers, effects] = await Promise.all([
        deleteBlockers(global.pool, global.dataModel, model, [record[model.idField]], resource.displayField),
        deleteEffects(global.pool, global.dataModel, model, [record[model.idField]], name),
      ]);
      renderPartial(req, res, resource.templates.deleteConfirm, {
        record,
        name,
        effects,
        blocked: blockers.length ? describeBlockers(blockers, recordName(resource, record)) : undefined,
        blockedLinks: blockerLinks(blockers, resource.mounts),
        action: `${req.baseUrl}/${encodeURIComponent(String(record[model.idField]))}/delete`,
        returnUrl: returnUrlOf(req),
        pageTitle: `Delete ${recordName(resource, record)}`,
      });
    }));

    router.post("/:id/delete", route(async (req, res) => {
      const record = await loadRecord(req, {});
      await requireRecord(req, "delete", record);
      const name = recordName(resource, record);
      const blockers = await deleteBlockers(global.pool, global.dataModel, model, [record[model.idField]], resource.displayField);
      if (blockers.length) {
        const error = new HttpError(409, describeBlockers(blockers, name), "Can't delete");
        const [link] = blockerLinks(blockers, resource.mounts);
        throw link ? error.withLink(link.href, link.label) : error;
      }
      try {
        await auditedWrite(resource, req, "delete", record[model.idField], (delegate) => delegate.delete({ where: { [model.idField]: record[model.idField] } }));
      } catch (error) {
        const problem = writeProblem(error);
        if (problem?.kind === "referenced") throw new HttpError(409, `${name} can't be deleted: other records still refer to it.`, "Can't delete");
        if (problem?.kind === "not-found") throw new HttpError(404, `${name} was already deleted.`);
        throw error;
      }
      succeed(req, res, `Deleted ${resource.singular.toLowerCase()} “${name}”.`);
    }));
  }

  function askerOf(req: Request) {
    return { user: global.getUser(req), req };
  }

  async function requireRecord(req: Request, action: "update" | "delete", record: RecordRow) {
    const decision = await canDoToRecord(resource, action, req, record);
    if (!decision.allowed) throw new HttpError(403, decision.reason!);
    // A record an active bulk task holds changes only through that task: no race with its chunks.
    const id = String(record[model.idField]);
    const taskId = (await heldRecords(global.pool, model.name, [id])).get(id);
    if (taskId !== undefined) {
      throw new HttpError(409, `This ${resource.singular.toLowerCase()} is being changed by bulk task #${taskId}. Try again when the task has finished.`, "Record is busy")
        .withLink(`${global.tasks.url.replace(/\/$/, "")}/${taskId}`, `Open bulk task #${taskId}`);
    }
  }

  interface FormState {
    mode: "create" | "update";
    record?: RecordRow;
    inputs: Record<string, string | string[]>;
    errors: Record<string, string>;
    formError?: string;
    returnUrl: string;
  }

  async function renderForm(req: Request, res: Response, state: FormState) {
    // Parents the form does not let the user change keep the record's values.
    const fixed = state.record ? recordParentInputs(resource.formFields, state.record) : {};
    const choices: Record<string, RelationChoices> = {};
    for (const field of resource.formFields.filter((candidate) => candidate.relation)) {
      const restrict = field.dependent ? await choicesWhere(field, parentValues(field.dependent, state.inputs, fixed), askerOf(req)) : undefined;
      choices[field.name] = await relationChoices(global.prisma, field, [state.inputs[field.name] ?? []].flat(), undefined, { restrict, keepSelected: true });
    }
    const id = state.record ? String(state.record[model.idField]) : undefined;
    const name = state.record ? recordName(resource, state.record) : undefined;
    renderPartial(req, res, resource.templates.form, {
      ...state,
      fields: resource.formFields,
      choices,
      choicesUrl: `${req.baseUrl}/_choices`,
      wiring: dependentWiring(resource.formFields, fixed),
      action: id ? `${req.baseUrl}/${encodeURIComponent(id)}` : req.baseUrl,
      title: name ? `Edit ${name}` : `New ${resource.singular.toLowerCase()}`,
      context: state.record ? cellsOf(resource, state.record, resource.contextColumns) : [],
      pageTitle: name ? `Edit ${name}` : `New ${resource.singular.toLowerCase()}`,
    });
  }

  async function saveForm(req: Request, res: Response, mode: "create" | "update", record?: RecordRow) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const returnUrl = returnUrlOf(req);
    const parsed = parseForm(resource.formFields, body);
    if (!parsed.ok) {
      res.status(422);
      return renderForm(req, res, { mode, record, inputs: parsed.values, errors: parsed.errors, formError: "Some values need attention.", returnUrl });
    }
    const refused = await chosenRecordErrors(global.prisma, resource.formFields, parsed.values, askerOf(req), record && recordParentInputs(resource.formFields, record));
    if (Object.keys(refused).length) {
      res.status(422);
      return renderForm(req, res, { mode, record, inputs: submittedInputs(body), errors: refused, formError: "Some values need attention.", returnUrl });
    }
    const data = toPrismaData(global.dataModel, model, resource.formFields, parsed.values, mode);
    let saved: RecordRow;
    try {
      const select = { [model.idField]: true, [resource.displayField]: true };
      saved = mode === "create"
        ? await auditedWrite(resource, req, "create", undefined, (delegate) => delegate.create({ data, select }))
        : await auditedWrite(resource, req, "update", record![model.idField], (delegate) => delegate.update({ where: { [model.idField]: record![model.idField] }, data, select }));
    } catch (error) {
      const problem = writeProblem(error);
      if (!problem) throw error;
      if (problem.kind === "not-found") throw new HttpError(404, `This ${resource.singular.toLowerCase()} no longer exists. It may have been deleted.`);
      const { fieldErrors, formError } = problemMessages(problem, resource.formFields, resource.singular);
      res.status(422);
      return renderForm(req, res, { mode, record, inputs: submittedInputs(body), errors: fieldErrors, formError: formError ?? "Some values need attention.", returnUrl });
    }
    const name = recordName(resource, saved);
    succeed(req, res, mode === "create" ? `Created ${resource.singular.toLowerCase()} “${name}”.` : `Saved ${resource.singular.toLowerCase()} “${name}”.`, String(saved[model.idField]));
  }

  return router;
}

async function toolbarViews(resource: Resource, req: Request) {
  const user = resource.global.getUser(req);
  const views = [];
  for (const button of resource.config.toolbar) {
    const result = button.permission ? await button.permission({ user, req }) : true;
    if (result !== true && (typeof result !== "string" || result === "")) continue;
    views.push({ ...button, allowed: result === true, reason: typeof result === "string" ? result : undefined });
  }
  return views;
}
