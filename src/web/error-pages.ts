import type { ErrorRequestHandler, RequestHandler } from "express";
import type nunjucks from "nunjucks";
import { HttpError } from "./http-error";
import { isCsrfError } from "./csrf";
import { dataExceptionOf } from "./prisma-errors";

export interface ErrorPageOptions {
  renderer: nunjucks.Environment;
  /** Template values every error page gets (layout, assetsUrl); the response's locals win. */
  defaults?: Record<string, unknown>;
  /** Receives unexpected errors (status 500); default: console.error. */
  log?: (error: unknown) => void;
}

export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new HttpError(404, `There is no page at ${req.path}.`));
}

/**
 * Renders every error as a friendly page (or a small fragment for htmx requests), never with a stack
 * trace. Unexpected errors are logged and shown as a generic 500.
 */
export function errorHandler({ renderer, defaults = {}, log = console.error }: ErrorPageOptions): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const { status, title, message } = describe(error);
    const link = error instanceof HttpError ? error.link : undefined;
    if (status >= 500) log(error);
    if (res.headersSent) return;
    res.status(status);
    if (req.accepts(["html", "json"]) === "json") {
      res.json({ error: { status, title, message } });
      return;
    }
    const fragment = req.get("HX-Request") === "true" && req.get("HX-History-Restore-Request") !== "true";
    const template = fragment ? "powercrud/partials/error-alert.njk" : "powercrud/error.njk";
    res.type("html").send(renderer.render(template, { ...defaults, ...res.locals, status, title, message, link }));
  };
}

function describe(error: unknown): { status: number; title: string; message: string } {
  if (error instanceof HttpError) return { status: error.status, title: error.title, message: error.message };
  if (isCsrfError(error)) {
    return {
      status: 403,
      title: "Form expired",
      message: "This form's security token is missing or out of date. Reload the page and try again.",
    };
  }
  // A value PostgreSQL refused came from the request: a 422 the user can act on, not a server fault.
  const invalid = dataExceptionOf(error);
  if (invalid) return { status: 422, title: "Value not accepted", message: invalid };
  const status = (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const message = status === 413 ? "The request is too large." : "The request could not be understood.";
    return { status, title: new HttpError(status, "").title, message };
  }
  return {
    status: 500,
    title: "Something went wrong",
    message: "An unexpected error stopped this request. Try again, and tell an administrator if it keeps happening.",
  };
}
