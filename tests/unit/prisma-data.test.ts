import { describe, expect, it } from "vitest";
import { formFieldsFor, parseForm, toPrismaData, type FormValues } from "../../src/forms";
import { dataModel } from "../../src/generated/powercrud";
import { modelOf } from "../../src/model/relations";

const Book = modelOf(dataModel, "Book");
const Genre = modelOf(dataModel, "Genre");
const bookFields = formFieldsFor(dataModel, Book);

const values: FormValues = {
  title: "Dune",
  isbn: "978-0441013593",
  pages: 412,
  price: "9.99",
  publishedDate: new Date("1965-08-01T00:00:00.000Z"),
  bestseller: true,
  status: "PUBLISHED",
  authorId: 3,
  editorId: 4,
  genres: [1, 2],
  description: null,
};

describe("toPrismaData", () => {
  it("writes scalars as they are and relations through connect on create", () => {
    expect(toPrismaData(dataModel, Book, bookFields, values, "create")).toEqual({
      title: "Dune",
      isbn: "978-0441013593",
      pages: 412,
      price: "9.99",
      publishedDate: new Date("1965-08-01T00:00:00.000Z"),
      bestseller: true,
      status: "PUBLISHED",
      author: { connect: { id: 3 } },
      editor: { connect: { id: 4 } },
      genres: { connect: [{ id: 1 }, { id: 2 }] },
      description: null,
    });
  });

  it("replaces many-to-many links with set on update", () => {
    const data = toPrismaData(dataModel, Book, bookFields, values, "update");
    expect(data.genres).toEqual({ set: [{ id: 1 }, { id: 2 }] });
    expect(data.author).toEqual({ connect: { id: 3 } });
    expect(data).not.toHaveProperty("authorId");
    expect(data).not.toHaveProperty("editorId");
  });

  it("clears every link when no choice is left on update", () => {
    expect(toPrismaData(dataModel, Book, bookFields, { ...values, genres: [] }, "update").genres).toEqual({ set: [] });
    expect(toPrismaData(dataModel, Book, bookFields, { ...values, genres: [] }, "create").genres).toEqual({ connect: [] });
  });

  it("disconnects a cleared optional relation on update and leaves it out on create", () => {
    const cleared = { ...values, editorId: null };
    expect(toPrismaData(dataModel, Book, bookFields, cleared, "update").editor).toEqual({ disconnect: true });
    expect(toPrismaData(dataModel, Book, bookFields, cleared, "create")).not.toHaveProperty("editor");
  });

  it("leaves out omitted values and disabled fields", () => {
    const { status: _status, ...withoutStatus } = values;
    const fields = formFieldsFor(dataModel, Book, { disabled: ["title", "genres", "author"] });
    const data = toPrismaData(dataModel, Book, fields, withoutStatus, "update");
    for (const name of ["status", "title", "genres", "author", "authorId"]) expect(data).not.toHaveProperty(name);
    expect(data.pages).toBe(412);
  });

  it("writes the other side of a many-to-many relation too", () => {
    const fields = formFieldsFor(dataModel, Genre);
    expect(toPrismaData(dataModel, Genre, fields, { name: "SF", description: null, books: [7] }, "update")).toEqual({
      name: "SF",
      description: null,
      books: { set: [{ id: 7 }] },
    });
  });

  it("turns a parsed submission into create data end to end", () => {
    const parsed = parseForm(bookFields, {
      title: "Emma", isbn: "1", pages: "300", price: "5", bestseller: ["false"], status: "", authorId: "1", editorId: "", genres: ["2", "2"],
    });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(toPrismaData(dataModel, Book, bookFields, parsed.values, "create")).toEqual({
      title: "Emma",
      isbn: "1",
      pages: 300,
      price: "5",
      publishedDate: null,
      bestseller: false,
      author: { connect: { id: 1 } },
      genres: { connect: [{ id: 2 }] },
      description: null,
    });
  });

  it("refuses fields the model does not have", () => {
    const stray = [{ name: "subtitle", label: "Subtitle", widget: "text" as const, required: false, nullable: true, disabled: false, domain: { kind: "text" as const, maxLength: 10 } }];
    expect(() => toPrismaData(dataModel, Book, stray, { subtitle: "x" }, "create")).toThrow('Book has no field "subtitle".');
  });
});
