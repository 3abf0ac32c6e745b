/**
 * The demo app compresses pages, CSS and scripts with brotli or gzip, as the client accepts, and a
 * list page of 25 rows stays light (issue #14): at most 50 KB as sent before compression, 10 KB
 * compressed, for the authors and for the books with all their default columns.
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

let adminCookie: string | undefined;
async function signedInAsAdmin(): Promise<string> {
  if (!adminCookie) {
    await server.get("/login");
    expect((await server.post("/login", { email: "admin@example.com", password: "admin" })).status).toBe(303);
    adminCookie = `powercrud.sid=${server.cookie("powercrud.sid")}`;
  }
  return adminCookie;
}

/** A list page as it travels to the signed-in admin: plain, gzip and brotli. */
async function listPageBytes(path: string): Promise<{ html: string; plain: number; gzip: number; br: number }> {
  const cookie = await signedInAsAdmin();
  const plain = await rawGet(base + path, { cookie, "accept-encoding": "identity" });
  expect(plain.status).toBe(200);
  expect(plain.encoding).toBeUndefined();
  const sizes = { gzip: 0, br: 0 };
  for (const encoding of ["gzip", "br"] as const) {
    const compressed = await rawGet(base + path, { cookie, "accept-encoding": encoding });
    expect(compressed.encoding).toBe(encoding);
    sizes[encoding] = compressed.body.length;
  }
  return { html: plain.body.toString("utf8"), plain: plain.body.length, ...sizes };
}

/** The bytes of the table's rows, per row. */
function bytesPerRow(html: string): number {
  const rows = html.slice(html.indexOf("<tbody"), html.indexOf("</tbody>"));
  return Buffer.byteLength(rows) / 25;
}

// Every part of a full page is there: the layout, the filters, the column chooser, the pagination.
const FULL_PAGE = ['id="pc-list-title"', 'id="pc-filter-panel"', 'id="pc-columns"', 'aria-label="Pagination"', 'data-testid="current-user"'];

it("sends a 25-row list page (authors, signed in) in at most 50 KB, and at most 10 KB compressed", async () => {
  const page = await listPageBytes("/authors/");
  expect(page.html.match(/data-pc-row="/g)).toHaveLength(25);
  for (const part of FULL_PAGE) expect(page.html).toContain(part);
  expect(page.plain).toBeLessThanOrEqual(50_000);
  // Most of it is the rows: each row's markup (checkbox, cells, actions) stays within 1 KB (it was
  // 1.4 KB with every template line's indentation and utility classes, 1.2 KB with a phone-card label
  // on every cell).
  expect(bytesPerRow(page.html)).toBeLessThanOrEqual(1_000);
  expect(page.gzip).toBeLessThanOrEqual(10_000);
  expect(page.br).toBeLessThanOrEqual(10_000);
});

it("sends the demo's books page (25 rows, eight columns, three actions a row) in at most 50 KB, and at most 10 KB compressed", async () => {
  const page = await listPageBytes("/books/");
  const rows = page.html.match(/<tr data-pc-row="[^"]*">[\s\S]*?<\/tr>/g)!;
  expect(rows).toHaveLength(25);
  for (const part of FULL_PAGE) expect(page.html).toContain(part);
  // All the default columns, and every row with its checkbox, its view link and its three actions.
  for (const column of ["title", "author", "status", "price", "pages", "publishedDate", "bestseller"]) expect(page.html).toContain(`id="pc-sort-${column}"`);
  for (const row of rows) {
    expect(row.match(/<td[ >]/g)).toHaveLength(10);
    for (const action of [/name="ids"/, /href="\/books\/\d+"/, /aria-label="Quick edit /, /aria-label="Edit /, /aria-label="Delete /]) expect(row).toMatch(action);
  }
  expect(page.plain).toBeLessThanOrEqual(50_000);
  // A book row was 1.7 KB with a phone-card label on every cell and each link's address twice.
  expect(bytesPerRow(page.html)).toBeLessThanOrEqual(900);
  expect(page.gzip).toBeLessThanOrEqual(10_000);
  expect(page.br).toBeLessThanOrEqual(10_000);
});
