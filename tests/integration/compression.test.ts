/**
 * The demo app compresses pages, CSS and scripts with brotli or gzip, as the client accepts, and a
 * list page of 25 rows stays light: at most 50 KB as sent before compression, 10 KB compressed.
 */
import http from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDemoApp } from "../../src/demo/app";
import { seedCatalogue, seedUsers } from "../../src/demo/seed";
import { connect } from "../support/database";
import { TestClient } from "../support/test-client";

const db = connect();
let server: TestClient;
let base: string;

beforeAll(async () => {
  await seedUsers(db.pool);
  await seedCatalogue(db.pool, { books: 200, authors: 60, genres: 20 });
  server = await TestClient.start(createDemoApp({ pool: db.pool, prisma: db.prisma, sessionSecret: "test-secret-test-secret" }));
  base = server.origin;
});

afterAll(async () => {
  await server.close();
  await db.close();
});

for (const [path, type] of [["/login", "text/html"], ["/assets/powercrud.css", "text/css"], ["/assets/powercrud.js", "javascript"], ["/assets/htmx/htmx.min.js", "javascript"]] as const) {
  it(`compresses ${path}`, async () => {
    for (const encoding of ["br", "gzip"]) {
      // Node's fetch would decode the body; ask with a raw request and read the header.
      const response = await fetch(base + path, { headers: { "accept-encoding": encoding } });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain(type);
      expect(response.headers.get("content-encoding")).toBe(encoding);
      expect(response.headers.get("vary")).toMatch(/Accept-Encoding/i);
      await response.arrayBuffer();
    }
  });
}

it("links assets under their content hash and lets browsers keep that version for a year", async () => {
  const page = await (await fetch(base + "/login")).text();
  for (const name of ["powercrud.css", "powercrud.js", "theme.js", "htmx/htmx.min.js"]) {
    const url = new RegExp(`/assets/${name.replace(/[.]/g, "\\.")}\\?v=([0-9a-f]{12})"`).exec(page);
    expect(url, `${name} is linked with its version`).not.toBeNull();
    const versioned = await fetch(`${base}/assets/${name}?v=${url![1]}`);
    expect(versioned.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    await versioned.arrayBuffer();
    const stale = await fetch(`${base}/assets/${name}?v=000000000000`);
    expect(stale.headers.get("cache-control")).toBe("public, max-age=3600");
    await stale.arrayBuffer();
  }
});

/** The bytes as they travel (fetch would decode them). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; encoding: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, encoding: response.headers["content-encoding"], body: Buffer.concat(chunks) }));
    }).on("error", reject);
  });
}

it("sends a 25-row list page (authors, signed in) in at most 50 KB, and at most 10 KB compressed", async () => {
  await server.get("/login");
  expect((await server.post("/login", { email: "admin@example.com", password: "admin" })).status).toBe(303);
  const cookie = `powercrud.sid=${server.cookie("powercrud.sid")}`;
  const plain = await rawGet(`${base}/authors/`, { cookie, "accept-encoding": "identity" });
  expect(plain.status).toBe(200);
  expect(plain.encoding).toBeUndefined();
  const html = plain.body.toString("utf8");
  expect(html.match(/data-pc-row="/g)).toHaveLength(25);
  // Every part of a full page is there: the layout, the filters, the column chooser, the pagination.
  for (const part of ['id="pc-list-title"', 'id="pc-columns"', 'aria-label="Pagination"', 'data-testid="current-user"']) expect(html).toContain(part);
  expect(plain.body.length).toBeLessThanOrEqual(50_000);
  // Most of it is the rows: each row's markup (checkbox, cells with their phone-card labels, actions)
  // stays within 1.2 KB (it was 1.4 KB with every template line's indentation and utility classes).
  const rows = html.slice(html.indexOf("<tbody"), html.indexOf("</tbody>"));
  expect(Buffer.byteLength(rows) / 25).toBeLessThanOrEqual(1_200);
  for (const encoding of ["gzip", "br"]) {
    const compressed = await rawGet(`${base}/authors/`, { cookie, "accept-encoding": encoding });
    expect(compressed.encoding).toBe(encoding);
    expect(compressed.body.length).toBeLessThanOrEqual(10_000);
  }
});
