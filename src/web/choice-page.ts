import type { Request, Response } from "express";
import { CHOICES_MAX_PAGE, choiceStatus, searchRelated, searchText, type RelatedModel } from "../model/related-search";
import { HttpError } from "./http-error";
import type { ResourceWeb } from "./resource-web";

/** Choices per page of a combobox's list (the filter panel's and the form's alike). */
export const CHOICES_PAGE_SIZE = 20;

/**
 * Answers a combobox: one page of the related records matching `q`, as choice-page.njk, which the
 * combobox in powercrud.js appends to its listbox, reading its status out. `restrict` narrows the
 * choices (a dependent form field's).
 */
export async function sendChoicePage(web: ResourceWeb, req: Request, res: Response, related: RelatedModel, restrict?: Record<string, unknown>): Promise<void> {
  const page = pageOf(req.query.page);
  const choices = await searchRelated(web.resource.global.prisma, related, { search: searchText(req.query.q), page, pageSize: CHOICES_PAGE_SIZE, restrict });
  web.render(req, res, "powercrud/partials/choice-page.njk", { choices, page, status: choiceStatus(related, choices) });
}

function pageOf(value: unknown): number {
  if (value === undefined) return 1;
  // A repeated page is refused rather than read as its first value.
  const page = typeof value === "string" && /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (!(page >= 1 && page <= CHOICES_MAX_PAGE)) throw new HttpError(400, `page must be a whole number from 1 to ${CHOICES_MAX_PAGE}.`);
  return page;
}
