/**
 * Every task route against malformed ids, query strings and bodies: a 4xx (or a page) with a
 * message, never a 500, and nothing written.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { bareApp, expectNoServerErrors } from "../support/bare-app";
import { connect } from "../support/database";
import { resetTasks, taskIds } from "../support/task-helpers";
import { TestClient } from "../support/test-client";

const db = connect();
let server: TestClient;
let logged: unknown[];
const admin = { "x-test-role": "admin" };

const IDS = ["0", "-1", "1.5", "1e3", "9999999999", "99999999999999999999", "abc", "%00", "%27%3B--", "%E2%80%AE", "1%2F2", " 1", "0x10"];
const QUERIES = [
  "page=-1", "page=abc", "page=99999999999999", "status=NOPE", "status=%00", "resource=%00", "user=%00", "from=0000-01-01", "from=2024-02-30",
  "to=99999-01-01", "before=abc", "before=-5", "after=1e99", "q=" + "x".repeat(5_000), "failures=-3", "failures=abc", "was=%00",
  "status=PENDING&status=RUNNING&status=NOPE", "list=%00", "task=abc",
];

beforeAll(async () => {
  await resetTasks(db.pool);
  const app = bareApp(db, (app, crud) => {
    app.use("/books", crud.resource({ model: "Book", list: { fields: ["title"] }, bulkFields: ["pages"] }));
    app.use("/tasks", crud.statusPage());
  });
  logged = app.errors;
  server = await TestClient.start(app.app);
  await server.get("/books/", admin);
});

afterAll(async () => {
  await server.close();
  await db.close();
});

it("answers malformed task ids and queries with a 4xx or a page, never a 500", async () => {
  const paths = [
    ...QUERIES.map((query) => `/tasks/?${query}`),
    ...IDS.flatMap((id) => [`/tasks/${id}`, `/tasks/${id}/progress`, `/tasks/${id}/failures.csv`, ...QUERIES.slice(0, 6).map((query) => `/tasks/${id}?${query}`)]),
    "/tasks/indicator?x=%00",
  ];
  for (const path of paths) {
    const response = await server.get(path, { ...admin, "HX-Request": "true" });
    expect(response.status, path).toBeLessThan(500);
  }
  for (const id of IDS) {
    for (const action of ["cancel", "retry"]) {
      const response = await server.post(`/tasks/${id}/${action}`, { junk: "\u0000".repeat(3) }, admin);
      expect(response.status, `${id}/${action}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${id}/${action}`).toBeLessThan(500);
    }
  }
  expect(await taskIds(db.pool)).toEqual([]);
  expectNoServerErrors(logged);
}, 60_000);
