/**
 * Saved views against the real Postgres: saving the list as it is (canonical query and columns),
 * applying (as a page and as htmx), sharing under the shareViews permission (and its default, the
 * bulk hook), renaming, deleting, what other users may see and change, and bad input (names, ids,
 * limits, CSRF), all answered with a 4xx and nothing written.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { seedCatalogue } from "../../src/demo/seed";
import { MAX_VIEWS_PER_USER } from "../../src/list/saved-views";
import { bareApp, expectNoServerErrors, rowIds, unescapeHtml, type TestUser } from "../support/bare-app";
import { connect } from "../support/database";
import { TestClient, type TestResponse } from "../support/test-client";

const db = connect();
let browser: TestClient;
let logged: unknown[];

/** Users of these tests have user keys "views:<role>"; "anon" gets no key (no views). */
const PREFIX = "views:";
const FIELDS = ["title", "author", "status", "price", "pages"];

beforeAll(async () => {
  await seedCatalogue(db.pool, { books: 60, authors: 10, genres: 5 });
  await clean();
  const { app, errors } = bareApp(
    db,
    (app, crud) => {
      const list = { fields: FIELDS, filters: ["status", "author", "genres", "price"], search: ["title"] };
      const role = (user?: TestUser) => user?.role;
      app.use("/books", crud.resource({
        model: "Book",
        list,
        permissions: {
          list: ({ user }: { user?: TestUser }) => role(user) !== "outsider" || "Outsiders cannot list books.",
          shareViews: ({ user }: { user?: TestUser }) => role(user) === "ann" || "Only Ann publishes views.",
        },
      }));
      // No shareViews hook: sharing asks the bulk hook.
      app.use("/books-bulk", crud.resource({ model: "Book", list, permissions: { bulk: ({ user }: { user?: TestUser }) => role(user) === "bob" } }));
    },
    { userKey: (user: TestUser) => (user.role === "anon" ? undefined : PREFIX + user.role) },
  );
  logged = errors;
  browser = await TestClient.start(app);
});

afterEach(async () => {
  expectNoServerErrors(logged);
  await clean();
});

afterAll(async () => {
  await clean().catch(() => undefined);
  await browser?.close();
  await db.close();
});

async function clean() {
  await db.pool.query(`DELETE FROM powercrud.saved_view WHERE "ownerKey" LIKE $1`, [`${PREFIX}%`]);
  await db.pool.query(`DELETE FROM powercrud.list_preference WHERE "userKey" LIKE $1`, [`${PREFIX}%`]);
}

// ------------------------------------------------------------------ helpers

const as = (role: string, extra: Record<string, string> = {}) => ({ "x-test-role": role, ...extra });
const htmx = (role: string) => as(role, { "HX-Request": "true", "HX-Target": "section#pc-table" });

/** A browser of its own for a user, on a list page (for the CSRF token). */
async function user(role: string, path = "/books"): Promise<TestClient> {
  const client = browser.fork();
  expect((await client.get(path, as(role))).status).toBe(200);
  return client;
}

interface StoredView {
  id: number;
  resource: string;
  ownerKey: string;
  ownerName: string | null;
  name: string;
  query: string;
  columns: string[] | null;
  shared: boolean;
}

async function stored(): Promise<StoredView[]> {
  return (await db.pool.query<StoredView>(`SELECT id, resource, "ownerKey", "ownerName", name, query, columns, shared FROM powercrud.saved_view WHERE "ownerKey" LIKE $1 ORDER BY id`, [`${PREFIX}%`])).rows;
}

async function save(client: TestClient, role: string, name: string, list: string, more: Record<string, string> = {}, base = "/books"): Promise<TestResponse> {
  return client.post(`${base}/_views`, { name, _list: list, _return: `${base}/?${list}`, ...more }, as(role));
}

/** The names in the Views menu's sections of a page. */
function menu(html: string): { mine: string[]; shared: string[]; button: string } {
  const section = (id: string) => {
    const match = new RegExp(`<ul class="mb-2" aria-labelledby="${id}">([\\s\\S]*?)</ul>`).exec(html);
    return match ? [...match[1]!.matchAll(/data-pc-view="\d+"[^>]*>\s*<span class="truncate">([^<]*)<\/span>/g)].map((m) => unescapeHtml(m[1]!)) : [];
  };
  const button = /<summary class="btn btn-sm" id="pc-views-button">([\s\S]*?)<\/summary>/.exec(html)?.[1]?.replace(/<[^>]+>/g, "").trim() ?? "";
  return { mine: section("pc-views-mine"), shared: section("pc-views-shared"), button: unescapeHtml(button) };
}

function visibleColumns(html: string): string[] {
  return [...html.matchAll(/<th scope="col"[^>]*>\s*(?:<a [^>]*>)?\s*([^<]*?)\s*</g)].map((m) => m[1]!).filter(Boolean);
}

// ------------------------------------------------------------------ saving

describe("saving a view", () => {
  it("keeps the list's canonical query (junk and page dropped) and the user's columns, then goes back to the list", async () => {
    const ann = await user("ann");
    expect((await ann.post("/books/_columns", { columns: ["price", "title"] }, as("ann"))).status).toBe(303);
    const response = await save(ann, "ann", "  Cheap   drafts ", "status=DRAFT&status=NOPE&price.max=20&sort=-price,bogus&size=50&page=3&junk=1");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/books/?status=DRAFT&status=NOPE&price.max=20&sort=-price,bogus&size=50&page=3&junk=1");
    expect(await stored()).toEqual([
      expect.objectContaining({ resource: "/books", ownerKey: "views:ann", name: "Cheap drafts", query: "status=DRAFT&price.max=20&sort=-price&size=50", columns: ["title", "price"], shared: false }),
    ]);
    // The list at that state names the view; elsewhere the menu just lists it.
    const there = await ann.get("/books?status=DRAFT&price.max=20&sort=-price&size=50&page=2", as("ann"));
    expect(menu(there.text)).toEqual({ mine: ["Cheap drafts"], shared: [], button: "View: Cheap drafts" });
    expect(there.text).toMatch(/data-pc-view="\d+" aria-current="true"/);
    expect(menu((await ann.get("/books", as("ann"))).text)).toEqual({ mine: ["Cheap drafts"], shared: [], button: "Views" });
  });

  it("answers htmx with the list it came from and a toast", async () => {
    const ann = await user("ann");
    const response = await ann.post("/books/_views", { name: "Drafts", _list: "status=DRAFT" }, {
      ...htmx("ann"),
      "HX-Current-URL": `${ann.origin}/books/?status=DRAFT`,
    });
    expect(response.status).toBe(200);
    expect(response.text).toMatch(/^<section id="pc-table"/);
    expect(JSON.parse(response.headers.get("hx-trigger")!)).toEqual({ "pc:toast": { message: "Saved view “Drafts”." } });
    expect(menu(response.text).button).toBe("View: Drafts");
  });

  it.each([
    ["an empty name", "   ", "Give the view a name."],
    ["a name of 101 characters", "x".repeat(101), "A view name has at most 100 characters."],
    ["a control character", "Bad\u0000name", "A view name cannot hold control characters."],
    ["an escape character", "Bad\u001bname", "A view name cannot hold control characters."],
  ])("refuses %s with 422, the menu open with the message, nothing saved", async (_case, name, message) => {
    const ann = await user("ann");
    const response = await save(ann, "ann", name, "status=DRAFT");
    expect(response.status).toBe(422);
    expect(response.text).toMatch(/<details id="pc-views" class="dropdown" data-pc-popover open>/);
    expect(unescapeHtml(response.text)).toContain(`<p class="mt-1 text-xs text-error" id="pc-view-name-error" role="alert">${message}</p>`);
    expect(await stored()).toEqual([]);
  });

  it("takes 100 characters, whatever they are, and escapes them in the page", async () => {
    const ann = await user("ann");
    const name = `<b>"O'Brien" & 🦉</b>`.padEnd(100, "é");
    expect((await save(ann, "ann", name, "")).status).toBe(303);
    const page = await ann.get("/books", as("ann"));
    expect(page.text).not.toContain("<b>\"O'Brien\"");
    expect(menu(page.text).mine).toEqual([name]);
  });

  it("refuses a second view of the same name (any case) with 422", async () => {
    const ann = await user("ann");
    expect((await save(ann, "ann", "Drafts", "status=DRAFT")).status).toBe(303);
    const response = await save(ann, "ann", "DRAFTS", "status=PUBLISHED");
    expect(response.status).toBe(422);
    expect(unescapeHtml(response.text)).toContain("You already have a view named “DRAFTS”. Choose another name.");
    expect(response.text).toContain('value="DRAFTS"');
    expect((await stored()).map((view) => view.query)).toEqual(["status=DRAFT"]);
    // Another user may use the name.
    const bob = await user("bob");
    expect((await save(bob, "bob", "Drafts", "status=DRAFT")).status).toBe(303);
  });

  it(`stops at ${MAX_VIEWS_PER_USER} views per user and list`, async () => {
    await db.pool.query(
      `INSERT INTO powercrud.saved_view (resource, "ownerKey", name, query) SELECT '/books', 'views:ann', 'View ' || i, '' FROM generate_series(1, $1) i`,
      [MAX_VIEWS_PER_USER],
    );
    const ann = await user("ann");
    const response = await save(ann, "ann", "One more", "");
    expect(response.status).toBe(422);
    expect(response.text).toContain(`You have ${MAX_VIEWS_PER_USER} views of this list, the most there can be. Delete one first.`);
    expect(await stored()).toHaveLength(MAX_VIEWS_PER_USER);
    // Another list has its own count.
    expect((await save(ann, "ann", "One more", "", {}, "/books-bulk")).status).toBe(303);
  });

  it("refuses a filter too long to keep", async () => {
    const ann = await user("ann");
    const genres = Array.from({ length: 2_500 }, (_, i) => `genres=${i + 1}`).join("&");
    const response = await save(ann, "ann", "Huge", genres);
    expect(response.status).toBe(422);
    expect(response.text).toMatch(/too long to keep as a view \([\d,]+ characters, at most 10,000\)/);
    expect(await stored()).toEqual([]);
  });

  it("needs a signed-in user with a key, the list permission and the CSRF token", async () => {
    const anon = browser.fork();
    const page = await anon.get("/books", as("anon"));
    expect(page.text).not.toContain('id="pc-views"');
    const refused = await save(anon, "anon", "Mine", "");
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("Sign in to keep views of this list.");
    expect((await save(anon, "", "Mine", "")).status).toBe(403);

    const outsider = browser.fork();
    await outsider.get("/books-bulk", as("outsider"));
    const denied = await save(outsider, "outsider", "Mine", "");
    expect(denied.status).toBe(403);
    expect(denied.text).toContain("Outsiders cannot list books.");

    const ann = await user("ann");
    expect((await ann.post("/books/_views", { name: "No token", _csrf: "" }, as("ann"))).status).toBe(403);
    expect((await ann.post("/books/_views", { name: "Wrong token", _csrf: "x".repeat(64) }, as("ann"))).status).toBe(403);
    expect(await stored()).toEqual([]);
  });
});

// ------------------------------------------------------------------ applying

describe("applying a view", () => {
  async function annsView(list = "status=DRAFT&sort=-price&size=10", columns = ["price", "title"]): Promise<StoredView> {
    const ann = await user("ann");
    await ann.post("/books/_columns", { columns }, as("ann"));
    expect((await save(ann, "ann", "Cheap drafts", list)).status).toBe(303);
    return (await stored())[0]!;
  }

  it("brings back its query (a redirect) and its columns (saved as the user's choice)", async () => {
    const view = await annsView();
    const ann = await user("ann");
    await ann.post("/books/_columns", { reset: "1" }, as("ann"));
    const response = await ann.post(`/books/_views/${view.id}/apply`, {}, as("ann"));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/books/?status=DRAFT&sort=-price&size=10");
    const page = await ann.get(response.headers.get("location")!, as("ann"));
    expect(visibleColumns(page.text)).toEqual(["Title", "Price"]);
    const expected = (await db.pool.query<{ id: number }>(`SELECT id FROM "Book" WHERE status = 'DRAFT' ORDER BY price DESC, id DESC LIMIT 10`)).rows.map((row) => row.id);
    expect(rowIds(page.text)).toEqual(expected);
  });

  it("answers htmx with the table at the view's query and pushes its URL", async () => {
    const view = await annsView("q=the&status=PUBLISHED");
    const ann = await user("ann");
    const response = await ann.post(`/books/_views/${view.id}/apply`, {}, htmx("ann"));
    expect(response.status).toBe(200);
    expect(response.headers.get("hx-push-url")).toBe("/books/?q=the&status=PUBLISHED");
    expect(response.text).toMatch(/^<section id="pc-table"/);
    expect(response.text).toContain('data-pc-current-url="/books/?q=the&amp;status=PUBLISHED"');
    expect(menu(response.text).button).toBe("View: Cheap drafts");
  });

  it("keeps the user's columns when the view's columns are gone from the list", async () => {
    const view = await annsView();
    await db.pool.query(`UPDATE powercrud.saved_view SET columns = ARRAY['gone', 'description'] WHERE id = $1`, [view.id]);
    const ann = await user("ann");
    await ann.post("/books/_columns", { columns: ["status"] }, as("ann"));
    await ann.post(`/books/_views/${view.id}/apply`, {}, as("ann"));
    expect(visibleColumns((await ann.get("/books", as("ann"))).text)).toEqual(["Status"]);
  });

  it("is someone else's private view: 404, as if there were none", async () => {
    const view = await annsView();
    const bob = await user("bob");
    const response = await bob.post(`/books/_views/${view.id}/apply`, {}, as("bob"));
    expect(response.status).toBe(404);
    expect(response.text).toContain("There is no such saved view of this list.");
    expect(menu((await bob.get("/books", as("bob"))).text)).toEqual({ mine: [], shared: [], button: "Views" });
    // Nor on another list, by the owner.
    const ann = await user("ann", "/books-bulk");
    expect((await ann.post(`/books-bulk/_views/${view.id}/apply`, {}, as("ann"))).status).toBe(404);
  });

  it.each(["abc", "0", "-1", "1e3", "01", "99999999999", "1.5", "%00", "__proto__"])("answers the id %j with 404", async (id) => {
    const ann = await user("ann");
    for (const action of ["apply", "rename", "share", "delete"]) {
      const response = await ann.post(`/books/_views/${id}/${action}`, { name: "x", shared: "1" }, as("ann"));
      expect(response.status, `${action} ${id}`).toBe(404);
    }
  });
});

// ------------------------------------------------------------------ sharing

describe("sharing", () => {
  it("a permitted user shares a view: everyone sees it by its owner's name and may apply it, not change it", async () => {
    const ann = await user("ann");
    expect((await ann.get("/books", as("ann"))).text).toContain('name="shared" value="1"> Share with everyone');
    expect((await save(ann, "ann", "Team drafts", "status=DRAFT", { shared: "1" })).status).toBe(303);
    const [view] = await stored();
    expect(view).toEqual(expect.objectContaining({ shared: true, ownerName: null }));

    const bob = await user("bob");
    expect(menu((await bob.get("/books", as("bob"))).text)).toEqual({ mine: [], shared: ["Team drafts"], button: "Views" });
    expect((await bob.post(`/books/_views/${view!.id}/apply`, {}, as("bob"))).headers.get("location")).toBe("/books/?status=DRAFT");
    for (const [action, verb] of [["rename", "rename"], ["delete", "delete"], ["share", "share or stop sharing"]] as const) {
      const response = await bob.post(`/books/_views/${view!.id}/${action}`, { name: "Mine now", shared: "0" }, as("bob"));
      expect(response.status, action).toBe(403);
      expect(unescapeHtml(response.text)).toContain(`Only the person who saved the view “Team drafts” can ${verb} it.`);
    }
    expect(await stored()).toEqual([view]);

    // Stopping sharing takes it out of the others' menus.
    expect((await ann.post(`/books/_views/${view!.id}/share`, { shared: "0" }, as("ann"))).status).toBe(303);
    expect(menu((await bob.get("/books", as("bob"))).text).shared).toEqual([]);
    expect((await bob.post(`/books/_views/${view!.id}/apply`, {}, as("bob"))).status).toBe(404);
  });

  it("refuses a user the shareViews hook refuses, with its reason, storing nothing", async () => {
    const bob = await user("bob");
    expect((await bob.get("/books", as("bob"))).text).not.toContain('name="shared" value="1"> Share with everyone');
    const response = await save(bob, "bob", "Bob's", "status=DRAFT", { shared: "1" });
    expect(response.status).toBe(403);
    expect(response.text).toContain("Only Ann publishes views.");
    expect(await stored()).toEqual([]);
    expect((await save(bob, "bob", "Bob's", "status=DRAFT")).status).toBe(303);
    const [view] = await stored();
    expect((await bob.post(`/books/_views/${view!.id}/share`, { shared: "1" }, as("bob"))).status).toBe(403);
    expect((await stored())[0]!.shared).toBe(false);
  });

  it("without a shareViews hook, asks the bulk hook", async () => {
    const bob = await user("bob", "/books-bulk");
    expect((await save(bob, "bob", "Bulk people's", "", { shared: "1" }, "/books-bulk")).status).toBe(303);
    const ann = await user("ann", "/books-bulk");
    expect((await save(ann, "ann", "Ann's", "", { shared: "1" }, "/books-bulk")).status).toBe(403);
    expect((await stored()).map((view) => [view.ownerKey, view.shared])).toEqual([["views:bob", true]]);
  });

  it("keeps the owner's name for the menu when getUser gives one", async () => {
    await db.pool.query(`INSERT INTO powercrud.saved_view (resource, "ownerKey", "ownerName", name, query, shared) VALUES ('/books', 'views:zed', 'Zed Zebra', 'Zed''s', '', true)`);
    const page = await (await user("ann")).get("/books", as("ann"));
    expect(page.text).toContain('title="Saved by Zed Zebra">by Zed Zebra</span>');
  });
});

// ------------------------------------------------------------------ renaming and deleting

describe("renaming and deleting", () => {
  it("renames an own view; a clash or a bad name is refused next to its box", async () => {
    const ann = await user("ann");
    await save(ann, "ann", "First", "status=DRAFT");
    await save(ann, "ann", "Second", "status=PUBLISHED");
    const [first] = await stored();
    expect((await ann.post(`/books/_views/${first!.id}/rename`, { name: "Drafts only" }, as("ann"))).status).toBe(303);
    expect((await stored()).map((view) => view.name)).toEqual(["Drafts only", "Second"]);

    const clash = await ann.post(`/books/_views/${first!.id}/rename`, { name: "second" }, as("ann"));
    expect(clash.status).toBe(422);
    expect(clash.text).toMatch(new RegExp(`<details class="pc-view-manage open:basis-full" open>`));
    expect(unescapeHtml(clash.text)).toContain(`<p class="text-xs text-error" id="pc-view-${first!.id}-error" role="alert">You already have a view named “second”. Choose another name.</p>`);
    expect((await ann.post(`/books/_views/${first!.id}/rename`, { name: "" }, as("ann"))).status).toBe(422);
    expect((await stored()).map((view) => view.name)).toEqual(["Drafts only", "Second"]);
  });

  it("deletes an own view, once", async () => {
    const ann = await user("ann");
    await save(ann, "ann", "Doomed", "");
    const [view] = await stored();
    const response = await ann.post(`/books/_views/${view!.id}/delete`, {}, htmx("ann"));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.headers.get("hx-trigger")!)).toEqual({ "pc:toast": { message: "Deleted view “Doomed”." } });
    expect(await stored()).toEqual([]);
    expect((await ann.post(`/books/_views/${view!.id}/delete`, {}, as("ann"))).status).toBe(404);
  });
});
