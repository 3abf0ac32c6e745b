/**
 * A finished task's message reaches its user once, on their next full page, and the navbar counts
 * their running tasks: in the demo (crud.taskIndicator() app-wide, which takes the messages beside
 * its count) and in a bare app without the indicator (the resource router takes them itself).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoApp } from "../../src/demo/app";
import { seedCatalogue, seedUsers } from "../../src/demo/seed";
import { bareApp } from "../support/bare-app";
import { connect } from "../support/database";
import { TestClient } from "../support/test-client";

const db = connect();
let demo: TestClient;
let bare: TestClient;
let adminKey: string;

beforeAll(async () => {
  await seedUsers(db.pool);
  await seedCatalogue(db.pool, { books: 30, authors: 5, genres: 3 });
  adminKey = String((await db.pool.query(`SELECT id FROM "User" WHERE email = 'admin@example.com'`)).rows[0].id);
  demo = await TestClient.start(createDemoApp({ pool: db.pool, prisma: db.prisma, sessionSecret: "task-messages-test-secret-0123" }));
  bare = await TestClient.start(bareApp(db, (app, crud) => app.use("/books", crud.resource({ model: "Book" })), { userKey: () => "bare-user" }).app);
  await demo.get("/login");
  expect((await demo.post("/login", { email: "admin@example.com", password: "admin" })).status).toBe(303);
});
afterAll(async () => {
  await demo.close();
  await bare.close();
  await db.close();
});

async function task(userKey: string, status: "SUCCESS" | "RUNNING", description: string): Promise<number> {
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO powercrud.task ("taskKey", "resourceKey", "resourceUrl", model, operation, data, description, "selectionMode", "userKey", "userName", notify, "chunkSize", total, processed, succeeded, failed, status, "startedAt", "finishedAt")
     VALUES ($1, 'Book', '/books', 'Book', 'update', '{"changes":[]}', $2, 'all', $3, 'Test', '{messages}', 100, 10, 10, 10, 0, $4::powercrud.task_status, now(), CASE WHEN $4 = 'RUNNING' THEN NULL ELSE now() END)
     RETURNING id`,
    [`test-messages:${description}`, description, userKey, status],
  );
  return rows[0]!.id;
}

describe("ended tasks' messages", () => {
  it("in the demo: shown once on the next page, beside the count of running tasks", async () => {
    const ended = await task(adminKey, "SUCCESS", "Set Bestseller on the demo");
    await task(adminKey, "RUNNING", "Still going on the demo");
    const first = await demo.get("/books/");
    expect(first.text).toContain(`Bulk task #${ended} `);
    expect(first.text).toContain('data-pc-running="1"');
    const second = await demo.get("/books/");
    expect(second.text).not.toContain(`Bulk task #${ended} `);
  });

  it("without the indicator: the resource's own pages announce them, once", async () => {
    const ended = await task("bare-user", "SUCCESS", "Set Bestseller in a bare app");
    const first = await bare.get("/books/?as=ADMIN");
    expect(first.text).toContain(`Bulk task #${ended} `);
    expect((await bare.get("/books/?as=ADMIN")).text).not.toContain(`Bulk task #${ended} `);
  });
});
