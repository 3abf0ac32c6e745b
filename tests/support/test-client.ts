import type { Server } from "node:http";
import type { Express } from "express";

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * A tiny cookie-keeping HTTP client for integration tests: it talks to a real listening server, as a
 * browser would, and can pull the CSRF token out of the last page.
 */
export class TestClient {
  private cookies = new Map<string, string>();
  private lastCsrf = "";

  private constructor(private readonly base: string, private readonly server?: Server) {}

  static async start(app: Express): Promise<TestClient> {
    const server = app.listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => server.once("listening", resolve));
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("server has no port");
    return new TestClient(`http://127.0.0.1:${address.port}`, server);
  }

  /** A client of a server that runs elsewhere (another process), e.g. `http://127.0.0.1:3000`. */
  static at(origin: string): TestClient {
    return new TestClient(origin.replace(/\/$/, ""));
  }

  /** A second browser against the same server (no cookies). */
  fork(): TestClient {
    return new TestClient(this.base, this.server);
  }

  /** `http://127.0.0.1:<port>`, as a browser's address bar would show it. */
  get origin(): string {
    return this.base;
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  get csrfToken(): string {
    return this.lastCsrf;
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<TestResponse> {
    return this.request("GET", path, undefined, headers);
  }

  /** Posts a form; the page's CSRF token is added unless the body sets `_csrf` itself. */
  async post(path: string, form: Record<string, string | string[]> = {}, headers: Record<string, string> = {}): Promise<TestResponse> {
    const body = new URLSearchParams();
    if (!("_csrf" in form)) body.append("_csrf", this.lastCsrf);
    for (const [key, value] of Object.entries(form)) for (const item of [value].flat()) body.append(key, item);
    return this.request("POST", path, body, { "content-type": "application/x-www-form-urlencoded", ...headers });
  }

  /** Posts a urlencoded body exactly as given (no CSRF token added; e.g. bytes that are not UTF-8). */
  async postRaw(path: string, body: string, headers: Record<string, string> = {}): Promise<TestResponse> {
    return this.request("POST", path, body, { "content-type": "application/x-www-form-urlencoded", ...headers });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async request(method: string, path: string, body: URLSearchParams | string | undefined, headers: Record<string, string>) {
    const response = await fetch(this.base + path, {
      method,
      body,
      redirect: "manual",
      headers: { accept: "text/html", cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "), ...headers },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ""] = cookie.split(";");
      const [name = "", ...value] = pair.split("=");
      if (/expires=Thu, 01 Jan 1970/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value.join("="));
    }
    const text = await response.text();
    const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(text) ?? /name="_csrf" value="([^"]+)"/.exec(text);
    if (csrf?.[1]) this.lastCsrf = csrf[1];
    return { status: response.status, headers: response.headers, text };
  }
}
