/**
 * Delete blockers against the real Postgres: the rows a restricting foreign key ties to the records
 * about to be deleted, counted set-based, with the most-referred-to records named, and the messages
 * built from them (single and bulk delete use the same ones).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataModel } from "../../src/generated/powercrud";
import { modelOf } from "../../src/model/relations";
import { deleteBlockers, describeBlockers, describeBulkBlockers, type Blocker } from "../../src/web/delete-blockers";
import { insertAuthor, insertBook } from "../support/bulk-fixture";
import { connect } from "../support/database";

const db = connect();
const Author = modelOf(dataModel, "Author");
const authors: Record<string, number> = {};

beforeAll(async () => {
  // Book counts per author: the names and the order the messages must show.
  const books: Array<[string, number]> = [["Blocker Five", 5], ["Blocker Three", 3], ["Blocker Two A", 2], ["Blocker Two B", 2], ["Blocker One", 1], ["Blocker None", 0]];
  for (const [name, count] of books) {
    authors[name] = await insertAuthor(db, name);
    for (let i = 0; i < count; i++) await insertBook(db, { title: `${name} book ${i}`, authorId: authors[name] });
  }
  // Editing a book does not block (onDelete: SetNull): it must not be counted.
  await insertBook(db, { title: "Edited only", authorId: authors["Blocker Five"]!, editorId: authors["Blocker None"]! });
});

afterAll(async () => {
  const ids = Object.values(authors);
  await db.pool.query(`DELETE FROM "Book" WHERE "authorId" = ANY($1::int[]) OR "editorId" = ANY($1::int[])`, [ids]);
  await db.pool.query(`DELETE FROM "Author" WHERE id = ANY($1::int[])`, [ids]);
  await db.close();
});

const ids = (...names: string[]) => names.map((name) => authors[name]!);

describe("deleteBlockers", () => {
  it("counts the restricting rows and names the most-referred-to records first, at most three", async () => {
    const blockers = await deleteBlockers(db.pool, dataModel, Author, ids("Blocker One", "Blocker Two B", "Blocker Five", "Blocker Three", "Blocker Two A", "Blocker None"), "name");
    expect(blockers).toHaveLength(1);
    const [books] = blockers as [Blocker];
    expect(books).toMatchObject({ model: "Book", relation: "author", records: 14, owners: 5 });
    expect(books.named).toEqual([
      { id: String(authors["Blocker Five"]), name: "Blocker Five", records: 6 },
      { id: String(authors["Blocker Three"]), name: "Blocker Three", records: 3 },
      { id: String(authors["Blocker Two A"]), name: "Blocker Two A", records: 2 },
    ]);
  });

  it("finds nothing for records that are only referred to by a SET NULL relation, or not at all", async () => {
    expect(await deleteBlockers(db.pool, dataModel, Author, ids("Blocker None"), "name")).toEqual([]);
    expect(await deleteBlockers(db.pool, dataModel, Author, [], "name")).toEqual([]);
  });

  it("falls back to the id as the name without a display field", async () => {
    const [books] = await deleteBlockers(db.pool, dataModel, Author, ids("Blocker One"));
    expect(books!.named).toEqual([{ id: String(authors["Blocker One"]), name: String(authors["Blocker One"]), records: 1 }]);
  });
});

describe("the messages", () => {
  it("bulk: names the first few with their counts, says how many more, and reads as English", async () => {
    const many = await deleteBlockers(db.pool, dataModel, Author, ids("Blocker One", "Blocker Two B", "Blocker Five", "Blocker Three", "Blocker Two A"), "name");
    expect(describeBulkBlockers(many, "Authors")).toBe(
      "Nothing can be deleted while 5 of the selected authors are still the author of 14 books: " +
        "Blocker Five (6 books), Blocker Three (3 books), Blocker Two A (2 books) and 2 more. " +
        "Reassign or delete those books first, or unselect those authors.",
    );
    const one = await deleteBlockers(db.pool, dataModel, Author, ids("Blocker One", "Blocker None"), "name");
    expect(describeBulkBlockers(one, "Authors")).toBe(
      "Nothing can be deleted while 1 of the selected authors is still the author of 1 book: Blocker One (1 book). " +
        "Reassign or delete those books first, or unselect those authors.",
    );
  });

  it("one record: what it still is, for each relation", () => {
    const blocker = (model: string, relation: string, records: number): Blocker => ({ model, relation, records, owners: 1, named: [] });
    expect(describeBlockers([blocker("Book", "author", 17)], "Ada Berg")).toBe("Ada Berg can't be deleted: it is still the author of 17 books. Reassign or delete those books first.");
    expect(describeBlockers([blocker("Book", "author", 1), blocker("Book", "translator", 2), blocker("BookReview", "reviewer", 3)], "Ada Berg")).toBe(
      "Ada Berg can't be deleted: it is still the author of 1 book, the translator of 2 books and the reviewer of 3 book reviews. " +
        "Reassign or delete those books and book reviews first.",
    );
  });
});

describe("links to the blocking records", () => {
  it("link to the referencing list, filtered to the named records when it offers that filter, once that list is mounted", async () => {
    const { bareApp } = await import("../support/bare-app");
    const { TestClient } = await import("../support/test-client");
    const { app } = bareApp(db, (app, crud) => {
      app.use("/catalogue", crud.resource({ model: "Book", list: { fields: ["title"], filters: ["author"] } }));
      app.use("/people", crud.resource({ model: "Author", list: { fields: ["name"] } }));
    });
    const server = await TestClient.start(app);
    try {
      const id = authors["Blocker Three"]!;
      const before = await server.get(`/people/${id}/delete`, { "x-test-role": "admin" });
      expect(before.status).toBe(200);
      // The books list has not been visited, so its mount path is not known yet: no link.
      expect(before.text).not.toContain("/catalogue/");
      expect((await server.get("/catalogue/", { "x-test-role": "admin" })).status).toBe(200);
      const after = await server.get(`/people/${id}/delete`, { "x-test-role": "admin" });
      expect(after.text).toContain(`href="/catalogue/?author=${id}"`);
      expect(after.text).toContain("Show the books of Blocker Three");
      const refused = await server.post(`/people/${id}/delete`, {}, { "x-test-role": "admin" });
      expect(refused.status).toBe(409);
      expect(refused.text).toContain(`href="/catalogue/?author=${id}"`);
    } finally {
      await server.close();
    }
  });
});
