/** The demo app compresses pages, CSS and scripts with brotli or gzip, as the client accepts. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDemoApp } from "../../src/demo/app";
import { connect } from "../support/database";
import { TestClient } from "../support/test-client";

const db = connect();
let server: TestClient;
let base: string;

beforeAll(async () => {
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
