import type { Request, Response, Router } from "express";
import type { RelationChoices } from "../forms/relation-options";
import { missingRelated, relationChoices } from "../forms/relation-options";
import { choicesWhere, dependentErrors, parentValues } from "../forms/dependent-choices";
import { dependentWiring } from "../forms/dependent-wiring";
import { parseBulkChanges, type BulkChangesResult } from "../bulk/bulk-changes";
import { deletePlan, updatePlan } from "../bulk/bulk-plan";
import { describeChanges } from "../bulk/describe-changes";
import { runBulkNow } from "../bulk/run-bulk";
import { ident } from "../db/sql";
import { humanize } from "../model/labels";
import { columnName, fieldOf, idSqlType } from "../model/relations";
import { StaleSelectionError, type Selection, type SelectionStore } from "../selection/selection-store";
import { selectionTarget } from "../selection/selection-target";
import { blockerLinks, deleteBlockers, describeBulkBlockers } from "./delete-blockers";
import { deleteEffects } from "./delete-effects";
import { previewEffect } from "./bulk-preview-effect";
import { pageRows } from "../list/page-rows";
import { recordName } from "./resource-views";
import { isFragmentRequest } from "./htmx";
import { HttpError } from "./http-error";
import type { ResourceWeb } from "./resource-web";
import { bulkAbilities, sessionIdOf } from "./selection-routes";
import { bulkTasks } from "./bulk-tasks";
import { scopeSentence, selectionScope } from "./selection-view";

/**
 * Bulk edit and bulk delete of the current selection. The forms post the selection's token, never
 * ids; the server resolves the token to this session's selection and freezes it into ids at apply
 * time, then runs the shared executor in one transaction.
 */
/** How long a bulk form waits for an exact count before it shows the form and loads the count after. */
const FORM_COUNT_MS = 30;
/** An "all matching" selection the bar last counted above this is not even tried: its count would not be quick. */
const FORM_COUNT_SKIP = 100_000;

/** How many records a bulk delete confirmation names. */
const NAMED_RECORDS = 10;

/** A selection that can no longer be used was dropped: say so as a 409 the user can act on. */
async function stale<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StaleSelectionError) throw new HttpError(409, error.message, "Selection cleared");
    throw error;
  }
}

export function bulkRoutes(router: Router, web: ResourceWeb, store: SelectionStore): void {
  const { resource, route } = web;
  const { global, model } = resource;
  const target = selectionTarget(resource);
  const tasks = bulkTasks(web, store);
  const noun = (count: number) => (count === 1 ? resource.singular.toLowerCase() : resource.plural.toLowerCase());

  const requireAbility = async (req: Request, kind: "edit" | "delete") => {
    const abilities = await bulkAbilities(web, req);
    if (!abilities[kind]) throw new HttpError(403, kind === "edit" ? `You cannot edit ${resource.plural.toLowerCase()} in bulk.` : `You cannot delete ${resource.plural.toLowerCase()} in bulk.`);
  };

  /** The session's selection, from the posted token (forms) or the session (links); a 4xx when unusable. */
  const selectionFor = async (req: Request): Promise<Selection> => {
    const token = req.method === "POST" ? (req.body as Record<string, unknown> | undefined)?.selection : undefined;
    const selection = await stale(() => req.method === "POST"
      ? store.byToken(token, sessionIdOf(req), req.baseUrl, target)
      : store.find(sessionIdOf(req), req.baseUrl, target));
    if (!selection) {
      throw new HttpError(req.method === "POST" ? 403 : 422, req.method === "POST"
        ? "This selection has expired or belongs to another session. Select the records again."
        : `Select at least one ${resource.singular.toLowerCase()} first.`);
    }
    return selection;
  };

  const noneLeft = () => new HttpError(422, `None of the selected ${resource.plural.toLowerCase()} exist any more. Select some again.`);

  /** The selection frozen into ids (for applying), or counted exactly. */
  const selectionOf = async (req: Request, freeze = false): Promise<{ selection: Selection; ids: string[]; count: number }> => {
    const selection = await selectionFor(req);
    const ids = freeze ? await stale(() => store.freeze(selection, target)) : [];
    const count = freeze ? ids.length : await stale(() => store.count(selection, target));
    if (count === 0) throw noneLeft();
    return { selection, ids, count };
  };

  /**
   * The posted selection, or, when it was used up by the task this same form queued a moment ago (a
   * double click, a second tab), that task: the answer is then "already in progress", not "expired".
   */
  const selectionOrQueued = async (req: Request) => {
    try {
      return await selectionOf(req);
    } catch (error) {
      const queued = error instanceof HttpError && error.status === 403 ? await tasks.queuedFrom(req) : undefined;
      if (queued) return { queued };
      throw error;
    }
  };

  /**
   * The selection for a form that states what it will act on: counted exactly when that is quick
   * (always for picked rows), otherwise null and the form loads the exact count after it shows.
   */
  const formSelection = async (req: Request): Promise<{ selection: Selection; count: number | null }> => {
    const selection = await selectionFor(req);
    // Picked rows and pages without JavaScript (which cannot load the count later) are counted now.
    const exact = selection.mode === "ids" || !isFragmentRequest(req);
    const hopeless = selection.size !== null && selection.size > FORM_COUNT_SKIP;
    const count = exact ? await stale(() => store.count(selection, target)) : hopeless ? null : await stale(() => store.countWithin(selection, target, FORM_COUNT_MS));
    if (count === 0) throw noneLeft();
    return { selection, count };
  };

  /** The action's scope in words and its count, as every bulk form states them. */
  const scopeOf = async (req: Request, selection: Selection, count: number | null) => {
    const [scope, exceptions] = await Promise.all([selectionScope(resource, req.baseUrl + "/", selection, ""), store.exceptions(selection)]);
    return {
      scope: scopeSentence(resource, scope, count ?? 0, exceptions),
      // Picked rows have no list of their own to show; a filter has.
      showUrl: scope.mode === "all" ? scope.showUrl : "",
      count,
      countText: count === null ? null : `${count.toLocaleString("en")} ${noun(count)}`,
      countUrl: `${req.baseUrl}/_selection/count?form=1`,
    };
  };

  /** The first few records, by name, so the user sees which records a count stands for. */
  const firstNamed = async (ids: string[]) => {
    const display = fieldOf(model, resource.displayField);
    const order = display && display.kind !== "object" ? `${ident(display.dbName)}, ` : "";
    const id = ident(columnName(model, model.idField));
    const { rows } = await global.pool.query<{ id: string }>(
      `SELECT ${id}::text AS id FROM ${ident(model.dbName)} WHERE ${id} = ANY($1::text[]::${idSqlType(model)}[]) ORDER BY ${order}${id} LIMIT ${NAMED_RECORDS}`,
      [ids],
    );
    return pageRows(global.pool, resource, rows.map((row) => row.id), []);
  };

  const blockedBy = async (ids: string[]) => {
    const blockers = await deleteBlockers(global.pool, global.dataModel, model, ids, resource.displayField);
    return blockers.length ? { text: describeBulkBlockers(blockers, resource.plural), links: blockerLinks(blockers, resource.mounts) } : undefined;
  };

  const nameOf = async (modelName: string, ids: unknown[]): Promise<string[]> => {
    const related = global.dataModel.models[modelName]!;
    const labelField = resource.bulkFields.find((field) => field.relation?.model === modelName)?.relation?.labelField ?? related.idField;
    const label = fieldOf(related, labelField);
    const id = fieldOf(related, related.idField);
    if (!label || label.kind === "object" || !id || id.kind === "object" || ids.length === 0) return ids.map(String);
    const { rows } = await global.pool.query<{ name: string }>(
      `SELECT ${ident(label.dbName)}::text AS name FROM ${ident(related.dbName)} WHERE ${ident(id.dbName)} = ANY($1::text[]::${idSqlType(related)}[]) ORDER BY 1`,
      [ids.map(String)],
    );
    return rows.map((row) => row.name);
  };

  /**
   * The bulk form's changes, with chosen related records checked to exist (as the edit form does) and
   * to be among a dependent field's choices for the parents this edit sets. Removing links is always
   * allowed: it never adds a record outside the choices.
   */
  const checkedChanges = async (req: Request, body: Record<string, unknown>): Promise<BulkChangesResult> => {
    const parsed = parseBulkChanges(resource.bulkFields, body);
    if (!parsed.ok) return parsed;
    const errors: Record<string, string> = {};
    for (const change of parsed.changes.filter((candidate) => candidate.field.relation)) {
      const chosen = [change.value ?? []].flat().filter((id) => id !== null);
      if ((await missingRelated(global.prisma, change.field, chosen)).length) {
        errors[change.field.name] = `The chosen ${humanize(change.field.relation!.model).toLowerCase()} no longer exists. Choose another.`;
      }
    }
    if (Object.keys(errors).length) return { ok: false, errors, formError: "Some values need attention." };
    const values = Object.fromEntries(parsed.changes.filter((change) => change.mode !== "remove").map((change) => [change.field.name, change.value]));
    const outside = await dependentErrors(global.prisma, resource.bulkFields, values, { user: global.getUser(req), req });
    return Object.keys(outside).length ? { ok: false, errors: outside, formError: "Some values need attention." } : parsed;
  };

  const renderEditForm = async (req: Request, res: Response, selection: Selection, count: number | null, state: { inputs: Record<string, unknown>; errors: Record<string, string>; formError?: string }) => {
    // The related records of every relation field, each table read once (author and editor both
    // list authors), side by side with the scope and the permissions.
    const relationFields = resource.bulkFields.filter((candidate) => candidate.relation);
    const loaded = new Map<string, Promise<RelationChoices>>();
    const ticked = [state.inputs._change ?? []].flat();
    // A dependent field follows the parents this edit sets; the others differ from record to record.
    const setParents = Object.fromEntries(Object.entries(state.inputs).filter(([name]) => ticked.includes(name)));
    const choicesOf = async (field: (typeof relationFields)[number]) => {
      const chosen = [state.inputs[field.name] ?? []].flat().filter((value): value is string => typeof value === "string");
      if (field.dependent) {
        const restrict = await choicesWhere(field, parentValues(field.dependent, setParents), { user: global.getUser(req), req });
        return relationChoices(global.prisma, field, chosen, undefined, { restrict, keepSelected: true });
      }
      const key = `${field.relation!.model}\0${field.relation!.labelField}\0${chosen.join(",")}`;
      if (!loaded.has(key)) loaded.set(key, relationChoices(global.prisma, field, chosen));
      return loaded.get(key)!;
    };
    const [loadedChoices, scope, abilities] = await Promise.all([
      Promise.all(relationFields.map(async (field) => [field.name, await choicesOf(field)] as const)),
      scopeOf(req, selection, count),
      bulkAbilities(web, req),
    ]);
    web.renderPartial(req, res, "powercrud/partials/bulk-edit.njk", {
      ...state,
      ...scope,
      // Nothing is required in bulk edit: only ticked fields change.
      fields: resource.bulkFields.map((field) => ({ ...field, required: false })),
      ticked,
      choices: Object.fromEntries(loadedChoices),
      choicesUrl: `${req.baseUrl}/_choices`,
      wiring: dependentWiring(resource.bulkFields, {}),
      token: selection.token,
      action: `${req.baseUrl}/_bulk/preview`,
      canDelete: abilities.delete,
      returnUrl: web.returnUrlOf(req),
      pageTitle: scope.countText === null ? `Edit the selected ${resource.plural.toLowerCase()}` : `Edit ${scope.countText}`,
    });
  };

  router.get("/_bulk/edit", route(async (req, res) => {
    await requireAbility(req, "edit");
    const { selection, count } = await formSelection(req);
    await renderEditForm(req, res, selection, count, { inputs: {}, errors: {} });
  }));

  router.post("/_bulk/preview", route(async (req, res) => {
    await requireAbility(req, "edit");
    const { selection, count } = await formSelection(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = await checkedChanges(req, body);
    if (!parsed.ok) {
      res.status(422);
      return renderEditForm(req, res, selection, count, { inputs: body, errors: parsed.errors, formError: parsed.formError });
    }
    const [summary, scope, effect] = await Promise.all([
      describeChanges(parsed.changes, nameOf),
      scopeOf(req, selection, count),
      stale(() => previewEffect(resource, store.resolveSql(selection, target), parsed.changes, nameOf)),
    ]);
    const replay = Object.entries(body).flatMap(([key, value]) => (key === "_csrf" ? [] : [value].flat().filter((item) => typeof item === "string").map((item) => [key, item])));
    web.renderPartial(req, res, "powercrud/partials/bulk-preview.njk", {
      ...scope,
      ...tasks.modeOf(count),
      summary: `${summary} on ${scope.countText ?? `every selected ${resource.singular.toLowerCase()}`}.`,
      effect,
      replay,
      action: `${req.baseUrl}/_bulk/apply`,
      backAction: `${req.baseUrl}/_bulk/form`,
      returnUrl: web.returnUrlOf(req),
      pageTitle: "Confirm bulk edit",
    });
  }));

  // "Back" from the preview: the form again, as the user filled it in.
  router.post("/_bulk/form", route(async (req, res) => {
    await requireAbility(req, "edit");
    const { selection, count } = await formSelection(req);
    await renderEditForm(req, res, selection, count, { inputs: (req.body ?? {}) as Record<string, unknown>, errors: {} });
  }));

  router.post("/_bulk/apply", route(async (req, res) => {
    await requireAbility(req, "edit");
    const current = await selectionOrQueued(req);
    if ("queued" in current) return tasks.respondQueued(req, res, current.queued);
    const { selection, count } = current;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = await checkedChanges(req, body);
    if (!parsed.ok) {
      res.status(422);
      return renderEditForm(req, res, selection, count, { inputs: body, errors: parsed.errors, formError: parsed.formError });
    }
    const request = { operation: "update" as const, changes: parsed.changes, description: await describeChanges(parsed.changes, nameOf), selection, targets: store.resolveSql(selection, target) };
    if (tasks.queues(count)) return tasks.respondQueued(req, res, await tasks.queue(req, request));
    const { ids } = await selectionOf(req, true);
    await tasks.refuseHeld(ids);
    const outcome = await runBulkNow(global.pool, resource, updatePlan(global.dataModel, model, parsed.changes), ids, req, await tasks.record(req, request));
    await store.clear(sessionIdOf(req), req.baseUrl);
    web.succeed(req, res, `Updated ${outcome.affected.toLocaleString("en")} ${noun(outcome.affected)}${tasks.revertNote(outcome.taskId)}.`);
  }));

  router.get("/_bulk/delete", route(async (req, res) => {
    await requireAbility(req, "delete");
    const { selection, ids } = await selectionOf(req, true);
    const [scope, blocked, effects, named] = await Promise.all([
      scopeOf(req, selection, ids.length),
      blockedBy(ids),
      deleteEffects(global.pool, global.dataModel, model, ids, undefined),
      firstNamed(ids),
    ]);
    web.renderPartial(req, res, "powercrud/partials/bulk-delete.njk", {
      ...scope,
      effects,
      named: named.map((record) => recordName(resource, record)),
      moreCount: Math.max(0, ids.length - NAMED_RECORDS),
      ...tasks.modeOf(ids.length),
      token: selection.token,
      blocked: blocked?.text,
      blockedLinks: blocked?.links ?? [],
      recoverable: resource.history.enabled && resource.config.bulk.recoverableDelete,
      action: `${req.baseUrl}/_bulk/delete`,
      returnUrl: web.returnUrlOf(req),
      pageTitle: `Delete ${ids.length.toLocaleString("en")} ${noun(ids.length)}`,
    });
  }));

  router.post("/_bulk/delete", route(async (req, res) => {
    await requireAbility(req, "delete");
    const current = await selectionOrQueued(req);
    if ("queued" in current) return tasks.respondQueued(req, res, current.queued);
    const { selection, count } = current;
    if ((req.body as Record<string, unknown> | undefined)?.confirm !== "yes") {
      throw new HttpError(422, "Tick the confirmation to delete the selected records.", "Confirm the deletion");
    }
    const request = { operation: "delete" as const, changes: [], description: `Delete ${resource.plural.toLowerCase()}`, selection, targets: store.resolveSql(selection, target) };
    // Records other rows still refer to are not deleted: the task lists each with its reason.
    if (tasks.queues(count)) return tasks.respondQueued(req, res, await tasks.queue(req, request));
    const { ids } = await selectionOf(req, true);
    await tasks.refuseHeld(ids);
    const blocked = await blockedBy(ids);
    if (blocked) {
      const error = new HttpError(409, blocked.text, "Can't delete");
      throw blocked.links[0] ? error.withLink(blocked.links[0].href, blocked.links[0].label) : error;
    }
    const outcome = await runBulkNow(global.pool, resource, deletePlan(model), ids, req, await tasks.record(req, request));
    await store.clear(sessionIdOf(req), req.baseUrl);
    web.succeed(req, res, `Deleted ${outcome.affected.toLocaleString("en")} ${noun(outcome.affected)}${resource.config.bulk.recoverableDelete ? tasks.revertNote(outcome.taskId) : ""}.`);
  }));
}
