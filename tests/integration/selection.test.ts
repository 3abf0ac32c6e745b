/**
 * Server-side selections (POST /_selection with op=rows|page|all|clear, GET /_selection/count) in a
 * bare app against the real Postgres. What the server stored is read back with SQL of its own.
 */
import { describe, expect, it } from "vitest";
import { SelectionStore, StaleSelectionError, type SelectionTarget } from "../../src/selection/selection-store";
import { connect } from "../support/database";
import {
  BAR,
  MODAL,
  barSize,
  checkedRows,
  count,
  countedSize,
  hxTrigger,
  ids,
  openBrowser,
  pageIds,
  pickBooks,
  selectAll,
  selectRows,
  useFixture,
  storedSelection,
  textOf,
  type Browser,
} from "../support/bulk-fixture";

const db = connect();
// Requests that end in an unexpected (500) error fail the test, unless a test took them out itself.
const fx = useFixture(db);

async function listPage(browser: Browser, query = "", base = "/books"): Promise<string> {
  const response = await browser.get(`${base}/${query}`);
  expect(response.status).toBe(200);
  return response.text;
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

/** Matches the id as a whole token (not inside a longer number or word). */
const asToken = (id: number) => new RegExp(`(?<![0-9A-Za-z])${id}(?![0-9A-Za-z])`);

function editCount(html: string): number {
  const match = /Edit ([\d,]+) books?/.exec(textOf(html));
  if (!match) throw new Error(`no count in the bulk edit form: ${textOf(html).slice(0, 300)}`);
  return Number(match[1]!.replaceAll(",", ""));
}

// ------------------------------------------------------------------ rows

describe("op=rows: ticking rows", () => {
  it("ticks a row on and off; the bar counts it and the database holds exactly that row", async () => {
    const browser = await openBrowser(fx);
    const [id] = await pickBooks(db, 1);

    let bar = await selectRows(browser, [id!]);
    expect(barSize(bar.text)).toBe(1);
    expect(textOf(bar.text)).toContain("1 selected");
    expect(await storedSelection(db, browser)).toMatchObject({ mode: "ids", size: 1, included: [id], excluded: [] });

    // Ticking it again changes nothing.
    bar = await selectRows(browser, [id!]);
    expect(barSize(bar.text)).toBe(1);
    expect(await storedSelection(db, browser)).toMatchObject({ size: 1, included: [id] });

    bar = await selectRows(browser, [id!], false);
    expect(barSize(bar.text)).toBe(0);
    expect(textOf(bar.text)).toContain("Select rows to edit or delete them together.");
    expect(await storedSelection(db, browser)).toMatchObject({ mode: "ids", size: 0, included: [], excluded: [] });

    // Unticking a row that is not selected changes nothing either.
    bar = await selectRows(browser, [id!], false);
    expect(barSize(bar.text)).toBe(0);
    expect(await storedSelection(db, browser)).toMatchObject({ size: 0, included: [], excluded: [] });
  });

  it("does not count a row that no longer exists (deleted while the page was open)", async () => {
    const browser = await openBrowser(fx);
    const [kept] = await pickBooks(db, 1);
    const gone = (await db.pool.query<{ id: number }>(
      `INSERT INTO "Book" (title, isbn, pages, price, "authorId", "updatedAt") VALUES ('Gone soon', '9760000000001', 1, 1, 1, now()) RETURNING id`,
    )).rows[0]!.id;
    await db.pool.query(`DELETE FROM "Book" WHERE id = $1`, [gone]);
    const bar = await selectRows(browser, [kept!, gone]);
    expect(barSize(bar.text)).toBe(1);
    expect(editCount((await browser.get("/books/_bulk/edit", MODAL)).text)).toBe(1);
  });

  it("answers a plain (no-JavaScript) post with a redirect back to the list", async () => {
    const browser = await openBrowser(fx);
    const [id] = await pickBooks(db, 1);
    const response = await browser.post("/books/_selection", { op: "rows", ids: String(id), selected: "1", _return: "/books/?page=2" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/books/?page=2");
    expect(await storedSelection(db, browser)).toMatchObject({ mode: "ids", size: 1, included: [id] });
  });

  it("selects a shift-click range in one post, as a comma list or as repeated ids", async () => {
    const browser = await openBrowser(fx);
    const page = pageIds(await listPage(browser, "?page=2"));
    expect(page).toHaveLength(25);

    let bar = await selectRows(browser, page.slice(3, 10));
    expect(barSize(bar.text)).toBe(7);
    expect((await storedSelection(db, browser))!.included).toEqual(sorted(page.slice(3, 10)));

    // Repeated fields, overlapping the first range by two rows.
    bar = await browser.post("/books/_selection", { op: "rows", ids: page.slice(8, 12).map(String), selected: "1" }, BAR);
    expect(bar.status).toBe(200);
    expect(barSize(bar.text)).toBe(9);
    expect((await storedSelection(db, browser))!.included).toEqual(sorted(page.slice(3, 12)));

    // A range unticked at once.
    bar = await selectRows(browser, page.slice(3, 6), false);
    expect(barSize(bar.text)).toBe(6);
    expect(await storedSelection(db, browser)).toMatchObject({ size: 6, included: sorted(page.slice(6, 12)), excluded: [] });
  });
});

// ------------------------------------------------------------------ page (no JavaScript)

describe("op=page: the no-JavaScript form", () => {
  it("selects the ticked rows of the page and unselects the rest of that page only", async () => {
    const browser = await openBrowser(fx);
    const first = await listPage(browser);
    const page1 = pageIds(first);
    const page2 = pageIds(await listPage(browser, "?page=2"));
    // The form carries exactly the page's rows.
    expect(/name="page_ids" value="([^"]*)"/.exec(first)![1]).toBe(page1.join(","));

    await selectRows(browser, [page1[0]!, page1[1]!, page1[2]!, page2[5]!]);
    const ticked = [page1[2]!, page1[4]!, page1[7]!];
    const response = await browser.post("/books/_selection", { op: "page", page_ids: page1.join(","), ids: ticked.map(String), _return: "/books/" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/books/");

    // Rows 0 and 1 were unticked, 2 kept, 4 and 7 added; the row on page 2 is untouched.
    expect(await storedSelection(db, browser)).toMatchObject({ mode: "ids", size: 4, included: sorted([...ticked, page2[5]!]), excluded: [] });
    const again = await listPage(browser);
    expect(checkedRows(again)).toEqual(page1.filter((id) => ticked.includes(id)));
    expect(again).not.toMatch(/pc-select-page[^>]* checked>/);
    expect(barSize(again)).toBe(4);
    expect(checkedRows(await listPage(browser, "?page=2"))).toEqual([page2[5]]);
  });

  it("ticking every row of a page ticks the page's own checkbox; ticking none unselects the page", async () => {
    const browser = await openBrowser(fx);
    const page1 = pageIds(await listPage(browser));
    expect((await browser.post("/books/_selection", { op: "page", page_ids: page1.join(","), ids: page1.map(String) })).status).toBe(303);
    let html = await listPage(browser);
    expect(checkedRows(html)).toEqual(page1);
    expect(html).toMatch(/pc-select-page[^>]* checked>/);
    expect(await storedSelection(db, browser)).toMatchObject({ size: 25, included: sorted(page1) });

    // Nothing ticked: the whole page is unselected.
    expect((await browser.post("/books/_selection", { op: "page", page_ids: page1.join(",") })).status).toBe(303);
    html = await listPage(browser);
    expect(checkedRows(html)).toEqual([]);
    expect(await storedSelection(db, browser)).toMatchObject({ size: 0, included: [] });
  });
});

// ------------------------------------------------------------------ all matching

describe("op=all: every row matching the filter", () => {
  it("stores the filter (not ids, not the sort or page) and the counted bar equals the SQL count", async () => {
    const browser = await openBrowser(fx);
    const response = await selectAll(browser, "status=DRAFT&sort=-title&size=50&page=3");
    // Answered at once; the bar then asks for the count.
    expect(barSize(response.text)).toBeNull();
    expect(response.text).toContain('hx-get="/books/_selection/count?matching=');
    expect(hxTrigger(response.headers)["pc:selection"]).toEqual({ refresh: true });
    expect(await storedSelection(db, browser)).toEqual(expect.objectContaining({ mode: "all", filterQuery: "status=DRAFT", size: null, included: [], excluded: [] }));

    const drafts = await count(db, `SELECT count(*) AS n FROM "Book" WHERE status = 'DRAFT'`);
    expect(drafts).toBeGreaterThan(50);
    expect(await countedSize(browser)).toBe(drafts);
    expect((await storedSelection(db, browser))!.size).toBe(drafts);

    const html = await listPage(browser, "?status=DRAFT");
    expect(barSize(html)).toBe(drafts);
    expect(textOf(html)).toContain(`${drafts} selected: all matching Status: is Draft , minus any you unticked`);
  });

  it("keeps a search and several filters together, and counts their matches", async () => {
    const browser = await openBrowser(fx);
    const word = (await db.pool.query<{ word: string }>(`SELECT split_part(title, ' ', 2) AS word FROM "Book" ORDER BY id LIMIT 1`)).rows[0]!.word;
    await selectAll(browser, `q=${word.toLowerCase()}&status=DRAFT,PUBLISHED&bestseller=no&sort=title&page=2&size=10&unknown=1`);
    const stored = (await storedSelection(db, browser))!;
    expect(stored.mode).toBe("all");
    expect([...new URLSearchParams(stored.filterQuery)]).toEqual([["q", word.toLowerCase()], ["status", "DRAFT"], ["status", "PUBLISHED"], ["bestseller", "no"]]);
    const expected = await count(
      db,
      `SELECT count(*) AS n FROM "Book" WHERE title ILIKE $1 AND status IN ('DRAFT', 'PUBLISHED') AND NOT bestseller`,
      [`%${word}%`],
    );
    expect(expected).toBeGreaterThan(0);
    expect(await countedSize(browser)).toBe(expected);
  });

  it("selects what the list shows when the filter form sent a multi-value filter as repeated keys", async () => {
    // The filter form's multi-selects submit status=DRAFT&status=OUT_OF_PRINT; htmx pushes that URL,
    // and the bar re-rendered after a tick takes its "Select all" list query from HX-Current-URL.
    const browser = await openBrowser(fx);
    const query = "q=&status=DRAFT&status=OUT_OF_PRINT";
    const expected = await count(db, `SELECT count(*) AS n FROM "Book" WHERE status IN ('DRAFT', 'OUT_OF_PRINT')`);
    const list = await listPage(browser, `?${query}`);
    expect(textOf(list)).toContain(`of ${expected}`);

    const [id] = await pickBooks(db, 1, `status = 'DRAFT'`);
    const bar = await browser.post("/books/_selection", { op: "rows", ids: String(id), selected: "1" }, { ...BAR, "HX-Current-URL": `http://127.0.0.1/books/?${query}` });
    const selectAllForm = /<input type="hidden" name="op" value="all">\s*<input type="hidden" name="_list" value="([^"]*)">/.exec(bar.text);
    expect(selectAllForm, "the bar offers Select all").not.toBeNull();
    await selectAll(browser, selectAllForm![1]!.replaceAll("&amp;", "&"));
    expect(await countedSize(browser)).toBe(expected);
  });

  it("counts concurrent ticks exactly", async () => {
    const browser = await openBrowser(fx);
    const picked = await pickBooks(db, 20);
    await Promise.all(picked.map((id) => selectRows(browser, [id])));
    expect(await storedSelection(db, browser)).toMatchObject({ mode: "ids", size: 20, included: picked, excluded: [] });
    await Promise.all(picked.slice(0, 8).map((id) => selectRows(browser, [id], false)));
    expect(await storedSelection(db, browser)).toMatchObject({ size: 12, included: picked.slice(8) });
    expect(barSize(await listPage(browser))).toBe(12);
  });

  it("unticking rows takes exactly those away; ticking a row outside the filter adds it", async () => {
    const browser = await openBrowser(fx);
    await selectAll(browser, "status=DRAFT");
    const total = (await countedSize(browser))!;
    expect(total).toBe(await count(db, `SELECT count(*) AS n FROM "Book" WHERE status = 'DRAFT'`));

    const unticked = await pickBooks(db, 4, `status = 'DRAFT'`);
    expect(barSize((await selectRows(browser, unticked, false)).text)).toBe(total - 4);
    // Unticking them again changes nothing.
    expect(barSize((await selectRows(browser, unticked.slice(0, 2), false)).text)).toBe(total - 4);

    const outside = await pickBooks(db, 2, `status <> 'DRAFT'`);
    expect(barSize((await selectRows(browser, outside)).text)).toBe(total - 2);
    // Ticking an unticked row again puts it back.
    expect(barSize((await selectRows(browser, [unticked[0]!])).text)).toBe(total - 1);

    const stored = (await storedSelection(db, browser))!;
    expect(stored).toMatchObject({ mode: "all", filterQuery: "status=DRAFT", excluded: unticked.slice(1), included: outside });
    const expected = await ids(
      db,
      `SELECT id FROM "Book" WHERE (status = 'DRAFT' AND id <> ALL($1::int[])) OR id = ANY($2::int[]) ORDER BY id`,
      [unticked.slice(1), outside],
    );
    expect(expected).toHaveLength(total - 1);
    // The bulk edit form (which freezes the selection into ids) agrees.
    expect(editCount((await browser.get("/books/_bulk/edit", MODAL)).text)).toBe(total - 1);

    // Unticking a row that was added from outside the filter removes it again.
    expect(barSize((await selectRows(browser, [outside[0]!], false)).text)).toBe(total - 2);
    expect((await storedSelection(db, browser))!.included).toEqual([outside[1]]);
  });

  it("ticks exactly the selected rows' checkboxes on every page of the list", async () => {
    const browser = await openBrowser(fx);
    const pages = await Promise.all([1, 2, 3, 4].map(async (page) => pageIds(await listPage(browser, `?page=${page}`))));
    const drafts = new Set(await ids(db, `SELECT id FROM "Book" WHERE status = 'DRAFT'`));
    await selectAll(browser, "status=DRAFT");
    const unticked = [pages[0]!.find((id) => drafts.has(id))!, pages[2]!.filter((id) => drafts.has(id))[1]!];
    const outside = [pages[1]!.find((id) => !drafts.has(id))!, pages[3]!.filter((id) => !drafts.has(id)).at(-1)!];
    await selectRows(browser, unticked, false);
    await selectRows(browser, outside);
    const selected = new Set(
      await ids(db, `SELECT id FROM "Book" WHERE (status = 'DRAFT' AND id <> ALL($1::int[])) OR id = ANY($2::int[])`, [unticked, outside]),
    );
    for (const page of [1, 2, 3, 4, 12]) {
      const html = await listPage(browser, `?page=${page}`);
      const shown = pageIds(html);
      expect(shown.length).toBeGreaterThan(0);
      const expected = shown.filter((id) => selected.has(id));
      expect(checkedRows(html), `page ${page}`).toEqual(expected);
      // Every page of this list has drafts and non-drafts: the check is not vacuous.
      expect(expected.length, `page ${page}`).toBeGreaterThan(0);
      expect(expected.length, `page ${page}`).toBeLessThan(shown.length);
    }
  });

  it("ticks exactly the selected rows' checkboxes on every page for picked rows too", async () => {
    const browser = await openBrowser(fx);
    const pages = await Promise.all([1, 3, 5].map(async (page) => pageIds(await listPage(browser, `?page=${page}`))));
    const picked = [pages[0]![0]!, pages[0]![24]!, pages[1]![7]!, pages[2]![3]!, pages[2]![4]!];
    await selectRows(browser, picked);
    for (const [index, page] of [1, 3, 5, 2].entries()) {
      const html = await listPage(browser, `?page=${page}`);
      expect(checkedRows(html), `page ${page}`).toEqual(pageIds(html).filter((id) => picked.includes(id)));
      if (index < 3) expect(checkedRows(html).length).toBeGreaterThan(0);
    }
  });

  it("keeps its stored filter when the list is filtered differently afterwards", async () => {
    const browser = await openBrowser(fx);
    await selectAll(browser, "status=DRAFT");
    const drafts = (await countedSize(browser))!;

    const published = await listPage(browser, "?status=PUBLISHED");
    expect(pageIds(published).length).toBeGreaterThan(0);
    expect(checkedRows(published)).toEqual([]);
    expect(barSize(published)).toBe(drafts);

    const draftPage = await listPage(browser, "?status=DRAFT&page=2");
    expect(checkedRows(draftPage)).toEqual(pageIds(draftPage));

    const searched = await listPage(browser, "?q=the&sort=title");
    const draftIds = new Set(await ids(db, `SELECT id FROM "Book" WHERE status = 'DRAFT'`));
    expect(checkedRows(searched)).toEqual(pageIds(searched).filter((id) => draftIds.has(id)));

    expect((await storedSelection(db, browser))!.filterQuery).toBe("status=DRAFT");
    expect(editCount((await browser.get("/books/_bulk/edit?status=PUBLISHED", MODAL)).text)).toBe(drafts);
  });
});

// ------------------------------------------------------------------ clear

describe("op=clear", () => {
  it("forgets the selection, its exceptions and its filter", async () => {
    const browser = await openBrowser(fx);
    await selectAll(browser, "status=DRAFT");
    const [outside] = await pickBooks(db, 1, `status <> 'DRAFT'`);
    const [unticked] = await pickBooks(db, 1, `status = 'DRAFT'`);
    await selectRows(browser, [outside!]);
    await selectRows(browser, [unticked!], false);
    const { token } = (await storedSelection(db, browser))!;
    expect(await count(db, `SELECT count(*) AS n FROM powercrud.selection_item WHERE token = $1`, [token])).toBe(2);

    const response = await browser.post("/books/_selection", { op: "clear" }, BAR);
    expect(response.status).toBe(200);
    expect(barSize(response.text)).toBe(0);
    expect(hxTrigger(response.headers)["pc:selection"]).toEqual({ refresh: true });
    expect(await storedSelection(db, browser)).toBeUndefined();
    expect(await count(db, `SELECT count(*) AS n FROM powercrud.selection_item WHERE token = $1`, [token])).toBe(0);

    const html = await listPage(browser, "?status=DRAFT");
    expect(checkedRows(html)).toEqual([]);
    expect(barSize(html)).toBe(0);
    expect((await browser.get("/books/_bulk/edit", MODAL)).status).toBe(422);
  });

  it("answers a plain clear with a redirect", async () => {
    const browser = await openBrowser(fx);
    await selectRows(browser, await pickBooks(db, 2));
    const response = await browser.post("/books/_selection", { op: "clear", _return: "/books/?page=3" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/books/?page=3");
    expect(await storedSelection(db, browser)).toBeUndefined();
  });
});

// ------------------------------------------------------------------ what the browser sees

describe("the selected ids stay on the server", () => {
  it("the list page names selected rows only in the checkboxes of the rows it shows", async () => {
    const browser = await openBrowser(fx);
    const byPage = new Map<number, number[]>();
    for (const page of [1, 3, 6, 8]) byPage.set(page, pageIds(await listPage(browser, `?page=${page}`)));
    const selected = [byPage.get(1)![0]!, byPage.get(1)![5]!, byPage.get(3)![2]!, byPage.get(3)![10]!, byPage.get(6)![24]!];
    const bar = await selectRows(browser, selected);
    for (const id of selected) expect(bar.text, `the bar fragment names ${id}`).not.toMatch(asToken(id));

    for (const page of [1, 3, 6, 8]) {
      const html = await listPage(browser, `?page=${page}`);
      const shown = pageIds(html);
      expect(checkedRows(html)).toEqual(shown.filter((id) => selected.includes(id)));
      // Outside the rows themselves (and the no-JS form's list of this page's rows) no selected id appears.
      const pageIdsInput = /name="page_ids" value="([^"]*)"/.exec(html)![1];
      expect(pageIdsInput).toBe(shown.join(","));
      const rest = html.replace(/<tr data-pc-row="\d+"[^>]*>[\s\S]*?<\/tr>/g, "").replace(/name="page_ids" value="[^"]*"/, "");
      for (const id of selected) {
        expect(rest, `page ${page} names selected book ${id} outside its row`).not.toMatch(asToken(id));
        if (!shown.includes(id)) expect(html, `page ${page} names selected book ${id} of another page`).not.toMatch(asToken(id));
      }
    }

    // Nor do the bulk screens: they carry the selection's token, never ids.
    const edit = await browser.get("/books/_bulk/edit", MODAL);
    const remove = await browser.get("/books/_bulk/delete", MODAL);
    const counted = await browser.get("/books/_selection/count", BAR);
    for (const response of [edit, remove, counted]) {
      expect(response.status).toBe(200);
      for (const id of selected) expect(response.text).not.toMatch(asToken(id));
    }
  });

  it("an 'all matching' selection does not reveal its exceptions either", async () => {
    const browser = await openBrowser(fx);
    await selectAll(browser, "status=DRAFT");
    const unticked = await pickBooks(db, 3, `status = 'DRAFT'`);
    const outside = await pickBooks(db, 3, `status <> 'DRAFT'`);
    await selectRows(browser, unticked, false);
    await selectRows(browser, outside);
    const html = await listPage(browser, "?page=5");
    const shown = pageIds(html);
    for (const id of [...unticked, ...outside].filter((id) => !shown.includes(id))) expect(html).not.toMatch(asToken(id));
  });
});

// ------------------------------------------------------------------ isolation

describe("isolation", () => {
  it("each session has its own selection, even for the same user", async () => {
    const first = await openBrowser(fx);
    const second = await openBrowser(fx);
    expect(second.sessionId).not.toBe(first.sessionId);
    const mine = await pickBooks(db, 3);
    const theirs = await pickBooks(db, 2, `id <> ALL($1::int[])`, [mine]);

    await selectRows(first, mine);
    const untouched = await listPage(second);
    expect(checkedRows(untouched)).toEqual([]);
    expect(barSize(untouched)).toBe(0);
    expect((await second.get("/books/_bulk/edit", MODAL)).status).toBe(422);

    await selectRows(second, theirs);
    expect(await storedSelection(db, first)).toMatchObject({ size: 3, included: mine });
    expect(await storedSelection(db, second)).toMatchObject({ size: 2, included: theirs });
    expect((await storedSelection(db, first))!.token).not.toBe((await storedSelection(db, second))!.token);
    expect(editCount((await first.get("/books/_bulk/edit", MODAL)).text)).toBe(3);
    expect(editCount((await second.get("/books/_bulk/edit", MODAL)).text)).toBe(2);

    // Clearing one leaves the other.
    await second.post("/books/_selection", { op: "clear" }, BAR);
    expect(await storedSelection(db, first)).toMatchObject({ size: 3, included: mine });
  });

  it("each resource has its own selection, even on the same model", async () => {
    const browser = await openBrowser(fx);
    const picked = await pickBooks(db, 3);
    await selectRows(browser, picked);

    const other = await browser.get("/other-books/");
    expect(other.status).toBe(200);
    expect(checkedRows(other.text)).toEqual([]);
    expect(barSize(other.text)).toBe(0);
    expect((await browser.get("/other-books/_bulk/edit", MODAL)).status).toBe(422);
    expect(await storedSelection(db, browser, "/other-books")).toBeUndefined();

    await selectAll(browser, "status=PUBLISHED", "/other-books");
    expect(await storedSelection(db, browser, "/books")).toMatchObject({ mode: "ids", size: 3, included: picked });
    expect(await storedSelection(db, browser, "/other-books")).toMatchObject({ mode: "all", filterQuery: "status=PUBLISHED" });
    await browser.post("/other-books/_selection", { op: "clear" }, BAR);
    expect(await storedSelection(db, browser, "/books")).toMatchObject({ size: 3, included: picked });
  });
});

// ------------------------------------------------------------------ refused requests

describe("refused selection requests", () => {
  it.each([
    ["a word", "abc"],
    ["zero", "0"],
    ["a negative number", "-1"],
    ["a fraction", "1.5"],
    ["an exponent", "1e3"],
    ["hexadecimal", "0x10"],
    ["a number too long for an id", "12345678901234567890"],
    ["a good id followed by a bad one", `${1_000_001},x`],
  ])("answers %s as an id with 400 and stores nothing", async (_case, value) => {
    const browser = await openBrowser(fx);
    const forms: Array<Record<string, string>> = [
      { op: "rows", ids: value, selected: "1" },
      { op: "page", page_ids: value },
      { op: "page", page_ids: "1000001", ids: value },
    ];
    for (const form of forms) {
      const response = await browser.post("/books/_selection", form, BAR);
      expect(response.status, JSON.stringify(form)).toBe(400);
      expect(textOf(response.text)).toContain("is not a record id");
    }
    const stored = await storedSelection(db, browser);
    expect(stored?.included ?? []).toEqual([]);
    expect(stored?.excluded ?? []).toEqual([]);
  });

  it("refuses more than 10,000 ids in one request with 413 and stores nothing", async () => {
    const browser = await openBrowser(fx);
    const many = Array.from({ length: 10_001 }, (_, index) => String(1 + (index % 9))).join(",");
    const response = await browser.post("/books/_selection", { op: "rows", ids: many, selected: "1" }, BAR);
    expect(response.status).toBe(413);
    expect(textOf(response.text)).toContain("Select at most 10,000 rows at a time");
    expect(await storedSelection(db, browser)).toBeUndefined();
  });

  it.each([["an unknown op", { op: "invert" }], ["no op", {}], ["an op given twice", { op: ["rows", "all"] }]])(
    "answers %s with 400",
    async (_case, form) => {
      const browser = await openBrowser(fx);
      const response = await browser.post("/books/_selection", form as Record<string, string | string[]>, BAR);
      expect(response.status).toBe(400);
      expect(textOf(response.text)).toContain("Unknown selection action");
      expect(await storedSelection(db, browser)).toBeUndefined();
    },
  );

  it("refuses a post without the CSRF token with 403 and stores nothing", async () => {
    const browser = await openBrowser(fx);
    const [id] = await pickBooks(db, 1);
    for (const headers of [{}, BAR]) {
      const response = await browser.post("/books/_selection", { _csrf: "", op: "rows", ids: String(id), selected: "1" }, headers);
      expect(response.status).toBe(403);
      expect(textOf(response.text)).toContain("security token is missing or out of date");
    }
    const all = await browser.post("/books/_selection", { _csrf: "", op: "all", _list: "" }, BAR);
    expect(all.status).toBe(403);
    expect(await storedSelection(db, browser)).toBeUndefined();
  });

  it("refuses a CSRF token of another session with 403", async () => {
    const browser = await openBrowser(fx);
    const other = await openBrowser(fx);
    const [id] = await pickBooks(db, 1);
    const response = await browser.post("/books/_selection", { _csrf: other.http.csrfToken, op: "rows", ids: String(id), selected: "1" }, BAR);
    expect(response.status).toBe(403);
    expect(await storedSelection(db, browser)).toBeUndefined();
  });
});

describe("the 'Select all N matching' label", () => {
  it("keeps the list total the page passes along when the bar is redrawn, and drops anything else", async () => {
    const browser = await openBrowser(fx, "editor");
    const [first] = await pickBooks(db, 1);
    const kept = await browser.post("/books/_selection", { op: "rows", ids: String(first), selected: "1", matching: "≈ 1.2M" }, BAR);
    expect(textOf(kept.text)).toContain("Select all ≈ 1.2M matching");
    const forged = await browser.post("/books/_selection", { op: "rows", ids: String(first), selected: "0", matching: "<script>x</script>" }, BAR);
    expect(forged.text).not.toContain("<script>x");
    expect(textOf(forged.text)).toContain("Select all matching");
  });
});

// ------------------------------------------------------------------ stored filters are user input

const F = "/filtered-books";
const FBAR = { ...BAR, "HX-Current-URL": `http://127.0.0.1${F}/` };

async function storeSelection(browser: Browser, filterQuery: string, resource = F): Promise<void> {
  await db.pool.query(
    `INSERT INTO powercrud.selection (token, "sessionId", resource, mode, "filterQuery", size, "updatedAt")
     VALUES (md5(random()::text), $1, $2, 'all', $3, NULL, now())`,
    [browser.sessionId, resource, filterQuery],
  );
}

describe("a stored filter is validated and capped as the list does it", () => {
  it("stores a 100 KB search cut to the list's 200 characters, and drops junk, NUL and unknown keys", async () => {
    const browser = await openBrowser(fx, "admin", `${F}/`);
    const long = `  harbour ${"x".repeat(100_000)}`;
    await selectAll(browser, new URLSearchParams({ q: long, status: "NOPE", "pages.min": "12abc", author: "0,-3,abc", genres: "1\u0000", extra: "1", sort: "title" }).toString(), F);
    const stored = (await storedSelection(db, browser, F))!;
    expect(stored.filterQuery).toBe(new URLSearchParams({ q: long.trim().slice(0, 200) }).toString());
    expect(stored.filterQuery.length).toBeLessThan(250);
    // The bar counts what the list with the same search shows.
    const expected = await count(db, `SELECT count(*) AS n FROM "Book" WHERE title ILIKE $1`, [`%${long.trim().slice(0, 200)}%`]);
    expect(await countedSize(browser, F)).toBe(expected);
  });

  it("stores relation values as the list reads them back (repeated keys, leading zeros gone)", async () => {
    const browser = await openBrowser(fx, "admin", `${F}/`);
    await selectAll(browser, "author=007,3&author=3&genres=2&genres.all=1&pages.min=100&status=DRAFT,DRAFT", F);
    expect((await storedSelection(db, browser, F))!.filterQuery).toBe("author=7&author=3&genres=2&genres.all=1&status=DRAFT&pages.min=100");
  });

  it("refuses a filter longer than the cap with 422 and keeps the selection it had", async () => {
    const browser = await openBrowser(fx, "admin", `${F}/`);
    const [id] = await pickBooks(db, 1);
    await selectRows(browser, [id!], true, F);
    const many = Array.from({ length: 1_500 }, (_, index) => `author=${1_000_000 + index}`).join("&");
    const response = await browser.post(`${F}/_selection`, { op: "all", _list: many }, FBAR);
    expect(response.status).toBe(422);
    expect(textOf(response.text)).toContain("This filter is too long to select all its matches");
    expect(await storedSelection(db, browser, F)).toMatchObject({ mode: "ids", included: [id] });
  });

  it("answers a malformed HX-Current-URL with 400 before anything is written", async () => {
    const browser = await openBrowser(fx);
    const [id] = await pickBooks(db, 1);
    await selectRows(browser, [id!]);
    const before = await storedSelection(db, browser);
    const forms: Array<Record<string, string>> = [{ op: "rows", ids: "1000001", selected: "1" }, { op: "all", _list: "status=DRAFT" }, { op: "clear" }];
    for (const form of forms) {
      const response = await browser.post("/books/_selection", form, { ...BAR, "HX-Current-URL": "http://[bad" });
      expect(response.status, JSON.stringify(form)).toBe(400);
      expect(textOf(response.text)).toContain("HX-Current-URL");
      expect(await storedSelection(db, browser)).toEqual(before);
    }
    const counted = await browser.get("/books/_selection/count", { ...BAR, "HX-Current-URL": "http://[bad" });
    expect(counted.status).toBe(400);
  });
});

describe("a stored selection that no longer resolves is dropped with a message", () => {
  // A filter today's validation reads differently: the list, the count and the bulk form answer,
  // say why, and the selection is gone. (A filter whose SQL PostgreSQL refuses is the store test below;
  // the column domains now keep such values out of filters altogether.)
  for (const [name, filterQuery] of [
    ["a filter stored uncut before the cap", `q=${"y".repeat(5_000)}`],
    ["a filter with values the list no longer accepts", "author=abc&status=NOPE"],
  ] as const) {
    it(`${name}: the list page, the count and the bulk edit form`, async () => {
      const browser = await openBrowser(fx, "admin", `${F}/`);
      await storeSelection(browser, filterQuery);
      const list = await browser.get(`${F}/`);
      expect(list.status).toBe(200);
      expect(textOf(list.text)).toContain("Your selection was cleared: the filter it was made under can no longer be used.");
      expect(checkedRows(list.text)).toEqual([]);
      expect(barSize(list.text)).toBe(0);
      expect(await storedSelection(db, browser, F)).toBeUndefined();

      await storeSelection(browser, filterQuery);
      const counted = await browser.get(`${F}/_selection/count`, FBAR);
      expect(counted.status).toBe(200);
      expect(textOf(counted.text)).toContain("Your selection was cleared");
      expect(await storedSelection(db, browser, F)).toBeUndefined();

      await storeSelection(browser, filterQuery);
      const form = await browser.get(`${F}/_bulk/edit`, MODAL);
      expect(form.status).toBe(409);
      expect(textOf(form.text)).toContain("Your selection was cleared");
      expect(await storedSelection(db, browser, F)).toBeUndefined();

      // Ticking a row afterwards starts a fresh selection.
      await storeSelection(browser, filterQuery);
      const tick = await browser.post(`${F}/_selection`, { op: "rows", ids: String((await pickBooks(db, 1))[0]), selected: "1" }, FBAR);
      expect(tick.status).toBe(200);
      expect(textOf(tick.text)).toContain("Your selection was cleared");
      expect(await storedSelection(db, browser, F)).toBeUndefined();
    });
  }

  it("the store drops a selection whose SQL fails with a data exception, and passes other errors on", async () => {
    const store = new SelectionStore(db.pool);
    const failing: SelectionTarget = {
      table: "Book",
      idColumn: "id",
      idType: "int",
      canonical: (filterQuery) => filterQuery,
      // A real condition PostgreSQL refuses at run time: 3,000,000,000 does not fit an int.
      matchSql: (filterQuery, offset) => ({ sql: `t.pages > $${offset}::int`, params: [filterQuery] }),
    };
    const selection = await store.selectAll("store-test-session", "/store-test", "3000000000");
    await expect(store.count(selection, failing)).rejects.toBeInstanceOf(StaleSelectionError);
    expect(await count(db, `SELECT count(*) AS n FROM powercrud.selection WHERE "sessionId" = 'store-test-session'`)).toBe(0);

    const fine = await store.selectAll("store-test-session", "/store-test", "100");
    expect(await store.count(fine, failing)).toBe(await count(db, `SELECT count(*) AS n FROM "Book" WHERE pages > 100`));
    const broken: SelectionTarget = { ...failing, table: "NoSuchTable" };
    // A missing table is class 42 as well: dropped too.
    await expect(store.count(fine, broken)).rejects.toBeInstanceOf(StaleSelectionError);
    await store.clear("store-test-session", "/store-test");
  });

  it("countWithin counts exactly when quick and gives up (null) when not, leaving the selection in place", async () => {
    const store = new SelectionStore(db.pool);
    const target = (slow: boolean): SelectionTarget => ({
      table: "Book",
      idColumn: "id",
      idType: "int",
      canonical: (filterQuery) => filterQuery,
      // A real condition that takes 5 ms a row when slow: counting 300 rows cannot finish in 20 ms.
      matchSql: () => ({ sql: slow ? "pg_sleep(0.005)::text = ''" : "TRUE", params: [] }),
    });
    const selection = await store.selectAll("count-within-session", "/count-within", "");
    expect(await store.countWithin(selection, target(false), 1_000)).toBe(await count(db, `SELECT count(*) AS n FROM "Book"`));
    expect(await store.countWithin(selection, target(true), 20)).toBeNull();
    expect(await count(db, `SELECT count(*) AS n FROM powercrud.selection WHERE "sessionId" = 'count-within-session'`)).toBe(1);
    await store.clear("count-within-session", "/count-within");
  });
});

// ------------------------------------------------------------------ a selection never outlives its filter unseen

describe("a selection made under one filter, seen under another", () => {
  async function authorWithBooks(): Promise<{ id: number; name: string; books: number }> {
    const { rows } = await db.pool.query<{ id: number; name: string; books: string }>(
      `SELECT a.id, a.name, count(*) AS books FROM "Author" a JOIN "Book" b ON b."authorId" = a.id GROUP BY a.id ORDER BY count(*) DESC, a.id LIMIT 1`,
    );
    return { ...rows[0]!, books: Number(rows[0]!.books) };
  }

  it("names its filter in words and links to it; under another filter it is kept apart, without bulk actions", async () => {
    const author = await authorWithBooks();
    const browser = await openBrowser(fx, "admin", `${F}/?author=${author.id}`);
    await selectAll(browser, `author=${author.id}&sort=title`, F);
    expect(await countedSize(browser, F)).toBe(author.books);

    const same = await listPage(browser, `?author=${author.id}&sort=-title&page=1`, F);
    expect(textOf(same)).toContain(`${author.books} selected: all matching Author: is ${author.name}`);
    expect(same).toContain(`href="${F}/?author=${author.id}" data-testid="pc-selection-filter"`);
    expect(same).not.toContain("data-pc-selection-apart");
    expect(same).toContain(`${F}/_bulk/edit`);
    expect(same).toContain(`${F}/_bulk/delete`);

    // The author filter removed: the bar says the selection belongs to another filter, offers to show
    // it or to select what this list shows, and offers no bulk action.
    const all = await listPage(browser, "", F);
    const total = await count(db, `SELECT count(*) AS n FROM "Book"`);
    expect(all).toContain("data-pc-selection-apart");
    expect(textOf(all)).toContain(`${author.books} selected under Author: is ${author.name} , not the filter shown here · Show them`);
    expect(textOf(all)).toContain(`Select all ${total} matching`);
    expect(all).not.toContain(`${F}/_bulk/edit`);
    expect(all).not.toContain(`${F}/_bulk/delete`);

    // One click selects what this list shows instead.
    const form = /<input type="hidden" name="op" value="all">\s*<input type="hidden" name="_list" value="([^"]*)">/.exec(all);
    expect(form).not.toBeNull();
    await browser.post(`${F}/_selection`, { op: "all", _list: form![1]!.replaceAll("&amp;", "&") }, FBAR);
    expect(await countedSize(browser, F)).toBe(total);
    expect((await storedSelection(db, browser, F))!.filterQuery).toBe("");
    expect(await listPage(browser, "", F)).not.toContain("data-pc-selection-apart");
  });

  it("a bar redrawn after a tick on another filter's list is kept apart too", async () => {
    const author = await authorWithBooks();
    const browser = await openBrowser(fx, "admin", `${F}/`);
    await selectAll(browser, `author=${author.id}`, F);
    expect(await countedSize(browser, F)).toBe(author.books);
    const [outside] = await pickBooks(db, 1, `"authorId" <> $1`, [author.id]);
    const bar = await browser.post(`${F}/_selection`, { op: "rows", ids: String(outside), selected: "1" }, { ...FBAR, "HX-Current-URL": `http://127.0.0.1${F}/?status=DRAFT` });
    expect(bar.status).toBe(200);
    expect(bar.text).toContain("data-pc-selection-apart");
    expect(textOf(bar.text)).toContain(`${author.books + 1} selected under Author: is ${author.name}`);
  });

  it("bulk edit, its preview and bulk delete state the filter, the exceptions and the exact count", async () => {
    const author = await authorWithBooks();
    const browser = await openBrowser(fx, "admin", `${F}/?author=${author.id}`);
    await selectAll(browser, `author=${author.id}&status=DRAFT&status=PUBLISHED`, F);
    const [unticked] = await pickBooks(db, 1, `"authorId" = $1 AND status = 'DRAFT'`, [author.id]);
    const [outside] = await pickBooks(db, 1, `"authorId" <> $1`, [author.id]);
    await selectRows(browser, [unticked!], false, F);
    await selectRows(browser, [outside!], true, F);
    const exact = await count(db, `SELECT count(*) AS n FROM "Book" WHERE ("authorId" = $1 AND status IN ('DRAFT', 'PUBLISHED') AND id <> $2) OR id = $3`, [author.id, unticked, outside]);
    const scope = `Every book matching Author: is ${author.name}; Status: any of Draft, Published, minus 1 you unticked, plus 1 you ticked outside the filter.`;

    const edit = await browser.get(`${F}/_bulk/edit`, MODAL);
    expect(edit.status).toBe(200);
    expect(textOf(edit.text)).toContain(`Edit ${exact} books`);
    expect(textOf(edit.text)).toContain(`Acts on ${exact} books : ${scope}`);
    expect(edit.text).toContain(`data-pc-count="${exact}"`);

    const token = /name="selection" value="([^"]+)"/.exec(edit.text)![1]!;
    const preview = await browser.post(`${F}/_bulk/preview`, { selection: token, _change: "bestseller", bestseller: "true" }, MODAL);
    expect(preview.status).toBe(200);
    expect(textOf(preview.text)).toContain(`Acts on ${exact} books : ${scope}`);
    expect(textOf(preview.text)).toContain(`on ${exact} books.`);

    const remove = await browser.get(`${F}/_bulk/delete`, MODAL);
    expect(remove.status).toBe(200);
    expect(textOf(remove.text)).toContain(`Delete ${exact} books?`);
    expect(textOf(remove.text)).toContain(`Acts on ${exact} books : ${scope}`);

    // The count a form loads after it opens (an "all" selection too large to count at once) is exact too.
    const loaded = await browser.get(`${F}/_selection/count?form=1`, { "HX-Request": "true" });
    expect(loaded.status).toBe(200);
    expect(loaded.text).toContain(`data-pc-count="${exact}"`);
  });

  it("picked rows are stated as the rows you ticked", async () => {
    const browser = await openBrowser(fx);
    const picked = await pickBooks(db, 3);
    await selectRows(browser, picked);
    const edit = await browser.get("/books/_bulk/edit", MODAL);
    expect(textOf(edit.text)).toContain("Acts on 3 books : The 3 books you ticked.");
    expect(textOf(edit.text)).not.toContain("Show them");
  });
});
