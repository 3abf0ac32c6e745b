import type { RequestHandler, Router } from "express";
import { globalSchema, type PowerCrudOptions } from "./config/global-schema";
import { resolveResource, type Resource } from "./config/resolve-resource";
import type { ResourceOptions } from "./config/resource-schema";
import { ConfigError, parseOptions } from "./config/schema-helpers";
import type { DataModelMeta } from "./model/types";
import { createRenderer } from "./render/environment";
import { assetsRouter } from "./web/assets";
import { csrfProtection } from "./web/csrf";
import { errorHandler } from "./web/error-pages";
import { resourceRouter } from "./web/resource-router";

export interface PowerCrud {
  /** Mounts the CRUD screens of one Prisma model: `app.use("/books", crud.resource({ model: "Book" }))`. */
  resource(options: ResourceOptions): Router & { resource: Resource };
  /** Static files (CSS, htmx, powercrud.js); mount at the `assetsUrl` option. */
  assets(): Router;
  /** CSRF protection on the session: add after your session middleware, before resources. */
  protect(): RequestHandler[];
  /** Error pages in PowerCRUD's look (404, 403, 409, friendly 500); add last. */
  errorHandler(): ReturnType<typeof errorHandler>;
}

/**
 * Creates PowerCRUD for one Prisma client. Options are validated here, and each resource's options
 * when it is mounted: a bad option fails at startup with a message that names it.
 */
export function createPowerCrud(options: PowerCrudOptions): PowerCrud {
  const config = parseOptions(globalSchema, options, "createPowerCrud");
  checkDisplayFields(config.dataModel, config.displayFields);
  const renderer = createRenderer({ views: config.views, watch: config.watchTemplates });
  return {
    resource(resourceOptions) {
      const resource = resolveResource(config, resourceOptions);
      return Object.assign(resourceRouter(resource, renderer), { resource });
    },
    assets: () => assetsRouter(),
    protect: () => csrfProtection(),
    errorHandler: () => errorHandler({ renderer, log: config.logError, defaults: { layout: config.layout, assetsUrl: config.assetsUrl } }),
  };
}

function checkDisplayFields(dataModel: DataModelMeta, displayFields: Record<string, string>): void {
  for (const [modelName, fieldName] of Object.entries(displayFields)) {
    const model = dataModel.models[modelName];
    if (!model) {
      throw new ConfigError(`Invalid createPowerCrud options:\n  displayFields.${modelName}: no model "${modelName}" (valid: ${Object.keys(dataModel.models).join(", ")})`);
    }
    if (!model.fields.some((field) => field.name === fieldName && field.kind !== "object")) {
      const valid = model.fields.filter((field) => field.kind !== "object").map((field) => field.name);
      throw new ConfigError(`Invalid createPowerCrud options:\n  displayFields.${modelName}: ${modelName} has no field "${fieldName}" (valid: ${valid.join(", ")})`);
    }
  }
}

export { ConfigError } from "./config/schema-helpers";
export { HttpError } from "./web/http-error";
export type { PowerCrudOptions } from "./config/global-schema";
export type { ResourceOptions } from "./config/resource-schema";
export type { PermissionContext, RecordPermissionContext, PermissionResult } from "./config/permissions-schema";
export type { DataModelMeta };
