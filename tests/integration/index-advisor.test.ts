/**
 * The index advisor against the real database's catalog: the demo's lists have every index they
 * need, and a list option without one is reported with the exact Prisma line and SQL.
 */
import { afterAll, describe, expect, it } from "vitest";
import { demoCrud } from "../../src/demo/crud";
import { dataModel } from "../../src/generated/powercrud";
import { createPowerCrud, describeAdvice } from "../../src/index";
import { connect } from "../support/database";

const db = connect();
afterAll(() => db.close());

describe("index advice", () => {
  it("finds nothing missing for the demo's resources", async () => {
    expect(await demoCrud({ pool: db.pool, prisma: db.prisma }).crud.indexAdvice()).toEqual([]);
  });

  it("names the resource, the use and the exact lines for every sort, filter and search without an index", async () => {
    const crud = createPowerCrud({ prisma: db.prisma, pool: db.pool, dataModel });
    crud.resource({
      model: "Book",
      key: "unindexed-books",
      // title is indexed both ways (btree and trigram); updatedAt and description are not; the
      // description filter and its search need the same trigram index, advised once.
      list: { fields: ["title", "updatedAt"], filters: ["description"], search: ["title", "description"] },
    });
    crud.resource({ model: "Coupon", list: { fields: ["code", "percent"], search: ["code"] } });
    const advice = await crud.indexAdvice();
    expect(advice).toEqual([
      { resource: "unindexed-books", use: "sort by updatedAt", model: "Book", prisma: "@@index([updatedAt, id])", sql: `CREATE INDEX ON "Book" ("updatedAt", "id");` },
      { resource: "unindexed-books", use: "filter by description", model: "Book", prisma: `@@index([description(ops: raw("gin_trgm_ops"))], type: Gin)`, sql: `CREATE INDEX ON "Book" USING gin ("description" gin_trgm_ops);` },
      { resource: "Coupon", use: "sort by percent", model: "Coupon", prisma: "@@index([percent, id])", sql: `CREATE INDEX ON "Coupon" ("percent", "id");` },
      // The coupon form's tags are a combobox over Tag.name (unique, so its btree serves the order).
      { resource: "Coupon", use: "choices of tags", model: "Tag", prisma: `@@index([name(ops: raw("gin_trgm_ops"))], type: Gin)`, sql: `CREATE INDEX ON "Tag" USING gin ("name" gin_trgm_ops);` },
      { resource: "Coupon", use: "search code", model: "Coupon", prisma: `@@index([code(ops: raw("gin_trgm_ops"))], type: Gin)`, sql: `CREATE INDEX ON "Coupon" USING gin ("code" gin_trgm_ops);` },
    ]);
    expect(describeAdvice(advice)[0]).toBe(`unindexed-books: sort by updatedAt scans the table. Add to model Book: @@index([updatedAt, id])  (SQL: CREATE INDEX ON "Book" ("updatedAt", "id");)`);
  });

  it("counts an index as serving a column only when the column leads it", async () => {
    await db.pool.query(`CREATE INDEX advisor_test_idx ON "Book" ("id", "updatedAt")`);
    try {
      const crud = createPowerCrud({ prisma: db.prisma, pool: db.pool, dataModel });
      crud.resource({ model: "Book", list: { fields: ["title", "updatedAt"] } });
      expect((await crud.indexAdvice()).map((item) => item.use)).toEqual(["sort by updatedAt"]);
      await db.pool.query(`CREATE INDEX advisor_test_lead_idx ON "Book" ("updatedAt")`);
      expect(await crud.indexAdvice()).toEqual([]);
    } finally {
      await db.pool.query(`DROP INDEX IF EXISTS advisor_test_idx; DROP INDEX IF EXISTS advisor_test_lead_idx`);
    }
  });
});
