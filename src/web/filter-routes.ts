import type { Router } from "express";
import { humanize, pluralize } from "../model/labels";
import { CHOICES_MAX_PAGE, relationChoicePage } from "../list/relation-choices";
import type { FilterSpec } from "../list/filters";
import { HttpError } from "./http-error";
import type { ResourceWeb } from "./resource-web";

/**
 * GET /_filter-choices/:filter: one page of a relation filter's choices for its combobox, searched by
 * the related model's display field. Whoever may list the records may see these names: the list's
 * own relation columns show the same ones.
 */
export function filterRoutes(router: Router, web: ResourceWeb): void {
  const { resource, route, render, require } = web;
  router.get("/_filter-choices/:filter", route(async (req, res) => {
    await require(req, "list");
    const spec = resource.filters.find((candidate) => candidate.name === req.params.filter && candidate.relation);
    if (!spec) throw new HttpError(404, `There is no relation filter "${String(req.params.filter).slice(0, 40)}" on ${resource.plural.toLowerCase()}.`);
    const page = pageOf(req.query.page);
    const search = String([req.query.q].flat()[0] ?? "").trim().slice(0, 200);
    const choices = await relationChoicePage(resource.global.pool, spec.relation!, search, page);
    render(req, res, "powercrud/partials/filter-choices.njk", { choices, page, status: choiceStatus(spec, choices) });
  }));
}

function pageOf(value: unknown): number {
  if (value === undefined) return 1;
  const page = typeof value === "string" && /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (!(page >= 1 && page <= CHOICES_MAX_PAGE)) throw new HttpError(400, `page must be a whole number from 1 to ${CHOICES_MAX_PAGE}.`);
  return page;
}

/** Nouns for a relation filter's choices: "author" and "authors". */
export function choiceNouns(spec: FilterSpec): { one: string; many: string } {
  const one = humanize(spec.relation!.model).toLowerCase();
  return { one, many: pluralize(one) };
}

/** What the combobox announces after a search. */
function choiceStatus(spec: FilterSpec, choices: { matches: number; manyMatches: boolean }): string {
  const nouns = choiceNouns(spec);
  if (choices.manyMatches) return `More than ${choices.matches.toLocaleString("en")} ${nouns.many} match: type more to narrow them down.`;
  if (choices.matches === 0) return `No ${nouns.many} match.`;
  return choices.matches === 1 ? `1 ${nouns.one} matches.` : `${choices.matches.toLocaleString("en")} ${nouns.many} match.`;
}
