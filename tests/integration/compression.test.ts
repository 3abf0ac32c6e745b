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
