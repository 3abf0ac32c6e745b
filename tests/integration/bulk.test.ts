/**
 * Bulk edit and bulk delete of a server-side selection (GET /_bulk/edit, POST /_bulk/preview, /_bulk/form,
 * /_bulk/apply, GET and POST /_bulk/delete) in a bare app against the real Postgres. Every change is checked
 * with SQL of its own against a snapshot of the whole Book table: exactly the selected rows change, in
 * exactly the chosen fields, and nothing else moves.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { connect } from "../support/database";
import {
  BAR,
  MODAL,
  VETO_REASON,
  barSize,
  count,
  dbNow,
  expectOnlyChanged,
  expectUnchanged,
  fieldError,
  hxTrigger,
  ids,
  insertAuthor,
  insertBook,
  openBrowser,
  pickBooks,
  selectAll,
  selectRows,
  snapshot,
  useFixture,
  storedSelection,
  summaryOf,
  textOf,
  tokenOf,
  type BookState,
  type Browser,
} from "../support/bulk-fixture";
import { unescapeHtml } from "../support/bare-app";

const db = connect();
// Requests that end in an unexpected (500) error fail the test, unless a test took them out itself.
const fx = useFixture(db);

// ------------------------------------------------------------------ helpers

type Form = Record<string, string | string[]>;

/** Opens the bulk edit form for the current selection (as the modal does) and returns its token. */
async function openEdit(browser: Browser, count: number, base = "/books"): Promise<string> {
  const response = await browser.get(`${base}/_bulk/edit`, MODAL);
  expect(response.status, textOf(response.text).slice(0, 300)).toBe(200);
  expect(textOf(response.text)).toContain(`Edit ${count.toLocaleString("en")} ${count === 1 ? "book" : "books"}`);
  return tokenOf(response.text);
}

/** The hidden fields of the preview's confirm form: what "Apply changes" posts. */
function replayOf(html: string): Form {
  const form: Form = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    const name = unescapeHtml(match[1]!);
    if (name === "_csrf") continue;
    const value = unescapeHtml(match[2]!);
    const current = form[name];
    form[name] = current === undefined ? value : [current].flat().concat(value);
  }
  return form;
}

/** Preview, then apply through the preview's own form: what a user clicking through does. */
async function previewAndApply(browser: Browser, token: string, changes: Form, options: { htmx?: boolean; base?: string; returnTo?: string } = {}) {
  const base = options.base ?? "/books";
  const preview = await browser.post(`${base}/_bulk/preview`, { selection: token, _return: options.returnTo ?? `${base}/`, ...changes }, MODAL);
  expect(preview.status, textOf(preview.text).slice(0, 500)).toBe(200);
  const replay = replayOf(preview.text);
  expect(replay.selection).toBe(token);
  const apply = await browser.post(`${base}/_bulk/apply`, replay, options.htmx ? MODAL : {});
  return { preview, summary: summaryOf(preview.text), apply, replay };
}

async function authorName(id: number): Promise<string> {
  return (await db.pool.query<{ name: string }>(`SELECT name FROM "Author" WHERE id = $1`, [id])).rows[0]!.name;
}

async function genreNames(genreIds: number[]): Promise<string> {
  const { rows } = await db.pool.query<{ name: string }>(`SELECT name FROM "Genre" WHERE id = ANY($1::int[]) ORDER BY name`, [genreIds]);
  return rows.map((row) => row.name).join(", ");
}

async function selectionStillThere(browser: Browser, size: number) {
  expect(await storedSelection(db, browser)).toMatchObject({ size });
}

// ------------------------------------------------------------------ every field type

describe("bulk edit: each field type changes exactly the selected rows", () => {
  const cases: Array<[string, string, Form, (old: BookState) => Partial<BookState>, () => Promise<string>]> = [
    ["a boolean", "NOT bestseller", { _change: "bestseller", bestseller: "true" }, () => ({ bestseller: true }), async () => "Set Bestseller to Yes"],
    ["an enum", `status <> 'OUT_OF_PRINT'`, { _change: "status", status: "OUT_OF_PRINT" }, () => ({ status: "OUT_OF_PRINT" }), async () => "Set Status to Out of print"],
    ["a required relation", `"authorId" <> 3`, { _change: "authorId", authorId: "3" }, () => ({ authorId: 3 }), async () => `Set Author to ${await authorName(3)}`],
    ["a nullable relation", `"editorId" IS DISTINCT FROM 5`, { _change: "editorId", editorId: "5" }, () => ({ editorId: 5 }), async () => `Set Editor to ${await authorName(5)}`],
    ["a nullable relation set to none", `"editorId" IS NOT NULL`, { _change: "editorId", editorId: "" }, () => ({ editorId: null }), async () => "Set Editor to none"],
    ["a decimal", "price <> 42.5", { _change: "price", price: "42.5" }, () => ({ price: "42.50" }), async () => "Set Price to 42.5"],
    ["an integer", "pages <> 777", { _change: "pages", pages: "777" }, () => ({ pages: 777 }), async () => "Set Pages to 777"],
    [
      "a date",
      `"publishedDate" IS DISTINCT FROM date '2023-02-28'`,
      { _change: "publishedDate", publishedDate: "2023-02-28" },
      () => ({ publishedDate: "2023-02-28" }),
      async () => "Set Published date to 2023-02-28",
    ],
    ["a nullable date set to empty", `"publishedDate" IS NOT NULL`, { _change: "publishedDate", publishedDate: "" }, () => ({ publishedDate: null }), async () => "Set Published date to empty"],
    ["a text", `title <> 'Bulk Edited Title'`, { _change: "title", title: "  Bulk Edited Title " }, () => ({ title: "Bulk Edited Title" }), async () => "Set Title to Bulk Edited Title"],
    ["a nullable text set to empty", "description IS NOT NULL", { _change: "description", description: "" }, () => ({ description: null }), async () => "Set Description to empty"],
  ];

  it.each(cases)("%s", async (_case, where, changes, change, summary) => {
    const browser = await openBrowser(fx);
    const picked = await pickBooks(db, 12, where);
    await selectRows(browser, picked);
    const token = await openEdit(browser, 12);
    const before = await snapshot(db);
    const since = await dbNow(db);

    const { summary: said, apply, preview } = await previewAndApply(browser, token, changes, { returnTo: "/books/?status=DRAFT" });
    expect(said).toBe(`${await summary()} on 12 books.`);
    expect(textOf(preview.text)).toContain("either every record is updated or, if anything fails, none is");
    expect(apply.status, textOf(apply.text).slice(0, 300)).toBe(303);
    expect(apply.headers.get("location")).toBe("/books/?status=DRAFT");

    expectOnlyChanged(before, await snapshot(db), picked, change, since);
    // The selection is used up.
    expect(await storedSelection(db, browser)).toBeUndefined();
    const list = await browser.get("/books/?status=DRAFT");
    expect(textOf(list.text)).toContain("Updated 12 books.");
    expect(barSize(list.text)).toBe(0);
  });

  it("previewing writes nothing", async () => {
    const browser = await openBrowser(fx);
    await selectRows(browser, await pickBooks(db, 5));
    const token = await openEdit(browser, 5);
    const before = await snapshot(db);
    const preview = await browser.post("/books/_bulk/preview", { selection: token, _change: ["pages", "genres"], pages: "1", genres: "1", "genres._mode": "replace" }, MODAL);
    expect(preview.status).toBe(200);
    // The summary follows the order of bulkFields (genres before pages).
    expect(summaryOf(preview.text)).toBe(`Replace Genres with ${await genreNames([1])} and set Pages to 1 on 5 books.`);
    expectUnchanged(before, await snapshot(db));
    await selectionStillThere(browser, 5);
  });

  it("changes several fields at once, and an htmx apply answers 200 with HX-Trigger pc:saved", async () => {
    const browser = await openBrowser(fx);
    const picked = await pickBooks(db, 12, `status <> 'PUBLISHED'`);
    await selectRows(browser, picked);
    const token = await openEdit(browser, 12);
    const before = await snapshot(db);
    const since = await dbNow(db);
    const changes = { _change: ["status", "pages", "editorId", "genres"], status: "PUBLISHED", pages: "150", editorId: "2", genres: ["4", "6"], "genres._mode": "add" };
    const { summary, apply } = await previewAndApply(browser, token, changes, { htmx: true });
    // The summary follows the order of bulkFields: status, editor, genres, pages.
    expect(summary).toBe(`Set Status to Published, set Editor to ${await authorName(2)}, add Genres ${await genreNames([4, 6])} and set Pages to 150 on 12 books.`);
    expect(apply.status).toBe(200);
    expect(apply.text).toBe("");
    expect(apply.headers.get("location")).toBeNull();
    expect(hxTrigger(apply.headers)["pc:saved"]).toEqual({ message: expect.stringMatching(/^Updated 12 books\. Revert bulk task #\d+ to undo it\.$/) });
    expect(apply.headers.get("hx-reswap")).toBe("none");
    expectOnlyChanged(before, await snapshot(db), picked, (old) => ({
      status: "PUBLISHED",
      pages: 150,
      editorId: 2,
      genres: [...new Set([...old.genres, 4, 6])].sort((a, b) => a - b),
    }), since);
    expect(await storedSelection(db, browser)).toBeUndefined();
  });

  it("carries markup-like text through the preview's form unchanged, and escaped", async () => {
    const browser = await openBrowser(fx);
    const picked = await pickBooks(db, 2);
    await selectRows(browser, picked);
    const token = await openEdit(browser, 2);
    const before = await snapshot(db);
    const since = await dbNow(db);
    const title = `<b onclick="x">Tom & Jerry's</b> "quoted" — ✓`;
    const { preview, apply } = await previewAndApply(browser, token, { _change: "title", title });
    expect(preview.text).not.toContain("<b onclick");
    expect(summaryOf(preview.text)).toBe(`Set Title to ${title} on 2 books.`);
    expect(apply.status).toBe(303);
    expectOnlyChanged(before, await snapshot(db), picked, () => ({ title }), since);
  });

  it("'Back' shows the form again as it was filled in, and writes nothing", async () => {
    const browser = await openBrowser(fx);
    await selectRows(browser, await pickBooks(db, 3));
    const token = await openEdit(browser, 3);
    const before = await snapshot(db);
    const preview = await browser.post("/books/_bulk/preview", { selection: token, _change: ["pages", "genres"], pages: "612", genres: ["2", "3"], "genres._mode": "replace" }, MODAL);
    expect(preview.status).toBe(200);
    const back = await browser.post("/books/_bulk/form", replayOf(preview.text), MODAL);
    expect(back.status).toBe(200);
    expect(textOf(back.text)).toContain("Edit 3 books");
    expect(tokenOf(back.text)).toBe(token);
    expect(back.text).toMatch(/name="_change" value="pages" data-pc-bulk-toggle checked>/);
    expect(back.text).toMatch(/name="_change" value="genres" data-pc-bulk-toggle checked>/);
    expect(back.text).toMatch(/name="_change" value="status" data-pc-bulk-toggle>/);
    expect(back.text).toMatch(/<input type="number"[^>]*value="612"[^>]*name="pages"/);
    expect(back.text).toMatch(/name="genres\._mode" value="replace" aria-label="Replace with" checked>/);
    expect(back.text).toMatch(/<option value="2" selected>/);
    expect(back.text).toMatch(/<option value="3" selected>/);
    expectUnchanged(before, await snapshot(db));
  });

  it("posting the applied form again answers with the task it was recorded as, and changes nothing more", async () => {
    const browser = await openBrowser(fx);
    const picked = await pickBooks(db, 4);
    await selectRows(browser, picked);
    const token = await openEdit(browser, 4);
    const { apply, replay } = await previewAndApply(browser, token, { _change: "pages", pages: "401" });
    expect(apply.status).toBe(303);
    const taskId = Number(/Revert bulk task #(\d+)/.exec(textOf((await browser.get(apply.headers.get("location")!)).text))![1]);
    const after = await snapshot(db);
    const again = await browser.post("/books/_bulk/apply", replay);
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe(`/tasks/${taskId}`);
    expect(textOf((await browser.get("/books/")).text)).toContain("This bulk operation was already done.");
    expectUnchanged(after, await snapshot(db));
  });
});

// ------------------------------------------------------------------ many-to-many

describe("bulk edit: genres (many-to-many)", () => {
  const cases: Array<[string, string, number[], string, (old: number[]) => number[]]> = [
    ["adds genres, keeping the others", "add", [2, 5], `EXISTS (SELECT 1 FROM "_BookToGenre" WHERE "A" = b.id AND "B" NOT IN (2, 5))`, (old) => [...new Set([...old, 2, 5])]],
    ["removes genres, keeping the others", "remove", [1, 2], `EXISTS (SELECT 1 FROM "_BookToGenre" WHERE "A" = b.id AND "B" IN (1, 2))`, (old) => old.filter((id) => id !== 1 && id !== 2)],
    ["replaces the genres", "replace", [3, 6], `EXISTS (SELECT 1 FROM "_BookToGenre" WHERE "A" = b.id AND "B" NOT IN (3, 6))`, () => [3, 6]],
    ["replaces the genres with nothing", "replace", [], `EXISTS (SELECT 1 FROM "_BookToGenre" WHERE "A" = b.id)`, () => []],
  ];

  it.each(cases)("%s", async (_case, mode, genres, where, expected) => {
    const browser = await openBrowser(fx);
    const picked = await pickBooks(db, 12, where);
    await selectRows(browser, picked);
    const token = await openEdit(browser, 12);
    const before = await snapshot(db);
    const since = await dbNow(db);
    const links = await count(db, `SELECT count(*) AS n FROM "_BookToGenre" WHERE "A" <> ALL($1::int[])`, [picked]);

    const changes: Form = { _change: "genres", "genres._mode": mode, ...(genres.length ? { genres: genres.map(String) } : {}) };
    const { summary, apply } = await previewAndApply(browser, token, changes);
    const names = genres.length ? await genreNames(genres) : "nothing";
    const verb = { add: "Add Genres", remove: "Remove Genres", replace: "Replace Genres with" }[mode];
    expect(summary).toBe(`${verb} ${names} on 12 books.`);
    expect(apply.status).toBe(303);

    expectOnlyChanged(before, await snapshot(db), picked, (old) => ({ genres: expected(old.genres).sort((a, b) => a - b) }), since);
    expect(await count(db, `SELECT count(*) AS n FROM "_BookToGenre" WHERE "A" <> ALL($1::int[])`, [picked])).toBe(links);
  });
});

// ------------------------------------------------------------------ "all matching" and stale selections

describe("bulk edit of 'all matching' and of stale selections", () => {
  it("touches exactly the filter's matches minus the unticked rows", async () => {
    const browser = await openBrowser(fx);
    await selectAll(browser, "status=DRAFT&bestseller=no&sort=title");
    const unticked = await pickBooks(db, 4, `status = 'DRAFT' AND NOT bestseller`);
    await selectRows(browser, unticked, false);
    const expected = await ids(db, `SELECT id FROM "Book" WHERE status = 'DRAFT' AND NOT bestseller AND id <> ALL($1::int[]) ORDER BY id`, [unticked]);
    expect(expected.length).toBeGreaterThan(40);
    const token = await openEdit(browser, expected.length);
    const before = await snapshot(db);
    const since = await dbNow(db);

    const { summary, apply } = await previewAndApply(browser, token, { _change: ["pages", "genres"], pages: "4321", genres: "6", "genres._mode": "add" });
    expect(summary).toBe(`Add Genres ${await genreNames([6])} and set Pages to 4321 on ${expected.length} books.`);
    expect(apply.status).toBe(303);
    expectOnlyChanged(before, await snapshot(db), expected, (old) => ({ pages: 4321, genres: [...new Set([...old.genres, 6])].sort((a, b) => a - b) }), since);
    for (const id of unticked) expect((await snapshot(db)).get(id)!.pages).not.toBe(4321);
  });

  it("skips rows deleted after they were selected, and the counts say so", async () => {
    const browser = await openBrowser(fx);
    const mine: number[] = [];
    for (let i = 0; i < 12; i++) mine.push(await insertBook(db, { title: `Stale candidate ${i}`, genres: [1] }));
    await selectRows(browser, mine);
    await openEdit(browser, 12);
    const gone = [mine[3]!, mine[8]!];
    await db.pool.query(`DELETE FROM "Book" WHERE id = ANY($1::int[])`, [gone]);
    const left = mine.filter((id) => !gone.includes(id));

    const token = await openEdit(browser, 10);
    const before = await snapshot(db);
    const since = await dbNow(db);
    const { summary, apply } = await previewAndApply(browser, token, { _change: "bestseller", bestseller: "true" });
    expect(summary).toBe("Set Bestseller to Yes on 10 books.");
    expect(apply.status).toBe(303);
    expectOnlyChanged(before, await snapshot(db), left, () => ({ bestseller: true }), since);
    expect(textOf((await browser.get("/books/")).text)).toContain("Updated 10 books.");
  });

  it("the selection bar counts only selected rows that still exist", async () => {
    const browser = await openBrowser(fx);
    const mine: number[] = [];
    for (let i = 0; i < 5; i++) mine.push(await insertBook(db, { title: `Counted ${i}` }));
    await selectRows(browser, mine);
    // One is deleted by someone else; one through this very list's own delete button.
    await db.pool.query(`DELETE FROM "Book" WHERE id = $1`, [mine[0]]);
    expect((await browser.post(`/books/${mine[1]}/delete`, {})).status).toBe(303);
    expect(await openEdit(browser, 3)).toBeTruthy();
    const list = await browser.get("/books/");
    expect(barSize(list.text)).toBe(3);
  });

  it("answers 422 when every selected row has been deleted, and writes nothing", async () => {
    const browser = await openBrowser(fx);
    const mine = [await insertBook(db, { title: "Doomed A" }), await insertBook(db, { title: "Doomed B" })];
    await selectRows(browser, mine);
    const token = await openEdit(browser, 2);
    await db.pool.query(`DELETE FROM "Book" WHERE id = ANY($1::int[])`, [mine]);
    const before = await snapshot(db);
    const message = "None of the selected books exist any more. Select some again.";
    for (const response of [
      await browser.get("/books/_bulk/edit", MODAL),
      await browser.post("/books/_bulk/preview", { selection: token, _change: "pages", pages: "5" }, MODAL),
      await browser.post("/books/_bulk/apply", { selection: token, _change: "pages", pages: "5" }),
      await browser.get("/books/_bulk/delete", MODAL),
      await browser.post("/books/_bulk/delete", { selection: token, confirm: "yes" }),
    ]) {
      expect(response.status).toBe(422);
      expect(textOf(response.text)).toContain(message);
    }
    expectUnchanged(before, await snapshot(db));
  });
});

// ------------------------------------------------------------------ atomicity

describe("atomicity", () => {
  const VETOED = "Vetoed Volume";

  it("a veto refusing one record changes nothing at all, and the answer names the record", async () => {
    const browser = await openBrowser(fx);
    const picked = await pickBooks(db, 12, "NOT bestseller");
    await db.pool.query(`UPDATE "Book" SET title = $2 WHERE id = $1`, [picked[7], VETOED]);
    fx.vetoed.add(VETOED);
    try {
      await selectRows(browser, picked);
      const token = await openEdit(browser, 12);
      const before = await snapshot(db);
      for (const headers of [{}, MODAL]) {
        const apply = await browser.post("/books/_bulk/apply", { selection: token, _change: ["bestseller", "genres"], bestseller: "true", genres: "3", "genres._mode": "add" }, headers);
        expect(apply.status).toBe(422);
        expect(textOf(apply.text)).toContain(`Nothing was changed, because some records may not be: ${VETOED}: ${VETO_REASON}.`);
      }
      expectUnchanged(before, await snapshot(db));
      // The selection is kept, so the refused record can be unticked and the edit tried again.
      await selectionStillThere(browser, 12);

      const remove = await browser.post("/books/_bulk/delete", { selection: token, confirm: "yes" });
      expect(remove.status).toBe(422);
      expect(textOf(remove.text)).toContain(`${VETOED}: ${VETO_REASON}`);
      expectUnchanged(before, await snapshot(db));
    } finally {
      fx.vetoed.delete(VETOED);
    }
  });

  it("with one row per chunk, a veto of the last row still leaves every row unchanged", async () => {
    const browser = await openBrowser(fx, "admin", "/chunked-books");
    const picked = await pickBooks(db, 6, `pages <> 11`);
    const last = Math.max(...picked);
    await db.pool.query(`UPDATE "Book" SET title = $2 WHERE id = $1`, [last, `${VETOED} (last)`]);
    fx.vetoed.add(`${VETOED} (last)`);
    try {
      await selectRows(browser, picked, true, "/chunked-books");
      const token = await openEdit(browser, 6, "/chunked-books");
      const before = await snapshot(db);
      const apply = await browser.post("/chunked-books/_bulk/apply", { selection: token, _change: ["pages", "genres"], pages: "11", genres: "5", "genres._mode": "add" });
      expect(apply.status).toBe(422);
      expect(textOf(apply.text)).toContain(`${VETOED} (last): ${VETO_REASON}`);
      expectUnchanged(before, await snapshot(db));
    } finally {
      fx.vetoed.delete(`${VETOED} (last)`);
    }
  });

  async function failOn(id: number, operation: "UPDATE" | "DELETE", work: () => Promise<void>) {
    await db.pool.query(`CREATE OR REPLACE FUNCTION pc_test_fail_on_book() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.id = ${Number(id)} THEN RAISE EXCEPTION 'pc test: refusing book %', OLD.id; END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END $$`);
    await db.pool.query(`CREATE TRIGGER pc_test_fail BEFORE ${operation} ON "Book" FOR EACH ROW EXECUTE FUNCTION pc_test_fail_on_book()`);
    try {
      await work();
    } finally {
      await db.pool.query(`DROP TRIGGER IF EXISTS pc_test_fail ON "Book"`);
      await db.pool.query(`DROP FUNCTION IF EXISTS pc_test_fail_on_book()`);
    }
  }

  it("a database failure in the last chunk rolls back every earlier chunk, genre links included", async () => {
    const browser = await openBrowser(fx, "admin", "/chunked-books");
    const picked = await pickBooks(db, 6, `pages <> 12 AND NOT EXISTS (SELECT 1 FROM "_BookToGenre" WHERE "A" = b.id AND "B" = 4)`);
    await selectRows(browser, picked, true, "/chunked-books");
    const token = await openEdit(browser, 6, "/chunked-books");
    const before = await snapshot(db);
    // Chunks run in id order: the largest id is the last chunk.
    await failOn(Math.max(...picked), "UPDATE", async () => {
      const apply = await browser.post("/chunked-books/_bulk/apply", { selection: token, _change: ["pages", "genres"], pages: "12", genres: "4", "genres._mode": "add" });
      expect(apply.status).toBe(500);
      expect(textOf(apply.text)).toContain("An unexpected error stopped this request.");
    });
    const errors = fx.logged.splice(0);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain("pc test: refusing book");
    expectUnchanged(before, await snapshot(db));
  });

  it("a bulk delete failing in its last chunk deletes nothing", async () => {
    const browser = await openBrowser(fx, "admin", "/chunked-books");
    const mine: number[] = [];
    for (let i = 0; i < 4; i++) mine.push(await insertBook(db, { title: `Half-deleted ${i}`, genres: [2] }));
    await selectRows(browser, mine, true, "/chunked-books");
    const before = await snapshot(db);
    await failOn(Math.max(...mine), "DELETE", async () => {
      const response = await browser.post("/chunked-books/_bulk/delete", { selection: (await storedSelection(db, browser, "/chunked-books"))!.token, confirm: "yes" });
      expect(response.status).toBe(500);
    });
    expect(fx.logged.splice(0)).toHaveLength(1);
    expectUnchanged(before, await snapshot(db));
  });
});

// ------------------------------------------------------------------ bulk delete

describe("bulk delete", () => {
  async function insertBooks(n: number, title: string): Promise<number[]> {
    const mine: number[] = [];
    for (let i = 0; i < n; i++) mine.push(await insertBook(db, { title: `${title} ${i}`, genres: [1 + (i % 6), 1 + ((i + 2) % 6)] }));
    return mine;
  }

  it("asks for confirmation: without confirm=yes it answers 422 and deletes nothing", async () => {
    const browser = await openBrowser(fx);
    const mine = await insertBooks(5, "To be deleted");
    await selectRows(browser, mine);
    const page = await browser.get("/books/_bulk/delete", MODAL);
    expect(page.status).toBe(200);
    expect(textOf(page.text)).toContain("Delete 5 books?");
    expect(textOf(page.text)).toContain("I understand that 5 books will be deleted for good.");
    const token = tokenOf(page.text);
    const before = await snapshot(db);
    const forms: Form[] = [{ selection: token }, { selection: token, confirm: "no" }, { selection: token, confirm: ["no", "yes"] }, { selection: token, confirm: "YES" }];
    for (const form of forms) {
      const response = await browser.post("/books/_bulk/delete", form);
      expect(response.status, JSON.stringify(form)).toBe(422);
      expect(textOf(response.text)).toContain("Tick the confirmation to delete the selected records.");
    }
    expectUnchanged(before, await snapshot(db));
    await selectionStillThere(browser, 5);
  });

  it("deletes exactly the selection and its genre links, redirects with a flash, and clears the selection", async () => {
    const browser = await openBrowser(fx);
    const mine = await insertBooks(5, "Deleted for real");
    await selectRows(browser, mine);
    const token = tokenOf((await browser.get("/books/_bulk/delete", MODAL)).text);
    const before = await snapshot(db);
    const response = await browser.post("/books/_bulk/delete", { selection: token, confirm: "yes", _return: "/books/?page=2" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/books/?page=2");
    const after = await snapshot(db);
    const expected = new Map([...before].filter(([id]) => !mine.includes(id)));
    expect(after).toEqual(expected);
    expect(await count(db, `SELECT count(*) AS n FROM "_BookToGenre" WHERE "A" = ANY($1::int[])`, [mine])).toBe(0);
    expect(await storedSelection(db, browser)).toBeUndefined();
    expect(textOf((await browser.get("/books/?page=2")).text)).toContain("Deleted 5 books.");
  });

  it("answers an htmx delete with 200 and HX-Trigger pc:saved", async () => {
    const browser = await openBrowser(fx);
    const mine = await insertBooks(2, "Deleted by htmx");
    await selectRows(browser, mine);
    const token = tokenOf((await browser.get("/books/_bulk/delete", MODAL)).text);
    const before = await snapshot(db);
    const response = await browser.post("/books/_bulk/delete", { selection: token, confirm: "yes" }, MODAL);
    expect(response.status).toBe(200);
    expect(hxTrigger(response.headers)["pc:saved"]).toEqual({ message: "Deleted 2 books." });
    expect(await snapshot(db)).toEqual(new Map([...before].filter(([id]) => !mine.includes(id))));
  });

  it("deletes an 'all matching' selection minus its unticked rows", async () => {
    const browser = await openBrowser(fx);
    const mine = await insertBooks(6, "Zyzzyva purge");
    await selectAll(browser, "q=zyzzyva");
    await selectRows(browser, [mine[2]!], false);
    const page = await browser.get("/books/_bulk/delete", MODAL);
    expect(textOf(page.text)).toContain("Delete 5 books?");
    const before = await snapshot(db);
    const response = await browser.post("/books/_bulk/delete", { selection: tokenOf(page.text), confirm: "yes" });
    expect(response.status).toBe(303);
    expect(await snapshot(db)).toEqual(new Map([...before].filter(([id]) => !mine.includes(id) || id === mine[2])));
  });

  it("refuses authors who still write books with 409 and an explanation, and deletes nothing", async () => {
    const browser = await openBrowser(fx, "admin", "/authors");
    const writers = [await insertAuthor(db, "Writer With Two"), await insertAuthor(db, "Writer With One")];
    const idle = await insertAuthor(db, "Writer With None");
    await insertBook(db, { title: "By writer 1", authorId: writers[0] });
    await insertBook(db, { title: "By writer 1 again", authorId: writers[0] });
    await insertBook(db, { title: "By writer 2", authorId: writers[1] });
    await selectRows(browser, [...writers, idle], true, "/authors");
    const explanation = "Nothing can be deleted while 2 of the selected authors are still the author of 3 books: " +
      "Writer With Two (2 books) and Writer With One (1 book). Reassign or delete those books first, or unselect those authors.";

    const page = await browser.get("/authors/_bulk/delete", MODAL);
    expect(page.status).toBe(200);
    expect(textOf(page.text)).toContain(explanation);
    expect(page.text).not.toContain('name="confirm"');

    const authors = await count(db, `SELECT count(*) AS n FROM "Author"`);
    const books = await snapshot(db);
    const token = (await storedSelection(db, browser, "/authors"))!.token;
    for (const headers of [{}, MODAL]) {
      const response = await browser.post("/authors/_bulk/delete", { selection: token, confirm: "yes" }, headers);
      expect(response.status).toBe(409);
      expect(textOf(response.text)).toContain(explanation);
    }
    expect(await count(db, `SELECT count(*) AS n FROM "Author"`)).toBe(authors);
    expect(await count(db, `SELECT count(*) AS n FROM "Author" WHERE id = ANY($1::int[])`, [[...writers, idle]])).toBe(3);
    expectUnchanged(books, await snapshot(db));
  });

  it("deletes authors who only edit books; those books lose their editor and stay", async () => {
    const browser = await openBrowser(fx, "admin", "/authors");
    const editors = [await insertAuthor(db, "Editor Only A"), await insertAuthor(db, "Editor Only B")];
    const edited = [await insertBook(db, { title: "Edited by A", editorId: editors[0] }), await insertBook(db, { title: "Edited by B", editorId: editors[1] })];
    await selectRows(browser, editors, true, "/authors");
    const before = await snapshot(db);
    const response = await browser.post("/authors/_bulk/delete", { selection: (await storedSelection(db, browser, "/authors"))!.token, confirm: "yes" });
    expect(response.status).toBe(303);
    expect(await count(db, `SELECT count(*) AS n FROM "Author" WHERE id = ANY($1::int[])`, [editors])).toBe(0);
    const after = await snapshot(db);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const id of edited) expect(after.get(id)).toEqual({ ...before.get(id)!, editorId: null });
    for (const [id, row] of before) if (!edited.includes(id)) expect(after.get(id)).toEqual(row);
  });

  it("deleting genres removes their links to books, never the books", async () => {
    const browser = await openBrowser(fx, "admin", "/genres");
    const doomed: number[] = [];
    for (const name of ["Doomed genre A", "Doomed genre B"]) {
      doomed.push((await db.pool.query<{ id: number }>(`INSERT INTO "Genre" (name) VALUES ($1) RETURNING id`, [name])).rows[0]!.id);
    }
    const linked = await pickBooks(db, 6);
    for (const [index, book] of linked.entries()) {
      await db.pool.query(`INSERT INTO "_BookToGenre" ("A", "B") VALUES ($1, $2)`, [book, doomed[index % 2]]);
    }
    const books = await snapshot(db);
    const otherLinks = await count(db, `SELECT count(*) AS n FROM "_BookToGenre" WHERE "B" <> ALL($1::int[])`, [doomed]);
    await selectRows(browser, doomed, true, "/genres");
    const page = await browser.get("/genres/_bulk/delete", MODAL);
    expect(textOf(page.text)).toContain("Delete 2 genres?");
    const response = await browser.post("/genres/_bulk/delete", { selection: tokenOf(page.text), confirm: "yes" });
    expect(response.status).toBe(303);
    expect(await count(db, `SELECT count(*) AS n FROM "Genre" WHERE id = ANY($1::int[])`, [doomed])).toBe(0);
    expect(await count(db, `SELECT count(*) AS n FROM "_BookToGenre" WHERE "B" = ANY($1::int[])`, [doomed])).toBe(0);
    expect(await count(db, `SELECT count(*) AS n FROM "_BookToGenre" WHERE "B" <> ALL($1::int[])`, [doomed])).toBe(otherLinks);
    // Every book is still there, each with exactly its other genres.
    const after = await snapshot(db);
    expect([...after.keys()]).toEqual([...books.keys()]);
    for (const [id, row] of books) expect(after.get(id)).toEqual({ ...row, genres: row.genres.filter((genre) => !doomed.includes(genre)) });
  });
});

// ------------------------------------------------------------------ bad input

describe("refused bulk input", () => {
  let browser: Browser;
  let token: string;
  let picked: number[];

  beforeAll(async () => {
    browser = await openBrowser(fx);
    picked = await pickBooks(db, 12);
    await selectRows(browser, picked);
    token = await openEdit(browser, 12);
  });

  it.each<[string, Form, string, string]>([
    ["pages that are not a number", { _change: "pages", pages: "abc" }, "pages", "Enter a whole number."],
    ["pages out of the Int range", { _change: "pages", pages: "2147483648" }, "pages", "Enter a number between -2147483648 and 2147483647."],
    ["a price with three decimals", { _change: "price", price: "1.234" }, "price", "Enter a number with at most 2 decimal places."],
    ["a date that does not exist", { _change: "publishedDate", publishedDate: "2023-02-30" }, "publishedDate", "Enter a real date as YYYY-MM-DD."],
    ["an unknown status", { _change: "status", status: "BOGUS" }, "status", "Choose one of: Draft, Published, Out of print."],
    ["no status", { _change: "status", status: "" }, "status", "This field is required."],
    ["a non-numeric author", { _change: "authorId", authorId: "abc" }, "authorId", "Choose a valid option."],
    ["no author for a required relation", { _change: "authorId", authorId: "" }, "authorId", "This field is required."],
    ["a blank title", { _change: "title", title: "   " }, "title", "This field is required."],
    ["a non-numeric genre", { _change: "genres", genres: ["1", "x"], "genres._mode": "add" }, "genres", "Choose a valid option."],
    ["an unknown genre mode", { _change: "genres", genres: "1", "genres._mode": "merge" }, "genres", "Choose whether to add, remove or replace."],
    ["no genre to add", { _change: "genres", "genres._mode": "add" }, "genres", "Choose at least one genres to add."],
    ["a valid field next to a bad one", { _change: ["pages", "price"], pages: "10", price: "ten" }, "price", "Enter a number."],
  ])("refuses %s with 422 in the preview and at apply, and writes nothing", async (_case, changes, field, message) => {
    const before = await snapshot(db);
    for (const [path, headers] of [["/books/_bulk/preview", MODAL], ["/books/_bulk/apply", {}], ["/books/_bulk/apply", MODAL]] as const) {
      const response = await browser.post(path, { selection: token, ...changes }, headers);
      expect(response.status, path).toBe(422);
      expect(fieldError(response.text, field), path).toBe(message);
      expect(textOf(response.text)).toContain("Some values need attention.");
      // The form comes back, for the same selection.
      expect(tokenOf(response.text)).toBe(token);
    }
    expectUnchanged(before, await snapshot(db));
    await selectionStillThere(browser, 12);
  });

  it("refuses a yes/no value that is neither", async () => {
    const before = await snapshot(db);
    const response = await browser.post("/books/_bulk/apply", { selection: token, _change: "bestseller", bestseller: "maybe" });
    expect(response.status).toBe(422);
    expect(textOf(response.text)).toContain("Choose yes or no.");
    expectUnchanged(before, await snapshot(db));
  });

  it("refuses an author that does not exist with 422 on the author field, in the preview and at apply", async () => {
    const before = await snapshot(db);
    for (const [path, headers] of [["/books/_bulk/preview", MODAL], ["/books/_bulk/apply", {}]] as const) {
      const response = await browser.post(path, { selection: token, _change: "authorId", authorId: "999999" }, headers);
      expect(response.status, `${path}: ${textOf(response.text).slice(0, 300)}`).toBe(422);
      expect(fieldError(response.text, "authorId"), path).toMatch(/author/i);
    }
    expectUnchanged(before, await snapshot(db));
  });

  it("refuses a genre that does not exist with 422 on the genres field, in the preview and at apply", async () => {
    const before = await snapshot(db);
    for (const [path, headers] of [["/books/_bulk/preview", MODAL], ["/books/_bulk/apply", {}]] as const) {
      const response = await browser.post(path, { selection: token, _change: "genres", genres: ["1", "999999"], "genres._mode": "add" }, headers);
      expect(response.status, `${path}: ${textOf(response.text).slice(0, 300)}`).toBe(422);
      expect(fieldError(response.text, "genres"), path).toMatch(/genre/i);
    }
    expectUnchanged(before, await snapshot(db));
  });

  it("refuses a form with no field ticked", async () => {
    const before = await snapshot(db);
    const forms: Form[] = [{ pages: "5", status: "DRAFT" }, { _change: "", pages: "5" }];
    for (const form of forms) {
      for (const path of ["/books/_bulk/preview", "/books/_bulk/apply"]) {
        const response = await browser.post(path, { selection: token, ...form }, MODAL);
        expect(response.status, path).toBe(422);
        expect(textOf(response.text)).toContain("Tick at least one field to change.");
      }
    }
    expectUnchanged(before, await snapshot(db));
  });

  it("never writes a field outside bulkFields: alone it counts as nothing ticked, next to others it is ignored", async () => {
    const before = await snapshot(db);
    const forged: Form = { _change: ["isbn", "createdAt", "updatedAt", "id"], isbn: "9770000099999", createdAt: "2001-01-01", updatedAt: "2001-01-01", id: "5" };
    for (const path of ["/books/_bulk/preview", "/books/_bulk/apply"]) {
      const response = await browser.post(path, { selection: token, ...forged }, MODAL);
      expect(response.status, path).toBe(422);
      expect(textOf(response.text)).toContain("Tick at least one field to change.");
    }
    expectUnchanged(before, await snapshot(db));

    const since = await dbNow(db);
    const withPages: Form = { ...forged, _change: [...(forged._change as string[]), "pages"], pages: "333" };
    const preview = await browser.post("/books/_bulk/preview", { selection: token, ...withPages }, MODAL);
    expect(summaryOf(preview.text)).toBe("Set Pages to 333 on 12 books.");
    const apply = await browser.post("/books/_bulk/apply", { selection: token, ...withPages });
    expect(apply.status).toBe(303);
    expectOnlyChanged(before, await snapshot(db), picked, () => ({ pages: 333 }), since);
    expect(await count(db, `SELECT count(*) AS n FROM "Book" WHERE isbn = '9770000099999'`)).toBe(0);

    // The selection is used up; select again for the tests that follow.
    await selectRows(browser, picked);
    token = await openEdit(browser, 12);
  });

  it("answers 422 for the bulk screens when nothing is selected", async () => {
    const empty = await openBrowser(fx);
    for (const path of ["/books/_bulk/edit", "/books/_bulk/delete"]) {
      const response = await empty.get(path, MODAL);
      expect(response.status, path).toBe(422);
      expect(textOf(response.text)).toContain("Select at least one book first.");
      const page = await empty.get(path);
      expect(page.status, path).toBe(422);
    }
    // A selection that was emptied again is no better.
    const [id] = await pickBooks(db, 1);
    await selectRows(empty, [id!]);
    await selectRows(empty, [id!], false);
    expect((await empty.get("/books/_bulk/edit", MODAL)).status).toBe(422);
    expect((await empty.get("/books/_bulk/delete", MODAL)).status).toBe(422);
  });

  it.each([
    ["a token that was never issued", "AAAAAAAAAAAAAAAAAAAAAAAA"],
    ["a malformed token", "../../etc/passwd"],
    ["an empty token", ""],
  ])("refuses %s with 403 on every bulk post, and writes nothing", async (_case, forged) => {
    const before = await snapshot(db);
    for (const [path, form] of [
      ["/books/_bulk/preview", { _change: "pages", pages: "9" }],
      ["/books/_bulk/form", {}],
      ["/books/_bulk/apply", { _change: "pages", pages: "9" }],
      ["/books/_bulk/delete", { confirm: "yes" }],
    ] as const) {
      const response = await browser.post(path, { selection: forged, ...form }, MODAL);
      expect(response.status, path).toBe(403);
      expect(textOf(response.text)).toContain("This selection has expired or belongs to another session.");
    }
    const missing = await browser.post("/books/_bulk/apply", { _change: "pages", pages: "9" });
    expect(missing.status).toBe(403);
    expectUnchanged(before, await snapshot(db));
    await selectionStillThere(browser, 12);
  });

  it("refuses another session's token with 403, even for the same user, and leaves that selection alone", async () => {
    const intruder = await openBrowser(fx);
    await selectRows(intruder, await pickBooks(db, 1));
    const before = await snapshot(db);
    for (const [path, form] of [
      ["/books/_bulk/preview", { _change: "pages", pages: "9" }],
      ["/books/_bulk/form", {}],
      ["/books/_bulk/apply", { _change: "pages", pages: "9" }],
      ["/books/_bulk/delete", { confirm: "yes" }],
    ] as const) {
      const response = await intruder.post(path, { selection: token, ...form });
      expect(response.status, path).toBe(403);
    }
    // Nor does it work on another resource of the same model.
    const other = await browser.post("/other-books/_bulk/apply", { selection: token, _change: "pages", pages: "9" });
    expect(other.status).toBe(403);
    expectUnchanged(before, await snapshot(db));
    await selectionStillThere(browser, 12);
    expect(await storedSelection(db, intruder)).toMatchObject({ size: 1 });
  });

  it("refuses apply and delete without the CSRF token with 403, and writes nothing", async () => {
    const before = await snapshot(db);
    for (const [path, form] of [
      ["/books/_bulk/preview", { _change: "pages", pages: "9" }],
      ["/books/_bulk/apply", { _change: "pages", pages: "9" }],
      ["/books/_bulk/delete", { confirm: "yes" }],
    ] as const) {
      for (const headers of [{}, MODAL]) {
        const response = await browser.post(path, { _csrf: "", selection: token, ...form }, headers);
        expect(response.status, path).toBe(403);
        expect(textOf(response.text)).toContain("security token is missing or out of date");
      }
    }
    expectUnchanged(before, await snapshot(db));
    await selectionStillThere(browser, 12);
  });
});

// ------------------------------------------------------------------ permissions

describe("permissions", () => {
  it("a user without the bulk permission sees no checkboxes, no selection bar and no bulk buttons", async () => {
    const viewer = await openBrowser(fx, "viewer");
    const list = await viewer.get("/books/?page=2");
    expect(list.status).toBe(200);
    expect(list.text).toMatch(/data-pc-row="\d+"/);
    // (The table still names the selection URL for the script, which has nothing to tick.)
    for (const marker of ["pc-select-row", "pc-select-page", "pc-selection-bar", "pc-selection-form", 'action="/books/_selection"', "/_bulk/", "Select all", "Bulk edit", "Bulk delete"]) {
      expect(list.text, marker).not.toContain(marker);
    }
  });

  it("a user without the bulk permission gets 403 from every selection and bulk route, even holding a selection", async () => {
    const viewer = await openBrowser(fx, "viewer");
    // A selection of their own, made behind the routes' back: the 403s come from the permission, not a missing selection.
    const picked = await pickBooks(db, 3);
    const token = "viewer-selection-token-0001";
    await db.pool.query(
      `INSERT INTO powercrud.selection (token, "sessionId", resource, mode, "filterQuery", size, "updatedAt") VALUES ($1, $2, '/books', 'ids', '', 3, now())`,
      [token, viewer.sessionId],
    );
    await db.pool.query(`INSERT INTO powercrud.selection_item (token, "recordId", included) SELECT $1, unnest($2::bigint[]), true`, [token, picked]);
    const before = await snapshot(db);

    const refused: Array<[string, Promise<{ status: number; text: string }>]> = [
      ["rows", viewer.post("/books/_selection", { op: "rows", ids: String(picked[0]), selected: "1" }, BAR)],
      ["page", viewer.post("/books/_selection", { op: "page", page_ids: picked.join(","), ids: String(picked[0]) })],
      ["all", viewer.post("/books/_selection", { op: "all", _list: "" }, BAR)],
      ["clear", viewer.post("/books/_selection", { op: "clear" }, BAR)],
      ["count", viewer.get("/books/_selection/count", BAR)],
      ["edit", viewer.get("/books/_bulk/edit", MODAL)],
      ["preview", viewer.post("/books/_bulk/preview", { selection: token, _change: "pages", pages: "9" }, MODAL)],
      ["form", viewer.post("/books/_bulk/form", { selection: token }, MODAL)],
      ["apply", viewer.post("/books/_bulk/apply", { selection: token, _change: "pages", pages: "9" })],
      ["delete page", viewer.get("/books/_bulk/delete", MODAL)],
      ["delete", viewer.post("/books/_bulk/delete", { selection: token, confirm: "yes" })],
    ];
    for (const [name, request] of refused) {
      const response = await request;
      expect(response.status, name).toBe(403);
    }
    expectUnchanged(before, await snapshot(db));
    expect(await storedSelection(db, viewer)).toMatchObject({ token, mode: "ids", size: 3, included: picked, excluded: [] });
  });

  it("bulk delete also needs the delete permission; bulk edit does not", async () => {
    const bulker = await openBrowser(fx, "bulker");
    const mine = [await insertBook(db, { title: "Bulker book 1" }), await insertBook(db, { title: "Bulker book 2" })];
    const bar = await selectRows(bulker, mine);
    expect(bar.text).toContain("/books/_bulk/edit");
    expect(bar.text).not.toContain("/books/_bulk/delete");
    const list = await bulker.get("/books/");
    expect(list.text).toContain(">Bulk edit<");
    expect(list.text).not.toContain("Bulk delete");

    const token = (await storedSelection(db, bulker))!.token;
    const before = await snapshot(db);
    const page = await bulker.get("/books/_bulk/delete", MODAL);
    expect(page.status).toBe(403);
    expect(textOf(page.text)).toContain("You cannot delete books in bulk.");
    expect((await bulker.post("/books/_bulk/delete", { selection: token, confirm: "yes" })).status).toBe(403);
    expectUnchanged(before, await snapshot(db));

    // Bulk edit works for them.
    const since = await dbNow(db);
    const { apply } = await previewAndApply(bulker, await openEdit(bulker, 2), { _change: "pages", pages: "202" });
    expect(apply.status).toBe(303);
    expectOnlyChanged(before, await snapshot(db), mine, () => ({ pages: 202 }), since);
  });

  it("bulk edit also needs the update permission, as bulk delete needs the delete permission", async () => {
    const noUpdate = await openBrowser(fx, "no-update");
    const mine = [await insertBook(db, { title: "Not editable by no-update" })];
    // They may not edit the book on its own...
    expect((await noUpdate.get(`/books/${mine[0]}/edit`)).status).toBe(403);
    const bar = await selectRows(noUpdate, mine);
    // ...so bulk edit is not offered to them either, and refused if tried.
    expect(bar.text).not.toContain("/books/_bulk/edit");
    const token = (await storedSelection(db, noUpdate))!.token;
    const before = await snapshot(db);
    expect((await noUpdate.get("/books/_bulk/edit", MODAL)).status).toBe(403);
    for (const path of ["/books/_bulk/preview", "/books/_bulk/apply"]) {
      const response = await noUpdate.post(path, { selection: token, _change: "title", title: "Edited around the update permission" });
      expect(response.status, path).toBe(403);
    }
    expectUnchanged(before, await snapshot(db));
  });

  it("a resource without bulkFields offers bulk delete only", async () => {
    const browser = await openBrowser(fx, "admin", "/authors");
    const list = await browser.get("/authors/");
    expect(list.text).toContain("pc-select-row");
    const [author] = await ids(db, `SELECT id FROM "Author" ORDER BY id LIMIT 1`);
    const bar = await selectRows(browser, [author!], true, "/authors");
    expect(bar.text).toContain("/authors/_bulk/delete");
    expect(bar.text).not.toContain("/authors/_bulk/edit");
    expect(bar.text).not.toContain("Bulk edit");
    const token = (await storedSelection(db, browser, "/authors"))!.token;

    const edit = await browser.get("/authors/_bulk/edit", MODAL);
    expect(edit.status).toBe(403);
    expect(textOf(edit.text)).toContain("You cannot edit authors in bulk.");
    for (const path of ["/authors/_bulk/preview", "/authors/_bulk/form", "/authors/_bulk/apply"]) {
      const response = await browser.post(path, { selection: token, _change: "name", name: "Renamed in bulk" }, MODAL);
      expect(response.status, path).toBe(403);
    }
    expect(await count(db, `SELECT count(*) AS n FROM "Author" WHERE name = 'Renamed in bulk'`)).toBe(0);
    expect((await browser.get("/authors/_bulk/delete", MODAL)).status).toBe(200);
  });

  it("bulk.delete: false offers bulk edit only", async () => {
    const browser = await openBrowser(fx, "admin", "/no-delete-books");
    const mine = [await insertBook(db, { title: "Undeletable in bulk" })];
    const bar = await selectRows(browser, mine, true, "/no-delete-books");
    expect(bar.text).toContain("/no-delete-books/_bulk/edit");
    expect(bar.text).not.toContain("_bulk/delete");
    const token = (await storedSelection(db, browser, "/no-delete-books"))!.token;
    expect((await browser.get("/no-delete-books/_bulk/delete", MODAL)).status).toBe(403);
    expect((await browser.post("/no-delete-books/_bulk/delete", { selection: token, confirm: "yes" })).status).toBe(403);
    expect(await count(db, `SELECT count(*) AS n FROM "Book" WHERE id = $1`, [mine[0]])).toBe(1);
  });
});

// ------------------------------------------------------------------ a model without @updatedAt

describe("bulk edit of a many-to-many on a model without @updatedAt", () => {
  it("adds books to the selected genres", async () => {
    const browser = await openBrowser(fx, "admin", "/genre-links");
    const genres: number[] = [];
    for (const name of ["Linked genre A", "Linked genre B"]) {
      genres.push((await db.pool.query<{ id: number }>(`INSERT INTO "Genre" (name) VALUES ($1) RETURNING id`, [name])).rows[0]!.id);
    }
    const books = await pickBooks(db, 3);
    await selectRows(browser, genres, true, "/genre-links");
    const form = await browser.get("/genre-links/_bulk/edit", MODAL);
    expect(form.status).toBe(200);
    const token = tokenOf(form.text);
    const apply = await browser.post("/genre-links/_bulk/apply", { selection: token, _change: "books", books: books.map(String), "books._mode": "add" });
    expect(apply.status, textOf(apply.text).slice(0, 300)).toBe(303);
    expect(await count(db, `SELECT count(*) AS n FROM "_BookToGenre" WHERE "B" = ANY($1::int[]) AND "A" = ANY($2::int[])`, [genres, books])).toBe(6);
  });
});
