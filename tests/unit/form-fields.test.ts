import { describe, expect, it } from "vitest";
import { formFieldsFor } from "../../src/forms";
import { dataModel } from "../../src/generated/powercrud";
import { modelOf } from "../../src/model/relations";
import type { DataModelMeta, FieldMeta, ModelMeta } from "../../src/model/types";

const Book = modelOf(dataModel, "Book");
const Author = modelOf(dataModel, "Author");
const Genre = modelOf(dataModel, "Genre");
const User = modelOf(dataModel, "User");
const Session = modelOf(dataModel, "Session");

function names(model: ModelMeta, options = {}): string[] {
  return formFieldsFor(dataModel, model, options).map((field) => field.name);
}

function field(model: ModelMeta, name: string, options = {}) {
  const found = formFieldsFor(dataModel, model, { ...options, fields: [name] })[0];
  if (!found) throw new Error(`no form field ${name}`);
  return found;
}

function scalar(name: string, type: string, extra: Partial<FieldMeta> = {}): FieldMeta {
  return {
    name, type, kind: "scalar", dbName: name, isRequired: true, isList: false, hasDefault: false,
    isId: false, isUnique: false, isUpdatedAt: false, isGenerated: false, ...extra,
  } as FieldMeta;
}

/** The demo schema has no Float, BigInt, VarChar(n) or nullable enum; this model adds them next to the real ones. */
const gadget: ModelMeta = {
  name: "Gadget",
  dbName: "Gadget",
  idField: "code",
  fields: [
    scalar("code", "String", { isId: true, nativeType: "VarChar", nativeTypeArgs: ["12"] }),
    scalar("nickname", "String", { nativeType: "VarChar", nativeTypeArgs: ["80"] }),
    scalar("country", "String", { nativeType: "Char", nativeTypeArgs: ["2"] }),
    scalar("weight", "Float", { isRequired: false }),
    scalar("serial", "BigInt"),
    scalar("ratio", "Decimal"),
    scalar("units", "Decimal", { nativeType: "Decimal", nativeTypeArgs: ["5"] }),
    scalar("fraction", "Decimal", { nativeType: "Decimal", nativeTypeArgs: ["2", "2"] }),
    scalar("seenAt", "DateTime", { nativeType: "Timestamptz", nativeTypeArgs: ["6"] }),
    scalar("tags", "String", { isList: true }),
    scalar("settings", "Json"),
    scalar("blob", "Bytes"),
    { name: "status", kind: "enum", type: "BookStatus", dbName: "status", isRequired: false, isList: false, hasDefault: false, isId: false, isUnique: false },
    { name: "roles", kind: "enum", type: "Role", dbName: "roles", isRequired: true, isList: true, hasDefault: false, isId: false, isUnique: false },
  ],
};
const gadgetModel: DataModelMeta = { models: { ...dataModel.models, Gadget: gadget }, enums: dataModel.enums };

describe("formFieldsFor: default fields", () => {
  it("gives Book's editable fields in model order, with foreign keys as their columns", () => {
    expect(names(Book)).toEqual([
      "title", "isbn", "pages", "price", "publishedDate", "bestseller", "status", "authorId", "editorId", "genres", "description",
    ]);
  });

  it("leaves out the id, generated columns and one-to-many back-relations", () => {
    expect(names(Author)).toEqual(["name", "bio", "birthDate", "active"]);
    expect(names(User)).toEqual(["email", "name", "passwordHash", "role"]);
  });

  it("offers both sides of an implicit many-to-many relation", () => {
    expect(names(Genre)).toEqual(["name", "description", "books"]);
    expect(field(Genre, "books").relation).toEqual({ model: "Book", idField: "id", labelField: "title", multiple: true, labelIsText: true });
  });

  it("leaves out Json, Bytes and scalar lists, and keeps a non-generated id out by default", () => {
    expect(names(Session)).toEqual(["expire"]);
    expect(formFieldsFor(gadgetModel, gadget).map((f) => f.name)).toEqual([
      "nickname", "country", "weight", "serial", "ratio", "units", "fraction", "seenAt", "status",
    ]);
  });
});

describe("formFieldsFor: widgets", () => {
  it("describes text, textarea and labels", () => {
    expect(field(Book, "title")).toEqual({
      name: "title", widget: "text", label: "Title", required: true, nullable: false, disabled: false, maxLength: 500,
      // Book.title is in a B-tree index (@@index([title, id])): the indexed default length and a byte cap.
      domain: { kind: "text", maxLength: 500, maxBytes: 2000 },
    });
    expect(field(Book, "isbn").label).toBe("ISBN");
    expect(field(Book, "description")).toMatchObject({ widget: "textarea", required: false, nullable: true });
    expect(field(Book, "publishedDate").label).toBe("Published date");
  });

  it("takes maxLength from VarChar(n) and Char(n), else from the text limits", () => {
    const [nickname, country] = formFieldsFor(gadgetModel, gadget, { fields: ["nickname", "country"] });
    expect(nickname).toMatchObject({ widget: "text", maxLength: 80, domain: { kind: "text", maxLength: 80 } });
    expect(country).toMatchObject({ widget: "text", maxLength: 2 });
    // A bare @db.VarChar declares no length; the id's index bounds it.
    expect(field(Session, "sid", {})).toMatchObject({ maxLength: 500 });
    expect(field(Book, "description")).toMatchObject({ maxLength: 100_000, domain: { kind: "text", maxLength: 100_000 } });
    expect(field(Book, "description").domain).not.toHaveProperty("maxBytes");
    const limits = { maxTextLength: 50, maxIndexedTextLength: 20 };
    expect(field(Book, "title", { textLimits: limits })).toMatchObject({ maxLength: 20 });
    expect(field(Book, "description", { textLimits: limits })).toMatchObject({ maxLength: 50 });
  });

  it("bounds Int to int4 and BigInt to the integers a number holds exactly", () => {
    expect(field(Book, "pages")).toMatchObject({ widget: "integer", required: true, min: -2147483648, max: 2147483647 });
    const [serial] = formFieldsFor(gadgetModel, gadget, { fields: ["serial"] });
    expect(serial).toMatchObject({ widget: "integer", min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
  });

  it("derives step, bounds and digits from Decimal(p, s)", () => {
    expect(field(Book, "price")).toMatchObject({ widget: "decimal", step: "0.01", min: -99999999.99, max: 99999999.99, precision: 10, scale: 2 });
    const [ratio, units, fraction] = formFieldsFor(gadgetModel, gadget, { fields: ["ratio", "units", "fraction"] });
    // Prisma stores a Decimal without @db.Decimal(p, s) as DECIMAL(65, 30).
    expect(ratio).toMatchObject({ widget: "decimal", precision: 65, scale: 30, domain: { kind: "decimal", precision: 65, scale: 30 } });
    expect(units).toMatchObject({ step: "1", max: 99999, precision: 5, scale: 0 });
    expect(fraction).toMatchObject({ step: "0.01", max: 0.99, precision: 2, scale: 2 });
  });

  it("makes Float a float input", () => {
    const [weight] = formFieldsFor(gadgetModel, gadget, { fields: ["weight"] });
    expect(weight).toMatchObject({ widget: "float", nullable: true, required: false });
  });

  it("makes a Boolean a checkbox that is never required, starting at its default", () => {
    expect(field(Book, "bestseller")).toMatchObject({ widget: "checkbox", required: false, nullable: false, initial: false });
    expect(field(Author, "active")).toMatchObject({ widget: "checkbox", initial: true });
  });

  it("tells @db.Date from timestamps", () => {
    expect(field(Book, "publishedDate").widget).toBe("date");
    expect(field(Author, "birthDate").widget).toBe("date");
    expect(field(Session, "expire")).toMatchObject({ widget: "datetime", required: true });
  });

  it("makes an enum a select of humanized choices; a default makes it optional", () => {
    expect(field(Book, "status")).toMatchObject({
      widget: "select",
      required: false,
      nullable: false,
      initial: "DRAFT",
      choices: [
        { value: "DRAFT", label: "Draft" },
        { value: "PUBLISHED", label: "Published" },
        { value: "OUT_OF_PRINT", label: "Out of print" },
      ],
    });
    const [status] = formFieldsFor(gadgetModel, gadget, { fields: ["status"] });
    expect(status).toMatchObject({ widget: "select", required: false, nullable: true });
    expect(status).not.toHaveProperty("initial");
  });

  it("makes foreign keys relation selects named after the column", () => {
    expect(field(Book, "authorId")).toEqual({
      name: "authorId",
      widget: "relation",
      label: "Author",
      required: true,
      nullable: false,
      disabled: false,
      domain: { kind: "integer", sqlType: "int4", min: -2147483648n, max: 2147483647n },
      relation: { model: "Author", idField: "id", labelField: "name", multiple: false, labelIsText: true },
    });
    expect(field(Book, "editorId")).toMatchObject({ widget: "relation", label: "Editor", required: false, nullable: true });
  });

  it("makes many-to-many relations multi-selects that may be empty", () => {
    expect(field(Book, "genres")).toMatchObject({
      widget: "relations",
      label: "Genres",
      required: false,
      nullable: false,
      relation: { model: "Genre", idField: "id", labelField: "name", multiple: true, labelIsText: true },
    });
  });
});

describe("formFieldsFor: options", () => {
  it("uses exactly the listed fields in order, a relation name standing for its column", () => {
    expect(names(Book, { fields: ["genres", "author", "title"] })).toEqual(["genres", "authorId", "title"]);
  });

  it("may list generated fields explicitly; they are not required", () => {
    expect(field(Book, "createdAt")).toMatchObject({ widget: "datetime", required: false });
    expect(field(Book, "updatedAt")).toMatchObject({ widget: "datetime", required: false });
  });

  it("excludes, disables, relabels and adds help, by column or relation name", () => {
    const fields = formFieldsFor(dataModel, Book, {
      exclude: ["isbn", "editor", "genres"],
      disabled: ["author", "title"],
      labels: { author: "Written by", pages: "Page count" },
      help: { authorId: "Who wrote it." },
    });
    expect(fields.map((f) => f.name)).toEqual(["title", "pages", "price", "publishedDate", "bestseller", "status", "authorId", "description"]);
    expect(fields.filter((f) => f.disabled).map((f) => f.name)).toEqual(["title", "authorId"]);
    expect(fields.find((f) => f.name === "authorId")).toMatchObject({ label: "Written by", help: "Who wrote it." });
    expect(fields.find((f) => f.name === "pages")).toMatchObject({ label: "Page count" });
    expect(fields.find((f) => f.name === "pages")).not.toHaveProperty("help");
  });

  it("lets labelFields choose the display field of a related model", () => {
    const options = { labelFields: { Author: "bio", Genre: "description" } };
    expect(field(Book, "authorId", options).relation?.labelField).toBe("bio");
    expect(field(Book, "genres", options).relation?.labelField).toBe("description");
  });

  it.each([
    ["fields", { fields: ["title", "titel"] }, "titel"],
    ["exclude", { exclude: ["nope"] }, "nope"],
    ["disabled", { disabled: ["Title"] }, "Title"],
    ["labels", { labels: { autor: "Author" } }, "autor"],
    ["help", { help: { prize: "In euros" } }, "prize"],
  ])("throws on an unknown name in %s, listing the valid ones", (option, options, bad) => {
    expect(() => formFieldsFor(dataModel, Book, options)).toThrow(
      `Unknown field "${bad}" in ${option} for Book: it is not a field of this model. Valid fields: id, title, isbn, pages, price, publishedDate, bestseller, status, authorId, editorId, genres, description, createdAt, updatedAt.`,
    );
  });

  it("says why a real but non-editable field is refused", () => {
    expect(() => formFieldsFor(dataModel, Author, { fields: ["name", "books"] })).toThrow(
      'Unknown field "books" in fields for Author: it is not editable in a form. Valid fields: id, name, bio, birthDate, active.',
    );
    expect(() => formFieldsFor(dataModel, Session, { exclude: ["sess"] })).toThrow(/"sess" in exclude for Session: it is not editable/);
  });

  it("refuses a field listed twice, also as column and relation", () => {
    expect(() => formFieldsFor(dataModel, Book, { fields: ["author", "authorId"] })).toThrow('The form of Book lists "authorId" twice in fields.');
  });

  it("refuses labelFields naming an unknown model or field", () => {
    expect(() => formFieldsFor(dataModel, Book, { labelFields: { Writer: "name" } })).toThrow('Unknown model "Writer"');
    expect(() => formFieldsFor(dataModel, Book, { labelFields: { Author: "fullName" } })).toThrow(
      'Unknown field "fullName" in labelFields for Author. Valid fields: id, name, bio, birthDate, active.',
    );
  });
});
