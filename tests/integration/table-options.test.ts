/**
 * The options of inline editing, dependent choices and column help are checked at mount, naming the
 * option and what would be valid; and the list draws what they ask for: header help that assistive
 * tech reads, a label on every cell for the phone layout, and cut-off values that keyboard focus
 * unfolds.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { seedCatalogue } from "../../src/demo/seed";
import { dataModel } from "../../src/generated/powercrud";
import { ConfigError, createPowerCrud, type PowerCrudOptions, type ResourceOptions } from "../../src/index";
import { bareApp, expectNoServerErrors } from "../support/bare-app";
import { connect } from "../support/database";
import { TestClient } from "../support/test-client";

const db = connect();
let browser: TestClient;
let logged: unknown[];

const base = (): PowerCrudOptions => ({ prisma: db.prisma, pool: db.pool, dataModel, logError: () => {} });

function mountError(options: ResourceOptions): string {
  try {
    createPowerCrud(base()).resource(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a PowerCrudConfigError, but nothing was thrown");
}

const where = () => undefined;

beforeAll(async () => {
  await seedCatalogue(db.pool, { books: 30, authors: 5, genres: 4 });
  await db.pool.query(`UPDATE "Book" SET title = 'A title far too long to fit in its column, which the table cuts off' WHERE id = (SELECT max(id) FROM "Book")`);
  const { app, errors } = bareApp(db, (app, crud) => {
    app.use(
      "/books",
      crud.resource({
        model: "Book",
        list: {
          fields: ["title", "author", { field: "price", label: "Retail price" }, "status"],
          linkFields: ["author"],
          help: { price: "In euros, VAT included.", "status": "Draft, published or out of print." },
        },
      }),
    );
  });
  logged = errors;
  browser = await TestClient.start(app);
});

afterEach(() => expectNoServerErrors(logged));

afterAll(async () => {
  await browser?.close();
  await db.close();
});

describe("options checked at mount", () => {
  it("inlineEdit.fields must be editable form fields shown as list columns", () => {
    expect(mountError({ model: "Book", inlineEdit: { fields: ["titel"] } })).toMatch(/inlineEdit\.fields: Unknown field "titel" .* Valid fields: /);
    expect(mountError({ model: "Book", inlineEdit: { fields: ["createdAt", "id"] } })).toContain("inlineEdit.fields");
    expect(mountError({ model: "Book", inlineEdit: { fields: ["title"] }, form: { exclude: ["title"] } })).toContain(`inlineEdit.fields: "title" is not in the edit form`);
    expect(mountError({ model: "Book", inlineEdit: { fields: ["title"] }, form: { disabled: ["title"] } })).toContain(`inlineEdit.fields: "title" is disabled in the form`);
    expect(mountError({ model: "Book", list: { fields: ["title"] }, inlineEdit: { fields: ["price"] } })).toContain(`inlineEdit.fields: "price" is not a list column`);
    expect(mountError({ model: "Book", list: { fields: ["title", "author.name"] }, inlineEdit: { fields: ["author"] } })).toContain(`"author" is not a list column`);
    expect(mountError({ model: "Book", inlineEdit: { fields: ["title"] }, routes: { update: false } })).toContain("routes.update turns off");
    expect(mountError({ model: "Book", inlineEdit: { field: ["title"] } } as unknown as ResourceOptions)).toContain("inlineEdit.field: unknown option (valid: fields)");
  });

  it("accepts inline fields by field or relation name, keyed by the column that shows them", () => {
    const { resource } = createPowerCrud(base()).resource({ model: "Book", list: { fields: ["title", "author", "genres"] }, inlineEdit: { fields: ["title", "authorId", "genres"] } });
    expect(resource.inlineFields.map((inline) => [inline.field.name, inline.column])).toEqual([["title", "title"], ["authorId", "author"], ["genres", "genres"]]);
    expect(createPowerCrud(base()).resource({ model: "Book" }).resource.inlineFields).toEqual([]);
  });

  it("form.dependentChoices names relation fields depending on other single-value fields", () => {
    expect(mountError({ model: "Book", form: { dependentChoices: { edtor: { on: ["author"], where } } } })).toMatch(/form: Unknown field "edtor" in dependentChoices/);
    expect(mountError({ model: "Book", form: { dependentChoices: { title: { on: ["author"], where } } } })).toContain(`only relation fields`);
    expect(mountError({ model: "Book", form: { dependentChoices: { editor: { on: ["editor"], where } } } })).toContain("cannot depend on itself");
    expect(mountError({ model: "Book", form: { dependentChoices: { editor: { on: ["genres"], where } } } })).toContain("holds several values");
    expect(mountError({ model: "Book", form: { dependentChoices: { editor: { on: ["autor"], where } } } })).toContain(`Unknown field "autor" in dependentChoices.editor.on`);
    expect(mountError({ model: "Book", form: { dependentChoices: { editor: { on: [], where } } } })).toContain("form.dependentChoices.editor.on");
    expect(mountError({ model: "Book", form: { dependentChoices: { editor: { on: ["author"] } } } } as unknown as ResourceOptions)).toContain("form.dependentChoices.editor.where: must be a function");
    const { resource } = createPowerCrud(base()).resource({ model: "Book", bulkFields: ["editor"], form: { dependentChoices: { editorId: { on: ["authorId", "status"], where } } } });
    const editor = resource.formFields.find((field) => field.name === "editorId")!;
    expect(editor.dependent?.on.map((parent) => parent.name)).toEqual(["authorId", "status"]);
    expect(resource.bulkFields[0]!.dependent?.where).toBe(where);
  });

  it("list.help names list columns", () => {
    expect(mountError({ model: "Book", list: { fields: ["title"], help: { price: "x" } } })).toContain(`list.help: unknown "price" (valid: title)`);
  });
});

describe("the list table", () => {
  it("gives a column's help to its header: a focusable tooltip button, and a description of the sort link", async () => {
    const page = await browser.get("/books");
    expect(page.status).toBe(200);
    const header = /<th scope="col" aria-sort="none" class="whitespace-nowrap">\s*<a [^>]*id="pc-sort-price"[\s\S]*?<\/th>/.exec(page.text)![0];
    expect(header).toContain(`aria-describedby="pc-help-price"`);
    expect(header).toContain(`data-tip="In euros, VAT included."`);
    expect(header).toMatch(/<button type="button" [^>]*aria-label="About Retail price" aria-describedby="pc-help-price">/);
    // The description lives outside the header, so the header's text is still just its label.
    expect(header).not.toContain("In euros, VAT included.<");
    expect(page.text).toContain(`<p hidden id="pc-help-price">In euros, VAT included.</p>`);
    expect(page.text).not.toContain("pc-help-title");
  });

  it("labels every data cell with its column's header, for the phone layout", async () => {
    const page = await browser.get("/books");
    const rows = [...page.text.matchAll(/<tr data-pc-row="\d+"[^>]*>([\s\S]*?)<\/tr>/g)].map((match) => match[1]!);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect([...row.matchAll(/data-label="([^"]*)"/g)].map((match) => match[1])).toEqual(["Title", "Author", "Retail price", "Status"]);
    }
    expect(page.text).toContain(`<table class="table table-zebra table-pin-rows pc-cards">`);
  });

  it("makes a long value focusable with its whole text as its title; a linked value unfolds when its link has focus", async () => {
    const page = await browser.get("/books");
    expect(page.text).toContain(`title="A title far too long to fit in its column, which the table cuts off" tabindex="0">A title far too long`);
    expect(page.text).toMatch(/<a class="group link link-primary font-medium" [^>]*><span class="pc-clip group-focus-visible:whitespace-normal"/);
  });
});
