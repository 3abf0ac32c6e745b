/**
 * Honest confirmations: a delete's confirmation says what else it changes (cleared keys, removed
 * many-to-many links), counted against the real database, and a bulk delete names the records.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { seedCatalogue } from "../../src/demo/seed";
import { bareApp } from "../support/bare-app";
import { BAR, MODAL, count, insertAuthor, insertBook, textOf } from "../support/bulk-fixture";
import { connect } from "../support/database";
import { TestClient } from "../support/test-client";

const db = connect();
let server: TestClient;
const admin = { "x-test-role": "admin" };

beforeAll(async () => {
  await seedCatalogue(db.pool, { books: 60, authors: 4, genres: 3 });
  await db.pool.query(`DELETE FROM powercrud.selection`);
  const { app } = bareApp(db, (app, crud) => {
    app.use("/genres", crud.resource({ model: "Genre", list: { fields: ["name"] } }));
    app.use("/authors", crud.resource({ model: "Author", list: { fields: ["name"] } }));
  });
  server = await TestClient.start(app);
});

afterAll(async () => {
  await server.close();
  await db.close();
});

it("says which links a single delete removes and which keys it clears", async () => {
  const genre = (await db.pool.query<{ id: number; name: string }>(`SELECT id, name FROM "Genre" ORDER BY id LIMIT 1`)).rows[0]!;
  const linked = await count(db, `SELECT count(*) AS n FROM "_BookToGenre" WHERE "B" = $1`, [genre.id]);
  expect(linked).toBeGreaterThan(1);
  const page = await server.get(`/genres/${genre.id}/delete`, admin);
  expect(textOf(page.text)).toContain(`This also: removes the genre “${genre.name}” from ${linked} books`);

  const editor = await insertAuthor(db, "Only An Editor");
  for (let n = 0; n < 2; n++) await insertBook(db, { title: `Edited ${n}`, editorId: editor });
  const confirm = await server.get(`/authors/${editor}/delete`, admin);
  expect(textOf(confirm.text)).toContain("This also: clears the editor of 2 books");
  const none = await insertAuthor(db, "Nobody's Author");
  expect(textOf((await server.get(`/authors/${none}/delete`, admin)).text)).not.toContain("This also");
});

it("names the first ten records of a bulk delete, and how many more, with what else it changes", async () => {
  for (let n = 0; n < 12; n++) await insertAuthor(db, `Spare ${String(n).padStart(2, "0")}`);
  const browser = server.fork();
  await browser.get("/authors/", admin);
  const spare = await count(db, `SELECT count(*) AS n FROM "Author" WHERE name LIKE 'Spare %'`);
  expect(spare).toBe(12);
  const ids = (await db.pool.query<{ id: number }>(`SELECT id FROM "Author" WHERE name LIKE 'Spare %' ORDER BY id`)).rows.map((row) => row.id);
  await browser.post("/authors/_selection", { op: "rows", ids: ids.join(","), selected: "1" }, { ...admin, ...BAR, "HX-Current-URL": "http://127.0.0.1/authors/" });
  const form = await browser.get("/authors/_bulk/delete", { ...admin, ...MODAL });
  expect(form.status).toBe(200);
  const named = /data-testid="pc-bulk-named">([^<]*)</.exec(form.text)![1]!;
  expect(named).toBe(`${Array.from({ length: 10 }, (_, n) => `Spare ${String(n).padStart(2, "0")}`).join(", ")}, and 2 more.`);
  expect(form.text).not.toContain("pc-delete-effects");
});
