import type { Request, Response, Router } from "express";
import type { RelationChoices } from "../forms/relation-options";
import { missingRelated, relationChoices } from "../forms/relation-options";
import { parseBulkChanges, type BulkChangesResult } from "../bulk/bulk-changes";
import { deletePlan, updatePlan } from "../bulk/bulk-plan";
import { describeChanges } from "../bulk/describe-changes";
import { runBulkNow } from "../bulk/run-bulk";
import { ident } from "../db/sql";
import { humanize } from "../model/labels";
import { fieldOf } from "../model/relations";
import type { Selection, SelectionStore } from "../selection/selection-store";
import { selectionTarget } from "../selection/selection-target";
import { deleteBlockers, describeBulkBlockers } from "./delete-blockers";
import { HttpError } from "./http-error";
import type { ResourceWeb } from "./resource-web";
import { bulkAbilities, sessionIdOf } from "./selection-routes";

/**
 * Bulk edit and bulk delete of the current selection. The forms post the selection's token, never
 * ids; the server resolves the token to this session's selection and freezes it into ids at apply
 * time, then runs the shared executor in one transaction.
 */
export function bulkRoutes(router: Router, web: ResourceWeb, store: SelectionStore): void {
  const { resource, route } = web;
  const { global, model } = resource;
  const target = selectionTarget(resource);
  const noun = (count: number) => (count === 1 ? resource.singular.toLowerCase() : resource.plural.toLowerCase());

  const requireAbility = async (req: Request, kind: "edit" | "delete") => {
    const abilities = await bulkAbilities(web, req);
    if (!abilities[kind]) throw new HttpError(403, kind === "edit" ? `You cannot edit ${resource.plural.toLowerCase()} in bulk.` : `You cannot delete ${resource.plural.toLowerCase()} in bulk.`);
  };

  /**
   * The session's selection, from the posted token (forms) or the session (links); a 4xx when
   * unusable. Its ids are frozen only for applying; forms just count them.
   */
  const selectionOf = async (req: Request, freeze = false): Promise<{ selection: Selection; ids: string[]; count: number }> => {
    const token = req.method === "POST" ? (req.body as Record<string, unknown> | undefined)?.selection : undefined;
    const selection = req.method === "POST"
      ? await store.byToken(token, sessionIdOf(req), req.baseUrl)
      : await store.find(sessionIdOf(req), req.baseUrl);
    if (!selection) {
      throw new HttpError(req.method === "POST" ? 403 : 422, req.method === "POST"
        ? "This selection has expired or belongs to another session. Select the records again."
        : `Select at least one ${resource.singular.toLowerCase()} first.`);
    }
    const { sql, params } = store.resolveSql(selection, target);
    const ids = freeze ? (await global.pool.query<{ id: string }>(`SELECT id::text AS id FROM (${sql}) s ORDER BY id`, params)).rows.map((row) => row.id) : [];
    const count = freeze ? ids.length : Number((await global.pool.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) s`, params)).rows[0]!.n);
    if (count === 0) throw new HttpError(422, `None of the selected ${resource.plural.toLowerCase()} exist any more. Select some again.`);
    return { selection, ids, count };
  };

  const blockedText = async (ids: string[]) => {
    const blockers = await deleteBlockers(global.pool, global.dataModel, model, ids, resource.displayField);
    return blockers.length ? describeBulkBlockers(blockers, resource.plural) : undefined;
  };

  const nameOf = async (modelName: string, ids: number[]): Promise<string[]> => {
    const related = global.dataModel.models[modelName]!;
    const labelField = resource.bulkFields.find((field) => field.relation?.model === modelName)?.relation?.labelField ?? related.idField;
    const label = fieldOf(related, labelField);
    const id = fieldOf(related, related.idField);
    if (!label || label.kind === "object" || !id || id.kind === "object" || ids.length === 0) return ids.map(String);
    const { rows } = await global.pool.query<{ name: string }>(
      `SELECT ${ident(label.dbName)}::text AS name FROM ${ident(related.dbName)} WHERE ${ident(id.dbName)} = ANY($1::bigint[]) ORDER BY 1`,
      [ids],
    );
    return rows.map((row) => row.name);
  };

  /** The bulk form's changes, with chosen related records checked to exist (as the edit form does). */
  const checkedChanges = async (body: Record<string, unknown>): Promise<BulkChangesResult> => {
    const parsed = parseBulkChanges(resource.bulkFields, body);
    if (!parsed.ok) return parsed;
    const errors: Record<string, string> = {};
    for (const change of parsed.changes.filter((candidate) => candidate.field.relation)) {
      const chosen = [change.value ?? []].flat().filter((id): id is number => typeof id === "number");
      if ((await missingRelated(global.prisma, change.field, chosen)).length) {
        errors[change.field.name] = `The chosen ${humanize(change.field.relation!.model).toLowerCase()} no longer exists. Choose another.`;
      }
    }
    return Object.keys(errors).length ? { ok: false, errors, formError: "Some values need attention." } : parsed;
  };

  const renderEditForm = async (req: Request, res: Response, selection: Selection, count: number, state: { inputs: Record<string, unknown>; errors: Record<string, string>; formError?: string }) => {
    const choices: Record<string, RelationChoices> = {};
    for (const field of resource.bulkFields.filter((candidate) => candidate.relation)) {
      const chosen = [state.inputs[field.name] ?? []].flat().filter((value): value is string => typeof value === "string");
      choices[field.name] = await relationChoices(global.prisma, field, chosen);
    }
    const ticked = [state.inputs._change ?? []].flat();
    web.renderPartial(req, res, "powercrud/partials/bulk-edit.njk", {
      ...state,
      // Nothing is required in bulk edit: only ticked fields change.
      fields: resource.bulkFields.map((field) => ({ ...field, required: false })),
      ticked,
      choices,
      choicesUrl: `${req.baseUrl}/_choices`,
      token: selection.token,
      count,
      countText: `${count.toLocaleString("en")} ${noun(count)}`,
      action: `${req.baseUrl}/_bulk/preview`,
      canDelete: (await bulkAbilities(web, req)).delete,
      returnUrl: web.returnUrlOf(req),
      pageTitle: `Edit ${count.toLocaleString("en")} ${noun(count)}`,
    });
  };

  router.get("/_bulk/edit", route(async (req, res) => {
    await requireAbility(req, "edit");
    const { selection, count } = await selectionOf(req);
    await renderEditForm(req, res, selection, count, { inputs: {}, errors: {} });
  }));

  router.post("/_bulk/preview", route(async (req, res) => {
    await requireAbility(req, "edit");
    const { selection, count } = await selectionOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = await checkedChanges(body);
    if (!parsed.ok) {
      res.status(422);
      return renderEditForm(req, res, selection, count, { inputs: body, errors: parsed.errors, formError: parsed.formError });
    }
    const summary = await describeChanges(parsed.changes, nameOf);
    const replay = Object.entries(body).flatMap(([key, value]) => (key === "_csrf" ? [] : [value].flat().filter((item) => typeof item === "string").map((item) => [key, item])));
    web.renderPartial(req, res, "powercrud/partials/bulk-preview.njk", {
      summary: `${summary} on ${count.toLocaleString("en")} ${noun(count)}.`,
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
    const { selection, count } = await selectionOf(req);
    await renderEditForm(req, res, selection, count, { inputs: (req.body ?? {}) as Record<string, unknown>, errors: {} });
  }));

  router.post("/_bulk/apply", route(async (req, res) => {
    await requireAbility(req, "edit");
    const { selection, ids } = await selectionOf(req, true);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = await checkedChanges(body);
    if (!parsed.ok) {
      res.status(422);
      return renderEditForm(req, res, selection, ids.length, { inputs: body, errors: parsed.errors, formError: parsed.formError });
    }
    const outcome = await runBulkNow(global.pool, resource, updatePlan(global.dataModel, model, parsed.changes), ids, req);
    await store.clear(sessionIdOf(req), req.baseUrl);
    web.succeed(req, res, `Updated ${outcome.affected.toLocaleString("en")} ${noun(outcome.affected)}.`);
  }));

  router.get("/_bulk/delete", route(async (req, res) => {
    await requireAbility(req, "delete");
    const { selection, ids } = await selectionOf(req, true);
    web.renderPartial(req, res, "powercrud/partials/bulk-delete.njk", {
      token: selection.token,
      count: ids.length,
      countText: `${ids.length.toLocaleString("en")} ${noun(ids.length)}`,
      blocked: await blockedText(ids),
      action: `${req.baseUrl}/_bulk/delete`,
      returnUrl: web.returnUrlOf(req),
      pageTitle: `Delete ${ids.length.toLocaleString("en")} ${noun(ids.length)}`,
    });
  }));

  router.post("/_bulk/delete", route(async (req, res) => {
    await requireAbility(req, "delete");
    const { ids } = await selectionOf(req, true);
    if ((req.body as Record<string, unknown> | undefined)?.confirm !== "yes") {
      throw new HttpError(422, "Tick the confirmation to delete the selected records.", "Confirm the deletion");
    }
    const blocked = await blockedText(ids);
    if (blocked) throw new HttpError(409, blocked, "Can't delete");
    const outcome = await runBulkNow(global.pool, resource, deletePlan(model), ids, req);
    await store.clear(sessionIdOf(req), req.baseUrl);
    web.succeed(req, res, `Deleted ${outcome.affected.toLocaleString("en")} ${noun(outcome.affected)}.`);
  }));
}
