import type { NextFunction, Request, Response } from "express";
import type nunjucks from "nunjucks";
import type { Action } from "../config/permissions-schema";
import type { Resource } from "../config/resolve-resource";
import { addFlash, takeFlash } from "./flash";
import { isFragmentRequest, targetsModal, triggerClientEvent } from "./htmx";
import { HttpError } from "./http-error";
import { TABLE_ID } from "./list-page";
import { canDo } from "./permissions";
import { safeReturnUrl } from "./return-url";

type Handler = (req: Request, res: Response) => Promise<void>;

/** What every route of a resource needs: rendering, permission checks, return URLs and success answers. */
export interface ResourceWeb {
  resource: Resource;
  route(handler: Handler): (req: Request, res: Response, next: NextFunction) => void;
  render(req: Request, res: Response, template: string, context: Record<string, unknown>): void;
  /** A fragment for the modal, or the same partial inside a full page (no JavaScript, new tab). */
  renderPartial(req: Request, res: Response, partial: string, context: Record<string, unknown>): void;
  require(req: Request, action: Action): Promise<void>;
  returnUrlOf(req: Request): string;
  /** htmx: close the modal, toast and refresh the table in place. Plain forms: redirect to the list they came from. */
  succeed(req: Request, res: Response, message: string, id?: string): void;
}

export function resourceWeb(resource: Resource, renderer: nunjucks.Environment): ResourceWeb {
  const { config, global } = resource;
  const render: ResourceWeb["render"] = (req, res, template, context) => {
    const full = {
      ...res.locals,
      layout: global.layout,
      assetsUrl: global.assetsUrl,
      flash: isFragmentRequest(req) ? [] : takeFlash(req),
      resource: { plural: resource.plural, singular: resource.singular, helpText: config.helpText, url: req.baseUrl, tableId: TABLE_ID },
      ...context,
    };
    res.type("html").send(renderer.render(template, full));
  };
  const returnUrlOf = (req: Request) =>
    safeReturnUrl(req.body?._return ?? req.query._return ?? req.get("HX-Current-URL")?.replace(/^https?:\/\/[^/]+/, ""), req.baseUrl);
  return {
    resource,
    route: (handler) => (req, res, next) => {
      if (typeof res.locals.csrfToken !== "string") {
        return next(new Error("PowerCRUD resources need CSRF protection: add app.use(crud.protect()) after your session middleware."));
      }
      handler(req, res).catch(next);
    },
    render,
    renderPartial(req, res, partial, context) {
      if (targetsModal(req)) return render(req, res, partial, { ...context, inModal: true });
      render(req, res, "powercrud/page.njk", { ...context, partial, inModal: false });
    },
    async require(req, action) {
      const decision = await canDo(resource, action, req);
      if (!decision.allowed) throw new HttpError(403, decision.reason!);
    },
    returnUrlOf,
    succeed(req, res, message, id) {
      if (isFragmentRequest(req)) {
        triggerClientEvent(res, "pc:saved", { message, ...(id ? { id } : {}) });
        res.set("HX-Reswap", "none").status(200).send("");
        return;
      }
      addFlash(req, { kind: "success", message });
      res.redirect(303, returnUrlOf(req));
    },
  };
}
