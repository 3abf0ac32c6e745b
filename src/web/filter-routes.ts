import type { Router } from "express";
import { sendChoicePage } from "./choice-page";
import { HttpError } from "./http-error";
import type { ResourceWeb } from "./resource-web";

/**
 * GET /_filter-choices/:filter: one page of a relation filter's choices for its combobox, searched by
 * the related model's display field. Whoever may list the records may see these names: the list's
 * own relation columns show the same ones.
 */
export function filterRoutes(router: Router, web: ResourceWeb): void {
  const { resource, route, require } = web;
  router.get("/_filter-choices/:filter", route(async (req, res) => {
    await require(req, "list");
    const spec = resource.filters.find((candidate) => candidate.name === req.params.filter && candidate.relation);
    if (!spec) throw new HttpError(404, `There is no relation filter "${String(req.params.filter).slice(0, 40)}" on ${resource.plural.toLowerCase()}.`);
    await sendChoicePage(web, req, res, spec.relation!);
  }));
}
