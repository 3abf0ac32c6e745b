/**
 * Options are validated when PowerCRUD is created and when a resource is mounted: a bad option
 * throws a PowerCrudConfigError whose message names the option and what would have been valid.
 */
import express from "express";
import { afterAll, describe, expect, it } from "vitest";
import { dataModel } from "../../src/generated/powercrud";
import { ConfigError, createPowerCrud, type PowerCrudOptions, type ResourceOptions } from "../../src/index";
import { connect } from "../support/database";
import { TestClient } from "../support/test-client";

const db = connect();
afterAll(() => db.close());

const base = (): PowerCrudOptions => ({ prisma: db.prisma, pool: db.pool, dataModel, logError: () => {} });

/** The error a call throws; fails the test when it throws nothing or something else. */
function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).name).toBe("PowerCrudConfigError");
    return error as ConfigError;
  }
  throw new Error("expected a PowerCrudConfigError, but nothing was thrown");
}

const mount = (options: unknown) => configError(() => createPowerCrud(base()).resource(options as ResourceOptions));

describe("background task options", () => {
  it("names a bad bulk.background value of a resource", () => {
    expect(mount({ model: "Book", bulk: { background: { minRecords: 0 } } }).message).toContain("bulk.background.minRecords");
    expect(mount({ model: "Book", bulk: { background: { notify: ["sms"] } } }).message).toContain("bulk.background.notify[0]");
    expect(mount({ model: "Book", bulk: { background: { everything: true } } }).message).toMatch(/bulk\.background\.everything: unknown option \(valid: enabled, minRecords, atomic, notify, parallelism, pauseMs\)/);
    expect(mount({ model: "Book", key: "books and more" }).message).toContain("key: must be 1-100 letters");
  });

  it("names a bad global bulk.background or tasks value", () => {
    const create = (options: Record<string, unknown>) => configError(() => createPowerCrud({ ...base(), ...options } as PowerCrudOptions));
    expect(create({ bulk: { background: { parallelism: 100 } } }).message).toContain("bulk.background.parallelism");
    expect(create({ tasks: { url: "tasks" } }).message).toContain("tasks.url: must be a path such as /tasks");
    expect(create({ tasks: { staleAfterMs: 10 } }).message).toContain("tasks.staleAfterMs");
    expect(create({ tasks: { email: { transport: "smtp://localhost" } } }).message).toContain("tasks.email.from");
  });

  it("gives a resource the global background settings under its own", () => {
    const crud = createPowerCrud({ ...base(), bulk: { background: { minRecords: 50, notify: ["messages"] } } });
    expect(crud.resource({ model: "Book", bulk: { background: { minRecords: 10 } } }).resource.background).toEqual({ enabled: true, minRecords: 10, atomic: false, notify: ["messages"], parallelism: 2, pauseMs: 0 });
    expect(crud.resource({ model: "Book" }).resource.key).toBe("Book~2");
    expect(crud.resource({ model: "Book", key: "archive" }).resource.key).toBe("archive");
  });
});

describe("history options", () => {
  it("names a bad history or recoverableDelete value, globally and per resource", () => {
    const create = (options: Record<string, unknown>) => configError(() => createPowerCrud({ ...base(), ...options } as PowerCrudOptions));
    expect(create({ history: { retentionDays: 0 } }).message).toContain("history.retentionDays");
    expect(create({ history: { keep: true } }).message).toMatch(/history\.keep: unknown option \(valid: enabled, retentionDays\)/);
    expect(create({ tasks: { canRevert: "admins" } }).message).toContain("tasks.canRevert: must be a function");
    expect(mount({ model: "Book", history: { enabled: "yes" } }).message).toContain("history.enabled");
    expect(mount({ model: "Book", bulk: { recoverableDelete: 1 } }).message).toContain("bulk.recoverableDelete");
  });

  it("gives a resource the global history settings under its own", () => {
    const crud = createPowerCrud({ ...base(), history: { retentionDays: 90 } });
    expect(crud.resource({ model: "Book" }).resource.history).toEqual({ enabled: true, retentionDays: 90 });
    expect(crud.resource({ model: "Book", history: { enabled: false } }).resource.history).toEqual({ enabled: false, retentionDays: 90 });
    expect(createPowerCrud(base()).resource({ model: "Book", history: { retentionDays: 3650 } }).resource.history).toEqual({ enabled: true, retentionDays: 3650 });
    expect(createPowerCrud(base()).resource({ model: "Book" }).resource.history).toEqual({ enabled: true });
  });
});

describe("resource() options", () => {
  it("accepts a resource with nothing but its model", () => {
    const router = createPowerCrud(base()).resource({ model: "Book" });
    expect(router.resource.plural).toBe("Books");
    expect(router.resource.singular).toBe("Book");
  });

  it("names an unknown model and lists the valid ones", () => {
    const { message } = mount({ model: "Bok" });
    expect(message).toContain('resource("Bok")');
    expect(message).toMatch(/^\s+model: no model "Bok"/m);
    for (const model of ["Author", "Book", "Genre", "User"]) expect(message).toMatch(new RegExp(`valid: [^\\n]*\\b${model}\\b`));
  });

  it("names a missing model", () => {
    expect(mount({}).message).toMatch(/^\s+model: /m);
    expect(mount({ model: "" }).message).toMatch(/^\s+model: /m);
  });

  it("names a typo in a list.fields relation path and lists the relations", () => {
    const { message } = mount({ model: "Book", list: { fields: ["title", "auther.name"] } });
    expect(message).toMatch(/^\s+list\.fields: .*"auther\.name"/m);
    expect(message).toMatch(/relations: author, editor/);
  });

  it("names a typo in a list.fields field and lists the fields", () => {
    const { message } = mount({ model: "Book", list: { fields: ["titel"] } });
    expect(message).toMatch(/^\s+list\.fields: .*"titel"/m);
    expect(message).toMatch(/choices: [^\n]*\btitle\b/);
  });

  it("names a field of the related model that does not exist", () => {
    const { message } = mount({ model: "Book", list: { fields: ["author.nme"] } });
    expect(message).toMatch(/^\s+list\.fields: .*"author\.nme"/m);
    expect(message).toMatch(/choices: [^\n]*\bname\b/);
  });

  it("names an unknown list.defaultSort key and lists the sortable columns", () => {
    const { message } = mount({ model: "Book", list: { fields: ["title", "pages", "genres"], defaultSort: ["-titel"] } });
    expect(message).toMatch(/^\s+list\.defaultSort: unknown "titel"/m);
    expect(message).toMatch(/valid: title, pages\)/);
  });

  it("refuses sorting by default on a column that cannot be sorted", () => {
    const { message } = mount({ model: "Book", list: { fields: ["title", "genres"], defaultSort: ["genres"] } });
    expect(message).toMatch(/^\s+list\.defaultSort: unknown "genres" \(valid: title\)/m);
  });

  it("names an unknown list.exclude and list.linkFields entry", () => {
    expect(mount({ model: "Book", list: { exclude: ["isbnn"] } }).message).toMatch(/^\s+list\.exclude: unknown "isbnn" \(valid: [^\n]*\bisbn\b/m);
    expect(mount({ model: "Book", list: { fields: ["title"], linkFields: ["isbn"] } }).message).toMatch(/^\s+list\.linkFields: unknown "isbn" \(valid: title\)/m);
  });

  it("names an unknown form.fields entry and lists the editable fields", () => {
    const { message } = mount({ model: "Book", form: { fields: ["title", "titel"] } });
    expect(message).toMatch(/^\s+form[.:][^\n]*"titel"/m);
    expect(message).toMatch(/\bfields\b/);
    expect(message).toMatch(/Valid fields: [^\n]*\btitle\b[^\n]*\bauthorId\b/);
  });

  it("names unknown form.disabled, form.help and form.context entries", () => {
    expect(mount({ model: "Book", form: { disabled: ["isbnn"] } }).message).toMatch(/"isbnn" in disabled/);
    expect(mount({ model: "Book", form: { help: { isbnn: "13 digits" } } }).message).toMatch(/"isbnn" in help/);
    expect(mount({ model: "Book", form: { context: ["created"] } }).message).toMatch(/^\s+form\.context: "created"/m);
  });

  it("names an unknown detail.fields entry", () => {
    expect(mount({ model: "Book", detail: { fields: ["titel"] } }).message).toMatch(/^\s+detail\.fields: "titel"[^\n]*choices: [^\n]*\btitle\b/m);
  });

  it("names an unknown top-level option and lists the valid ones", () => {
    const { message } = mount({ model: "Book", colour: "red" });
    expect(message).toContain("colour");
    // The valid options are listed, so a typo can be matched to what was meant.
    for (const option of ["model", "list", "form", "permissions", "routes"]) expect(message).toMatch(new RegExp(`\\b${option}\\b`));
    // The option is named, not left as an empty path (": Unrecognized key").
    expect(message).not.toMatch(/^\s+: /m);
  });

  it("names an unknown nested option and lists the valid ones", () => {
    const { message } = mount({ model: "Book", list: { pagesize: 10 } });
    expect(message).toMatch(/^\s+list\b[^\n]*pagesize/m);
    for (const option of ["pageSize", "defaultSort", "fields"]) expect(message).toContain(option);
  });

  it("names a permission hook that is not a function", () => {
    const { message } = mount({ model: "Book", permissions: { create: "admin" } });
    expect(message).toMatch(/^\s+permissions\.create: must be a function/m);
    expect(mount({ model: "Book", permissions: { deleteRecord: true } }).message).toMatch(/^\s+permissions\.deleteRecord: must be a function/m);
  });

  it("names an unknown permission hook", () => {
    const { message } = mount({ model: "Book", permissions: { edit: () => true } });
    expect(message).toMatch(/^\s+permissions\b[^\n]*\bedit\b/m);
  });

  it.each([
    [0, /Too small/],
    [-3, /Too small/],
    [1001, /Too big/],
    [2.5, /expected int/],
    ["25", /expected number/],
  ])("names a bad list.pageSize (%s)", (pageSize, why) => {
    const { message } = mount({ model: "Book", list: { pageSize } });
    expect(message).toMatch(/^\s+list\.pageSize: /m);
    expect(message).toMatch(why);
  });

  it("names a bad entry of list.pageSizes", () => {
    expect(mount({ model: "Book", list: { pageSizes: [10, 0] } }).message).toMatch(/^\s+list\.pageSizes\[1\]: Too small/m);
  });

  it("names a bad route switch and a bad row action variant with the valid choices", () => {
    expect(mount({ model: "Book", routes: { delete: "no" } }).message).toMatch(/^\s+routes\.delete: .*expected boolean/m);
    const { message } = mount({ model: "Book", rowActions: [{ label: "Open", href: "/x/{id}", variant: "red" }] });
    expect(message).toMatch(/^\s+rowActions\[0\]\.variant: /m);
    // The valid choices are listed (in whatever format).
    for (const variant of ["default", "primary", "secondary", "accent", "error", "warning", "ghost"]) expect(message).toContain(variant);
  });

  it("names a computed property whose value is not a function", () => {
    expect(mount({ model: "Book", properties: { ratio: { label: "Ratio", value: 1 } } }).message).toMatch(/^\s+properties\.ratio\.value: must be a function/m);
  });

  it("names a displayField that the model does not have", () => {
    const { message } = mount({ model: "Book", displayField: "nme" });
    expect(message).toContain('"nme"');
    expect(message).toMatch(/^\s+displayField: /m);
  });

  it("names a label for a field that does not exist", () => {
    const { message } = mount({ model: "Book", labels: { titel: "Title" } });
    expect(message).toMatch(/^\s+labels[^\n]*"titel"/m);
  });

  it("refuses options that are not an object", () => {
    const error = mount("Book");
    expect(error.message).toMatch(/expected object/);
  });
});

describe("createPowerCrud() options", () => {
  const create = (options: unknown) => configError(() => createPowerCrud(options as PowerCrudOptions));

  it("names a missing or wrong prisma, pool and dataModel", () => {
    const { prisma: _prisma, ...noPrisma } = base();
    expect(create(noPrisma).message).toMatch(/^\s+prisma: must be a PrismaClient instance/m);
    expect(create({ ...base(), pool: "postgres://" }).message).toMatch(/^\s+pool: must be a pg Pool/m);
    expect(create({ ...base(), dataModel: {} }).message).toMatch(/^\s+dataModel: must be the dataModel exported by the powercrud-metadata generator/m);
  });

  it("names a global permission hook that is not a function", () => {
    expect(create({ ...base(), permissions: { delete: true } }).message).toMatch(/^\s+permissions\.delete: must be a function/m);
  });

  it("names a getUser that is not a function", () => {
    expect(create({ ...base(), getUser: "req.user" }).message).toMatch(/^\s+getUser: must be a function/m);
  });

  it("names an unknown option and lists the valid ones", () => {
    const { message } = create({ ...base(), permisions: {} });
    expect(message).toContain("permisions");
    for (const option of ["prisma", "pool", "dataModel", "getUser", "permissions"]) expect(message).toMatch(new RegExp(`\\b${option}\\b`));
    expect(message).not.toMatch(/^\s+: /m);
  });

  it("names a displayFields entry whose field does not exist", () => {
    const { message } = configError(() => createPowerCrud({ ...base(), displayFields: { Author: "nme" } }).resource({ model: "Book" }));
    expect(message).toMatch(/displayFields/);
    expect(message).toContain('"nme"');
  });

  it("names a displayFields entry whose model does not exist", () => {
    const { message } = configError(() => createPowerCrud({ ...base(), displayFields: { Auther: "name" } }).resource({ model: "Book" }));
    expect(message).toMatch(/displayFields/);
    expect(message).toContain("Auther");
  });
});

describe("mounting without crud.protect()", () => {
  it("answers 500 and logs an error that says how to fix it", async () => {
    const logged: unknown[] = [];
    const crud = createPowerCrud({ ...base(), logError: (error) => logged.push(error) });
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use("/books", crud.resource({ model: "Book" }));
    app.use(crud.errorHandler());
    const client = await TestClient.start(app);
    try {
      const response = await client.get("/books");
      expect(response.status).toBe(500);
      expect(response.text).not.toContain("crud.protect");
      expect(logged).toHaveLength(1);
      expect(String((logged[0] as Error).message)).toContain("app.use(crud.protect())");
    } finally {
      await client.close();
    }
  });
});
