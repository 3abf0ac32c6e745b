/**
 * The hostile-input sweep of every route PowerCRUD mounts, in a bare app against the real PostgreSQL:
 * the resource's routers and the status page's are read route by route, and each route must have
 * probes here (a new route without them fails the inventory test). Each probe sends what a hostile
 * or confused client would: malformed and huge ids, NUL bytes, bytes that are not UTF-8, repeated
 * keys where one value is expected, overlong text, missing or forged CSRF tokens, other users'
 * views and tasks, users without the permission. The answer must be the status the probe expects,
 * with a message, never a 500, never PostgreSQL's own refusal (the safety net's "Value not
 * accepted": a value reached the database unchecked), and a refused request writes nothing.
 */
import type { Router } from "express";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { seedCatalogue } from "../../src/demo/seed";
import { bareApp, expectNoServerErrors, type TestUser } from "../support/bare-app";
import { BAR, MODAL, textOf } from "../support/bulk-fixture";
import { connect } from "../support/database";
import { parseCsv } from "../support/csv";
import { hostileValue, PROPERTY_RUNS } from "../support/hostile";
import { resetTasks } from "../support/task-helpers";
import { TestClient, type TestResponse } from "../support/test-client";

const db = connect();
let server: TestClient;
let logged: unknown[];
const routers = new Map<string, Router>();

const role = (user: unknown) => (user as TestUser | undefined)?.role ?? "";
/** Who may change books; "viewer" may list, view and see history but neither change nor export; "outsider" sees nothing. */
const EDITORS = ["admin", "other"];
const ROLES = ["admin", "other", "viewer", "outsider", "manager", ""] as const;
type Role = (typeof ROLES)[number];
const clients = new Map<Role, TestClient>();

/** Objects of one user that another must not reach: filled in by beforeAll, used by the probes as {name}. */
const objects: Record<string, string> = {};

beforeAll(async () => {
  await seedCatalogue(db.pool, { books: 40, authors: 6, genres: 5 });
  await resetTasks(db.pool);
  await db.pool.query(`TRUNCATE powercrud.selection, powercrud.saved_view, powercrud.list_preference, powercrud.export_file CASCADE`);
  const staff = (message: string) => ({ user }: { user: unknown }) => EDITORS.includes(role(user)) || message;
  const mounted = bareApp(db, (app, crud) => {
    const books = crud.resource({
      model: "Book",
      list: {
        fields: ["title", "author", "genres", "pages", "publishedDate", "status"],
        filters: ["author", "genres", "pages", "publishedDate", "status"],
        defaultFilters: ["status"],
        search: ["title"],
      },
      inlineEdit: { fields: ["title", "pages"] },
      bulkFields: ["pages", "status"],
      bulk: { background: { minRecords: 1_000 } },
      export: { backgroundMinRecords: 30 },
      permissions: {
        list: ({ user }) => role(user) !== "outsider" || "Only staff see books.",
        detail: ({ user }) => role(user) !== "outsider" || "Only staff see books.",
        create: staff("Only editors change books."),
        update: staff("Only editors change books."),
        delete: staff("Only editors change books."),
        bulk: staff("Only editors change books."),
        export: ({ user }) => role(user) !== "viewer" || "Exports are for staff.",
        shareViews: ({ user }) => role(user) === "admin" || "Only admins share views.",
      },
    });
    const tasks = crud.tasks();
    routers.set("/books", books);
    routers.set("/tasks", tasks);
    app.use("/books", books);
    app.use("/tasks", tasks);
  }, {
    userKey: (user: TestUser) => user.role,
    tasks: { url: "/tasks", canManage: ({ user }) => role(user) === "manager" },
  });
  logged = mounted.errors;
  server = await TestClient.start(mounted.app);
  for (const name of ROLES) {
    const client = server.fork();
    expect((await client.get(name === "outsider" ? "/tasks/" : "/books/", headersOf(name))).status, name).toBe(200);
    clients.set(name, client);
  }
  await arrange();
});

afterEach(() => expectNoServerErrors(logged));

afterAll(async () => {
  await server?.close();
  // The files after this one share the database: no task, view, selection or column choice of this one stays.
  await resetTasks(db.pool);
  await db.pool.query(`TRUNCATE powercrud.selection, powercrud.saved_view, powercrud.list_preference CASCADE`);
  await db.close();
});

function headersOf(name: Role): Record<string, string> {
  return name ? { "x-test-role": name } : {};
}

/** Saved views, bulk tasks and exports of two users, and the ids the probes use. */
async function arrange(): Promise<void> {
  const saveView = async (as: Role, name: string, shared: boolean) => {
    const response = await clients.get(as)!.post("/books/_views", { name, _list: "status=DRAFT", ...(shared ? { shared: "1" } : {}), _return: "/books/" }, headersOf(as));
    expect(response.status, response.text).toBe(303);
    return String((await db.pool.query(`SELECT id FROM powercrud.saved_view WHERE name = $1`, [name])).rows[0].id);
  };
  objects.adminPrivateView = await saveView("admin", "Admin's private view", false);
  objects.adminSharedView = await saveView("admin", "Admin's shared view", true);
  objects.otherView = await saveView("other", "Other's view", false);

  const bulkEdit = async (as: Role, ids: number[], pages: string) => {
    const client = clients.get(as)!;
    const headers = { ...headersOf(as) };
    expect((await client.post("/books/_selection", { op: "rows", ids: ids.join(","), selected: "1" }, { ...BAR, ...headers })).status).toBe(200);
    const token = /name="selection" value="([^"]*)"/.exec((await client.get("/books/_bulk/edit", { ...MODAL, ...headers })).text)![1]!;
    const applied = await client.post("/books/_bulk/apply", { selection: token, _change: "pages", pages }, { ...MODAL, ...headers });
    expect(applied.status, applied.text).toBe(200);
    return String((await db.pool.query(`SELECT max(id) AS id FROM powercrud.task WHERE "userKey" = $1`, [as])).rows[0].id);
  };
  objects.adminTask = await bulkEdit("admin", [1, 2], "111");
  objects.otherTask = await bulkEdit("other", [3, 4], "222");
  // A selection of admin's that other's forms must not reach.
  await clients.get("admin")!.post("/books/_selection", { op: "rows", ids: "5,6", selected: "1" }, { ...BAR, ...headersOf("admin") });
  objects.adminSelection = /name="selection" value="([^"]*)"/.exec((await clients.get("admin")!.get("/books/_bulk/edit", { ...MODAL, ...headersOf("admin") })).text)![1]!;

  // The whole list (40 rows, from 30 on in the background) queues an export; no worker runs here.
  const exported = await clients.get("other")!.post("/books/_export", { format: "csv", scope: "list", _list: "" }, headersOf("other"));
  expect(exported.status, exported.text).toBe(303);
  objects.otherExport = /\/tasks\/(\d+)/.exec(exported.headers.get("location") ?? "")![1]!;
  const expired = await clients.get("admin")!.post("/books/_export", { format: "xlsx", scope: "list", _list: "" }, headersOf("admin"));
  objects.adminExport = /\/tasks\/(\d+)/.exec(expired.headers.get("location") ?? "")![1]!;
  // Its file came and went (the cleanup deleted it): the task says SUCCESS, no file is left.
  await db.pool.query(`UPDATE powercrud.task SET status = 'SUCCESS', "finishedAt" = now() WHERE id = $1`, [objects.adminExport]);
}

/** A digest of every table a request could write: equal before and after means nothing was written. */
async function fingerprint(): Promise<string> {
  const { rows } = await db.pool.query<{ digest: string }>(`
    SELECT md5(concat_ws('|',
      (SELECT string_agg(b::text, ',' ORDER BY id) FROM "Book" b),
      (SELECT string_agg(l::text, ',' ORDER BY "A", "B") FROM "_BookToGenre" l),
      (SELECT string_agg(concat_ws(':', id, status, "cancelRequested"), ',' ORDER BY id) FROM powercrud.task),
      (SELECT string_agg(v::text, ',' ORDER BY id) FROM powercrud.saved_view v),
      (SELECT string_agg(concat_ws(':', id, "recordId", action), ',' ORDER BY id) FROM powercrud.record_change),
      (SELECT count(*) FROM powercrud.journal),
      (SELECT string_agg(p::text, ',' ORDER BY p::text) FROM powercrud.list_preference p))) AS digest`);
  return rows[0]!.digest;
}

// ------------------------------------------------------------------ probes

/** A posted form; the probes' arrays of forms leave out keys some of them have. */
type Form = { [key: string]: string | string[] | undefined };

interface Probe {
  method: "GET" | "POST";
  /** With {name} for an object of `objects`. */
  path: string;
  as?: Role;
  form?: Form;
  /** A body sent as written (after the CSRF token), for what URLSearchParams would not write. */
  raw?: string;
  headers?: Record<string, string>;
  /** A status, any 4xx, or "ok" (2xx or 3xx: the junk is ignored, as the list ignores what it cannot use). */
  status: number | "4xx" | "ok";
  /** What the refusal's message says. */
  says?: RegExp;
}

const get = (path: string, status: Probe["status"], extra: Partial<Probe> = {}): Probe => ({ method: "GET", path, status, ...extra });
const post = (path: string, form: Form, status: Probe["status"], extra: Partial<Probe> = {}): Probe => ({ method: "POST", path, form, status, ...extra });

const HX = { "HX-Request": "true", "HX-Target": "tr", "HX-Current-URL": "http://127.0.0.1/books/" };
const NO_CSRF = { _csrf: "" };
const FORGED_CSRF = { _csrf: "forged-0123456789abcdef0123456789abcdef" };
const CSRF = /security token/;
const LONG = "x".repeat(20_000);
/** As long as a query string may get: Node answers 431 (headers too large) to a URL past 16 KB. */
const LONG_QUERY = "x".repeat(5_000);

/** Ids no record or task has, in every malformed shape. */
const BAD_IDS = ["0", "-1", "1.5", "1e3", "abc", "%00", "%FF", "3000000000", "99999999999999999999", "__proto__", "%E2%80%AE", "%201", "0x10"];

/** List queries with every kind of junk, for the list and everything that reads its query. */
const LIST_JUNK = [
  "author=3000000000", "author=abc&author=%00", "genres=3000000000&genres.all=1", "genres=1&genres=2&genres.all=%00&genres.all=1",
  "publishedDate.preset=%3Cscript%3E", "publishedDate.preset=last-7-days&publishedDate.preset=today", "publishedDate.preset=__proto__",
  "publishedDate.min=0000-01-01&publishedDate.max=99999-01-01", "publishedDate.min=2023-02-30", "pages.min=1e400", "pages.max=-2147483649",
  "pages.empty=%00", "status=NOPE&status=%00", "q=%00", "q=%FF%FE", `q=${LONG_QUERY}`, "q=a&q=b", "add=pages,nope,__proto__", `add=${"pages,".repeat(2_000)}`,
  "add=%00&add=author", "sort=%00,-nope", "sort=title&sort=-pages", "size=-1", "size=all&size=10", "page=99999999999999999999", "page=-1",
  "author.preset=today&genres.min=1&status.all=1",
];

/** For every route, by method and path as mounted: what it must answer to hostile input. */
const SWEEP: Record<string, Probe[]> = {
  // ---------------------------------------------------------------- the list and what reads its query
  "GET /books/": [
    ...LIST_JUNK.map((query) => get(`/books/?${query}`, "ok")),
    get("/books/", 403, { as: "outsider", says: /Only staff see books/ }),
  ],
  "GET /books/_count": [
    ...LIST_JUNK.map((query) => get(`/books/_count?${query}`, "ok")),
    get("/books/_count", 403, { as: "outsider", says: /Only staff see books/ }),
  ],
  "GET /books/_filter-choices/:filter": [
    ...["q=%00", "q=%FF%FE", `q=${LONG_QUERY}`, "q=a&q=b", "q=%25_%5C", "page=1&q=%00"].flatMap((query) => [get(`/books/_filter-choices/author?${query}`, "ok"), get(`/books/_filter-choices/genres?${query}`, "ok")]),
    ...["0", "-1", "abc", "1000", "99999999999999", "1.5", "%00", "1&page=2"].map((page) => get(`/books/_filter-choices/author?page=${page}`, 400, { says: /page must be a whole number/ })),
    ...["status", "pages", "nope", "%00", "__proto__", "constructor", "author%00"].map((name) => get(`/books/_filter-choices/${name}`, 404, { says: /no relation filter/ })),
    get("/books/_filter-choices/%FF", "4xx"),
    get("/books/_filter-choices/author", 403, { as: "outsider", says: /Only staff see books/ }),
  ],
  "POST /books/_export": [
    post("/books/_export", { format: "csv" }, 403, { as: "viewer", says: /Exports are for staff/ }),
    post("/books/_export", { format: "csv" }, 403, { as: "outsider", says: /Only staff see books/ }),
    post("/books/_export", { format: "csv", ...NO_CSRF }, 403, { says: CSRF }),
    post("/books/_export", { format: "csv", ...FORGED_CSRF }, 403, { says: CSRF }),
    ...[{}, { format: "pdf" }, { format: ["csv", "xlsx"] }, { format: "csv\u0000" }, { format: "CSV" }, { format: LONG }].map((form) => post("/books/_export", form, 400, { says: /Choose a file format/ })),
    ...[{ scope: "nope" }, { scope: ["list", "selection"] }, { scope: "\u0000" }, { scope: "" }].map((form) => post("/books/_export", { format: "csv", ...form }, 400, { says: /Choose what to export/ })),
    post("/books/_export", { format: "csv", scope: "selection" }, 403, { as: "viewer", says: /Exports are for staff/ }),
    post("/books/_export", { format: "csv", scope: "selection" }, 422, { as: "other", says: /Select the books to export first/ }),
    post("/books/_export", { format: "csv", _list: ["status=DRAFT", "status=PUBLISHED"] }, 400, { says: /one query string/ }),
    post("/books/_export", { format: "csv", _list: `q=${LONG}` }, 422, { says: /too long to export/ }),
    ...LIST_JUNK.slice(0, 16).map((query) => post("/books/_export", { format: "csv", _list: `${query}&q=zz-no-such-title` }, "ok")),
    post("/books/_export", { format: "xlsx", _list: "q=zz-no-such-title", columns: ["isbn", "__proto__"], "columns[]": "isbn" }, "ok"),
    { method: "POST", path: "/books/_export", raw: "format=csv&_list=q%3D%FF%FE%00", status: "ok" },
    { method: "POST", path: "/books/_export", raw: "format=%FF&_list=", status: 400, says: /Choose a file format/ },
  ],
  "POST /books/_columns": [
    ...[{ columns: "nope" }, { columns: ["__proto__", "\u0000"] }, { columns: LONG }, { reset: ["1", "1"] }, {}].map((form) => post("/books/_columns", form, 422, { says: /Choose at least one column/ })),
    post("/books/_columns", { columns: "title", ...NO_CSRF }, 403, { says: CSRF }),
    post("/books/_columns", { columns: "title" }, 403, { as: "outsider", says: /Only staff see books/ }),
  ],
  "GET /books/_choices/:field": [
    ...["authorId?q=%00", "authorId?q=%FF", `genres?q=${LONG_QUERY}`, "genres?genres=3000000000&genres=abc", "authorId?authorId=1&authorId=%00"].map((path) => get(`/books/_choices/${path}`, "ok")),
    ...["nope", "title", "%00", "__proto__"].map((name) => get(`/books/_choices/${name}`, 404, { says: /no searchable field/ })),
    get("/books/_choices/authorId", 403, { as: "viewer", says: /permission to edit/ }),
  ],

  // ---------------------------------------------------------------- saved views
  "POST /books/_views": [
    ...[{ name: ["A", "B"] }, { name: "" }, { name: " \u0000 " }].map((form) => post("/books/_views", form, 422, { says: /Give the view a name|control characters/ })),
    post("/books/_views", { name: "a\u0000b" }, 422, { says: /control characters/ }),
    post("/books/_views", { name: LONG }, 422, { says: /at most 100 characters/ }),
    post("/books/_views", { name: "Long filter", _list: `q=${"y".repeat(150)}&author=${Array.from({ length: 2_000 }, (_, n) => n + 1).join("&author=")}` }, 422, { says: /too long to keep/ }),
    post("/books/_views", { name: "Two lists", _list: ["status=DRAFT", "status=PUBLISHED"] }, 400, { says: /one query string/ }),
    post("/books/_views", { name: "Two flags", shared: ["1", "0"] }, 400, { says: /"shared" field/ }),
    post("/books/_views", { name: "Shared by a viewer", shared: "1" }, 403, { as: "viewer", says: /Only admins share views/ }),
    post("/books/_views", { name: "Outsider's" }, 403, { as: "outsider", says: /Only staff see books/ }),
    post("/books/_views", { name: "Anonymous" }, 403, { as: "", says: /Sign in to keep views/ }),
    post("/books/_views", { name: "No token", ...NO_CSRF }, 403, { says: CSRF }),
    post("/books/_views", { name: "Forged token", ...FORGED_CSRF }, 403, { says: CSRF }),
  ],
  "POST /books/_views/:id/apply": [
    ...BAD_IDS.map((id) => post(`/books/_views/${id}/apply`, {}, "4xx")),
    post("/books/_views/{otherView}/apply", {}, 404, { says: /no such saved view/ }),
    post("/books/_views/{adminPrivateView}/apply", {}, 404, { as: "other", says: /no such saved view/ }),
    post("/books/_views/{adminSharedView}/apply", {}, 403, { as: "outsider", says: /Only staff see books/ }),
    post("/books/_views/{adminSharedView}/apply", NO_CSRF, 403, { as: "other", says: CSRF }),
  ],
  "POST /books/_views/:id/rename": [
    ...BAD_IDS.map((id) => post(`/books/_views/${id}/rename`, { name: "New" }, "4xx")),
    post("/books/_views/{adminSharedView}/rename", { name: "Taken over" }, 403, { as: "other", says: /Only the person who saved/ }),
    post("/books/_views/{adminPrivateView}/rename", { name: "Taken over" }, 404, { as: "other", says: /no such saved view/ }),
    ...[{ name: ["A", "B"] }, { name: "a\u0000" }, { name: LONG }, {}].map((form) => post("/books/_views/{adminPrivateView}/rename", form, 422)),
    post("/books/_views/{adminPrivateView}/rename", { name: "Admin's shared view" }, 422, { says: /already have a view named/ }),
    post("/books/_views/{adminPrivateView}/rename", { name: "No token", ...NO_CSRF }, 403, { says: CSRF }),
  ],
  "POST /books/_views/:id/share": [
    ...BAD_IDS.map((id) => post(`/books/_views/${id}/share`, { shared: "1" }, "4xx")),
    post("/books/_views/{otherView}/share", { shared: "1" }, 403, { as: "other", says: /Only admins share views/ }),
    post("/books/_views/{adminSharedView}/share", { shared: "0" }, 403, { as: "other", says: /Only the person who saved/ }),
    ...[["1", "0"], "yes", "\u0000", LONG].map((shared) => post("/books/_views/{adminPrivateView}/share", { shared }, 400, { says: /"shared" field/ })),
    post("/books/_views/{adminPrivateView}/share", { shared: "1", ...FORGED_CSRF }, 403, { says: CSRF }),
  ],
  "POST /books/_views/:id/delete": [
    ...BAD_IDS.map((id) => post(`/books/_views/${id}/delete`, {}, "4xx")),
    post("/books/_views/{adminSharedView}/delete", {}, 403, { as: "other", says: /Only the person who saved/ }),
    post("/books/_views/{otherView}/delete", {}, 404, { says: /no such saved view/ }),
    post("/books/_views/{adminPrivateView}/delete", {}, 403, { as: "outsider", says: /Only staff see books/ }),
    post("/books/_views/{adminPrivateView}/delete", NO_CSRF, 403, { says: CSRF }),
  ],

  // ---------------------------------------------------------------- selection and bulk
  "POST /books/_selection": [
    ...[{ op: "nope" }, { op: ["rows", "clear"] }, { op: "\u0000" }, {}].map((form) => post("/books/_selection", form, 400, { headers: BAR, says: /Unknown selection action/ })),
    ...["3000000000", "abc", "1,%00", "-1"].map((ids) => post("/books/_selection", { op: "rows", ids, selected: "1" }, 400, { headers: BAR, says: /is not a record id/ })),
    post("/books/_selection", { op: "rows", ids: Array.from({ length: 20_000 }, (_, n) => n + 1).join(","), selected: "1" }, 413, { headers: BAR }),
    post("/books/_selection", { op: "all", _list: `q=${LONG}&author=${"1&author=".repeat(3_000)}1` }, "ok", { headers: BAR }),
    post("/books/_selection", { op: "rows", ids: "1", selected: "1" }, 403, { as: "viewer", headers: BAR, says: /cannot change books in bulk/ }),
    post("/books/_selection", { op: "clear", ...NO_CSRF }, 403, { headers: BAR, says: CSRF }),
  ],
  "GET /books/_selection/count": [
    ...["?form=%00", "?matching=%00", `?matching=${LONG_QUERY}`].map((query) => get(`/books/_selection/count${query}`, "ok", { headers: BAR, as: "other" })),
    get("/books/_selection/count?form=1&selection=abc", 409, { headers: BAR, as: "other", says: /Select the records again/ }),
    get("/books/_selection/count", 403, { as: "viewer", says: /cannot change books in bulk/ }),
  ],
  "GET /books/_bulk/edit": [
    get("/books/_bulk/edit", "4xx", { as: "manager", headers: MODAL }),
    get("/books/_bulk/edit?selection=abc", "4xx", { as: "other", headers: MODAL }),
  ],
  ...Object.fromEntries(["preview", "form", "apply"].map((step) => [`POST /books/_bulk/${step}`, [
    ...["", "abc", "{adminSelection}", "%00", LONG].map((selection) => post(`/books/_bulk/${step}`, { selection, _change: "pages", pages: "5" }, "4xx", { as: "other", headers: MODAL })),
    post(`/books/_bulk/${step}`, { selection: ["{adminSelection}", "{adminSelection}"], _change: "pages", pages: "5" }, "4xx", { headers: MODAL }),
    ...[{ pages: "3000000000" }, { pages: ["1", "2"] }, { pages: "\u0000" }, { _change: "isbn", isbn: "1" }, { _change: ["pages", "__proto__"], pages: "5" }].map((form) =>
      post(`/books/_bulk/${step}`, { selection: "{adminSelection}", _change: "pages", ...form }, "4xx", { headers: MODAL })),
    post(`/books/_bulk/${step}`, { selection: "{adminSelection}", _change: "pages", pages: "5" }, 403, { as: "viewer", headers: MODAL }),
    post(`/books/_bulk/${step}`, { selection: "{adminSelection}", _change: "pages", pages: "5", ...NO_CSRF }, 403, { headers: MODAL, says: CSRF }),
  ]])),
  "GET /books/_bulk/delete": [
    get("/books/_bulk/delete", "4xx", { as: "manager", headers: MODAL }),
    get("/books/_bulk/delete?selection=%00", "4xx", { as: "viewer", headers: MODAL }),
  ],
  "POST /books/_bulk/delete": [
    ...["", "abc", "{adminSelection}", "%00"].map((selection) => post("/books/_bulk/delete", { selection }, "4xx", { as: "other", headers: MODAL })),
    post("/books/_bulk/delete", { selection: "{adminSelection}" }, 403, { as: "viewer", headers: MODAL }),
    post("/books/_bulk/delete", { selection: "{adminSelection}", ...NO_CSRF }, 403, { headers: MODAL, says: CSRF }),
  ],

  // ---------------------------------------------------------------- records
  "GET /books/new": [get("/books/new", 403, { as: "viewer", says: /Only editors/ }), get("/books/new?title=%00&authorId=3000000000", "ok")],
  "POST /books/": [
    post("/books", { title: ["A", "B"], isbn: "9780000000001", pages: "1", price: "1", authorId: "1", status: "DRAFT" }, 422),
    post("/books", { title: "T", authorId: ["1", "2"] }, 422),
    post("/books", { title: "T" }, 403, { as: "viewer", says: /Only editors/ }),
    post("/books", { title: "T", ...NO_CSRF }, 403, { says: CSRF }),
    { method: "POST", path: "/books", raw: "title=%FF&pages=%FF%FE&authorId=%FF", status: 422 },
  ],
  "GET /books/:id": [...BAD_IDS.map((id) => get(`/books/${id}`, "4xx")), get("/books/1", 403, { as: "outsider", says: /Only staff see books/ })],
  "GET /books/:id/edit": [...BAD_IDS.map((id) => get(`/books/${id}/edit`, "4xx")), get("/books/1/edit", 403, { as: "viewer", says: /Only editors/ })],
  "POST /books/:id": [
    ...BAD_IDS.map((id) => post(`/books/${id}`, { title: "T" }, "4xx")),
    post("/books/1", { title: "T" }, 403, { as: "viewer", says: /Only editors/ }),
    post("/books/1", { title: "T", ...FORGED_CSRF }, 403, { says: CSRF }),
  ],
  "GET /books/:id/delete": [...BAD_IDS.map((id) => get(`/books/${id}/delete`, "4xx")), get("/books/1/delete", 403, { as: "viewer", says: /Only editors/ })],
  "POST /books/:id/delete": [
    ...BAD_IDS.map((id) => post(`/books/${id}/delete`, {}, "4xx")),
    post("/books/1/delete", {}, 403, { as: "viewer", says: /Only editors/ }),
    post("/books/1/delete", NO_CSRF, 403, { says: CSRF }),
  ],
  "GET /books/:id/history": [
    ...BAD_IDS.map((id) => get(`/books/${id}/history`, "4xx")),
    ...["tasks=999999999999999", "tasks=2147483648", "changes=99999999999999999999", "tasks=-1", "tasks=abc", "tasks=1e3", "tasks=1&tasks=2", "changes=%00", "changes=1.5"].map((query) =>
      get(`/books/1/history?${query}`, 400, { says: /position \(tasks, changes\)/ })),
    get("/books/1/history?tasks=2147483647&changes=9007199254740991", 200),
    get("/books/1/history", 403, { as: "outsider", says: /Only staff see books/ }),
    // The history asks the update hook when it has none of its own: a viewer sees the record, not who changed it.
    get("/books/1/history", 403, { as: "viewer", says: /Only editors change books/ }),
  ],
  "GET /books/:id/inline": [
    ...BAD_IDS.map((id) => get(`/books/${id}/inline`, "4xx", { headers: HX })),
    get("/books/1/inline", 403, { as: "viewer", headers: HX, says: /Only editors/ }),
  ],
  "GET /books/:id/row": [
    ...BAD_IDS.map((id) => get(`/books/${id}/row`, "4xx", { headers: HX })),
    get("/books/1/row", 403, { as: "outsider", headers: HX, says: /Only staff see books/ }),
  ],
  "POST /books/:id/inline": [
    ...BAD_IDS.map((id) => post(`/books/${id}/inline`, { _fields: "title", title: "T" }, "4xx", { headers: HX })),
    ...[{ _fields: "isbn", isbn: "1" }, { _fields: "\u0000" }, { _fields: LONG }, {}, { _fields: "__proto__,constructor" }].map((form) =>
      post("/books/1/inline", form, 400, { headers: HX, says: /names no field that can be edited in place/ })),
    // A repeated key of a single-value field is read as its last value, as the edit form reads it (parse-form.ts).
    ...[{ title: "a\u0000" }, { title: LONG }, { pages: "3000000000" }, { pages: "1e3" }, { pages: ["1", "-2147483649"] }].map((form) =>
      post("/books/1/inline", { _fields: "title,pages", title: "T", pages: "5", ...form }, 422, { headers: HX })),
    { method: "POST", path: "/books/1/inline", raw: "_fields=title,pages&title=T&pages=%FF%FE", headers: HX, status: 422 },
    post("/books/1/inline", { _fields: "title", title: "T" }, 403, { as: "viewer", headers: HX, says: /Only editors/ }),
    post("/books/1/inline", { _fields: "title", title: "T", ...NO_CSRF }, 403, { headers: HX, says: CSRF }),
  ],

  // ---------------------------------------------------------------- the status page
  "GET /tasks/": [
    ...["from=0000-01-01", "to=9999-12-31", `user=${LONG_QUERY}`, "user=%00", "user=a%00b", "user=%FF", "status=active&user=%25_%5C"].map((query) => get(`/tasks/?${query}`, "ok")),
    // A manager's user filter names a user key: one PostgreSQL text cannot hold is refused, not sent.
    ...["user=%00", "user=a%00b"].map((query) => get(`/tasks/?${query}`, 400, { as: "manager", says: /user filter: Remove the invalid character/ })),
    ...[`user=${LONG_QUERY}`, "user=%FF", "user=%25_%5C"].map((query) => get(`/tasks/?${query}`, "ok", { as: "manager" })),
    get("/tasks/?status=%00", 400, { says: /no task status/ }),
    get("/tasks/?resource=%00", 400, { says: /no resource/ }),
    get("/tasks/?resource=%00&resource=x", 400, { says: /given more than once/ }),
    ...["before=99999999999999999999", "after=-1", "before=%FF"].map((query) => get(`/tasks/?${query}`, 400, { says: /must be a task number/ })),
  ],
  "GET /tasks/events": [
    ...["abc", "%00", "0", "99999999999999999999"].map((id) => get(`/tasks/events?task=${id}`, 404)),
    get("/tasks/events?task={otherTask}", 403, { says: /started by someone else/ }),
  ],
  "GET /tasks/indicator": [get("/tasks/indicator?x=%00", "ok"), get("/tasks/indicator", "ok", { as: "" })],
  ...Object.fromEntries(["", "/progress", "/failures.csv", "/revert"].map((tail) => [`GET /tasks/:id${tail}`, [
    ...BAD_IDS.map((id) => get(`/tasks/${id}${tail}`, "4xx")),
    get(`/tasks/{otherTask}${tail}`, 403, { says: /started by someone else/ }),
    get(`/tasks/{adminTask}${tail}?failures=%00&was=%00`, "ok"),
  ]])),
  "GET /tasks/:id/download": [
    ...BAD_IDS.map((id) => get(`/tasks/${id}/download`, "4xx")),
    get("/tasks/{otherExport}/download", 403, { says: /started by someone else/ }),
    get("/tasks/{otherExport}/download", 409, { as: "other", says: /still being prepared/ }),
    get("/tasks/{adminTask}/download", 404, { says: /not an export/ }),
    get("/tasks/{adminExport}/download", 410, { says: /expired/ }),
    get("/tasks/999999999/download", 404, { says: /no background task/ }),
  ],
  "POST /tasks/:id/cancel": [
    ...BAD_IDS.map((id) => post(`/tasks/${id}/cancel`, {}, "4xx")),
    post("/tasks/{otherExport}/cancel", {}, 403, { says: /started by someone else/ }),
    post("/tasks/{otherExport}/cancel", NO_CSRF, 403, { as: "other", says: CSRF }),
  ],
  "POST /tasks/:id/retry": [
    ...BAD_IDS.map((id) => post(`/tasks/${id}/retry`, {}, "4xx")),
    post("/tasks/{otherTask}/retry", {}, 403, { says: /started by someone else/ }),
    post("/tasks/{adminTask}/retry", {}, 422, { says: /no failed records/ }),
    post("/tasks/{adminExport}/retry", {}, 422, { says: /no failed records/ }),
    post("/tasks/{adminTask}/retry", FORGED_CSRF, 403, { says: CSRF }),
  ],
  "POST /tasks/:id/revert": [
    ...BAD_IDS.map((id) => post(`/tasks/${id}/revert`, {}, "4xx")),
    post("/tasks/999999999/revert", {}, 404, { says: /no background task/ }),
    post("/tasks/{otherTask}/revert", {}, 403, { says: /started by someone else/ }),
    post("/tasks/{otherTask}/revert", {}, 403, { as: "manager", says: /Only editors change books/ }),
    post("/tasks/{adminExport}/revert", {}, 409, { says: /exported records and changed none/ }),
    post("/tasks/{otherExport}/revert", {}, 409, { as: "other", says: /still running/ }),
    ...[["yes", "yes"], "1", "true", "YES", "\u0000", LONG].map((force) => post("/tasks/{adminTask}/revert", { force }, 422, { says: /"force" field/ })),
    post("/tasks/{adminTask}/revert", NO_CSRF, 403, { says: CSRF }),
    post("/tasks/{adminTask}/revert", FORGED_CSRF, 403, { says: CSRF }),
  ],
};

function fill(text: string): string {
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in objects)) throw new Error(`no object {${name}}`);
    return objects[name]!;
  });
}

async function send(probe: Probe): Promise<TestResponse> {
  const as = probe.as ?? "admin";
  const client = clients.get(as)!;
  const headers = { accept: "application/json", ...headersOf(as), ...probe.headers };
  const path = fill(probe.path);
  if (probe.method === "GET") return client.get(path, headers);
  if (probe.raw !== undefined) return client.postRaw(path, `_csrf=${encodeURIComponent(client.csrfToken)}&${probe.raw}`, headers);
  const form = Object.fromEntries(Object.entries(probe.form ?? {}).flatMap(([key, value]) => (value === undefined ? [] : [[key, Array.isArray(value) ? value.map(fill) : fill(value)]])));
  return client.post(path, form, headers);
}

/** The refusal's title and message: from the JSON error, else the page's text. */
function problemOf(response: TestResponse): { title: string; message: string } {
  if ((response.headers.get("content-type") ?? "").includes("json")) return JSON.parse(response.text).error;
  // An error page names its problem in its heading: PostgreSQL's refusal must be caught there too.
  const title = /<h1 id="error-title"[^>]*>([^<]*)<\/h1>/.exec(response.text)?.[1]?.trim() ?? "";
  return { title, message: textOf(response.text) };
}

/** What is wrong with the answer to a probe; undefined when it is right. */
async function check(probe: Probe): Promise<string | undefined> {
  const before = await fingerprint();
  const response = await send(probe);
  const what = `${probe.as ?? "admin"} ${probe.method} ${probe.path.slice(0, 120)} ${JSON.stringify(probe.form ?? probe.raw ?? "").slice(0, 120)} → ${response.status}`;
  const { status } = response;
  const expected = probe.status === "ok" ? status < 400 : probe.status === "4xx" ? status >= 400 && status < 500 : status === probe.status;
  const problem = status >= 400 ? problemOf(response) : undefined;
  if (!expected) return `${what}, expected ${probe.status}: ${problem?.message.slice(0, 200) ?? ""}`;
  if (problem && problem.title === "Value not accepted") return `${what}: PostgreSQL refused a value no check caught: ${problem.message}`;
  if (problem && problem.message.trim().length < 10) return `${what}: no message`;
  if (problem && probe.says && !probe.says.test(problem.message)) return `${what}: the message "${problem.message.slice(0, 200)}" does not match ${probe.says}`;
  if ((status >= 400 || probe.method === "GET") && (await fingerprint()) !== before) return `${what}: wrote to the database`;
  return undefined;
}

/** Every route of a router, as "METHOD /mount/path". */
function routesOf(mount: string, router: Router): string[] {
  return router.stack.flatMap((layer) => {
    const { route, handle } = layer as unknown as { route?: { path: string; methods: Record<string, boolean> }; handle: Partial<Router> };
    // crud.resource() and crud.tasks() wrap their routers in one that checks the schema first.
    if (!route) return handle.stack ? routesOf(mount, handle as Router) : [];
    return Object.keys(route.methods).filter((method) => method !== "_all").map((method) => `${method.toUpperCase()} ${mount}${route.path === "/" ? "/" : route.path}`);
  });
}

describe("the hostile-input sweep of every route", () => {
  it("has probes for every route the resource and the status page mount, and none for a route that is gone", () => {
    const mounted = [...routers].flatMap(([mount, router]) => routesOf(mount, router));
    expect(new Set(mounted).size).toBe(mounted.length);
    expect([...mounted].sort()).toEqual(Object.keys(SWEEP).sort());
  });

  it.each(Object.keys(SWEEP))("%s", async (route) => {
    const problems: string[] = [];
    for (const probe of SWEEP[route]!) {
      const problem = await check(probe);
      if (problem) problems.push(problem);
    }
    expect(problems).toEqual([]);
  }, 60_000);
});

describe("what the sweep's export probes cannot see", () => {
  it("writes the user's visible columns, whatever columns the form names", async () => {
    const response = await clients.get("other")!.post("/books/_export", { format: "csv", _list: "status=DRAFT&q=a", columns: ["isbn", "price"] }, headersOf("other"));
    expect(response.status).toBe(200);
    const header = parseCsv(response.text)[0]!;
    expect(header).not.toContain("ISBN");
    expect(header).not.toContain("Price");
    expect(header).toContain("Title");
  });
});

describe("properties: random hostile values where the routes read a list query, a search or a cursor", () => {
  const KEYS = [
    "author", "genres", "genres.all", "pages.min", "pages.max", "pages.empty", "publishedDate.min", "publishedDate.max", "publishedDate.preset",
    "status", "q", "add", "sort", "size", "page", "tasks", "changes", "format", "scope", "name", "shared", "_return",
    "user", "resource", "from", "to", "before", "after", "failures",
  ];
  const query = fc.dictionary(fc.constantFrom(...KEYS), hostileValue, { maxKeys: 5 }).map((values) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(values)) for (const item of [value ?? []].flat()) params.append(key, item);
    return params.toString();
  });
  const requests: Array<(query: string) => Probe> = [
    (q) => get(`/books/?${q}`, "ok"),
    (q) => get(`/books/_count?${q}`, "ok"),
    (q) => get(`/books/_filter-choices/author?${q}`, "ok"),
    (q) => get(`/books/_filter-choices/genres?${q}`, "ok"),
    (q) => get(`/books/1/history?${q}`, "ok"),
    (q) => get(`/tasks/?${q}`, "ok"),
    (q) => ({ method: "POST", path: "/books/_export", raw: `format=csv&_list=${encodeURIComponent(`${q}&q=zz-no-such-title`)}`, status: "ok" }),
    (q) => ({ method: "POST", path: "/books/_views", raw: `${q}&_list=${encodeURIComponent(q)}`, status: "ok" }),
    (q) => ({ method: "POST", path: "/books/_columns", raw: `${q}&columns=title`, status: "ok" }),
  ];

  it("never answer 5xx nor PostgreSQL's own refusal; a refusal writes nothing, and no answer leaves the list", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...requests), query, async (request, q) => {
        const probe = request(q);
        const before = await fingerprint();
        const response = await send(probe);
        expect(response.status, `${probe.method} ${probe.path.slice(0, 300)}`).toBeLessThan(500);
        if (response.status >= 400 && (response.headers.get("content-type") ?? "").includes("json")) {
          expect(problemOf(response).title, probe.path.slice(0, 300)).not.toBe("Value not accepted");
        }
        if (response.status >= 400) expect(await fingerprint()).toBe(before);
        const location = response.headers.get("location");
        if (location) expect(location, probe.path.slice(0, 300)).toMatch(/^\/(books|tasks)\//);
        expectNoServerErrors(logged);
      }),
      { ...PROPERTY_RUNS, numRuns: 300 },
    );
  }, 120_000);
});

describe("a revert already under way", () => {
  // Last in the file: the queued revert holds the task's books for the rest of it.
  it("refuses a second revert of the same task while the first waits, forced or not, queuing nothing more", async () => {
    const admin = clients.get("admin")!;
    const queued = await admin.post(`/tasks/${objects.adminTask}/revert`, {}, headersOf("admin"));
    expect(queued.status, queued.text).toBe(303);
    const revertId = /\/tasks\/(\d+)/.exec(queued.headers.get("location") ?? "")![1];
    const tasks = await fingerprint();
    for (const form of [{}, { force: "yes" }] as Array<Record<string, string>>) {
      const again = await admin.post(`/tasks/${objects.adminTask}/revert`, form, { ...headersOf("admin"), accept: "application/json" });
      expect(again.status).toBe(409);
      expect(problemOf(again).message).toBe(`Bulk task #${revertId} is reverting bulk task #${objects.adminTask} right now.`);
    }
    expect(await fingerprint()).toBe(tasks);
  });
});
