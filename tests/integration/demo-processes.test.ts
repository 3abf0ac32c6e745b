/**
 * The demo in two web processes sharing its port (WEB_PROCESSES=2, node:cluster): sessions live in
 * PostgreSQL, so a session signed in through one process is honoured by the other; the worker stays
 * in the first process and /healthz in every process says how it is; SIGTERM stops them all.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { seedUsers } from "../../src/demo/seed";
import { connect } from "../support/database";
import { TestClient } from "../support/test-client";

const db = connect();
let primary: ChildProcess;
let origin = "";
let output = "";

beforeAll(async () => {
  // The demo seeds its users only into an empty database; the run's database may hold books already.
  await seedUsers(db.pool);
  primary = spawn(process.execPath, ["--import", "tsx", "src/demo/main.ts"], {
    env: { ...process.env, DATABASE_URL: db.url, WEB_PROCESSES: "2", PORT: "0", HOST: "127.0.0.1", SEED_BOOKS: "30", WORKER_CONCURRENCY: "1", SESSION_SECRET: "two-processes-secret-0123456789", NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start within 60 s:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const port = /running at http:\/\/localhost:(\d+)/.exec(output)?.[1];
      if (port && output.includes("Press Ctrl-C to stop.")) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${port}`);
      }
    };
    primary.stdout!.on("data", read);
    primary.stderr!.on("data", read);
    primary.once("exit", (code) => reject(new Error(`the demo exited with ${code}:\n${output}`)));
  });
}, 90_000);

afterAll(async () => {
  if (primary.exitCode === null && primary.signalCode === null) primary.kill("SIGKILL");
  await db.close();
});

/**
 * The primary's web processes, from /proc: its children (a stat line holds the parent's pid fourth)
 * that run the demo, not the esbuild service tsx may start beside them.
 */
function webProcesses(): number[] {
  return fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry)).flatMap((pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const child = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === primary.pid;
      return child && fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("src/demo/main.ts") ? [Number(pid)] : [];
    } catch {
      return [];
    }
  });
}

/** A GET on a connection of its own, so the cluster hands it to either process. */
function getFresh(path: string, cookie: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(`${origin}${path}`, { agent: false, headers: { cookie } }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    }).on("error", reject);
  });
}

it("serves from two processes, a session signed in through one honoured by both", async () => {
  expect(webProcesses(), output).toHaveLength(2);
  expect(output).toContain("web processes: 2");
  const browser = TestClient.at(origin);
  expect((await browser.get("/login")).status).toBe(200);
  expect((await browser.post("/login", { email: "editor@example.com", password: "editor" })).status).toBe(303);
  const cookie = `powercrud.sid=${browser.cookie("powercrud.sid")}`;
  const pages = await Promise.all(Array.from({ length: 12 }, () => getFresh("/books/", cookie)));
  for (const page of pages) {
    expect(page.status).toBe(200);
    expect(page.body).toContain("data-pc-row");
  }
}, 60_000);

it("says in every process how the first process's worker is", async () => {
  await expect.poll(async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => getFresh("/healthz", "")));
    return answers.map((answer) => JSON.parse(answer.body).worker);
  }, { timeout: 10_000 }).toEqual(Array(6).fill("running"));
});

it("stops every process on SIGTERM", async () => {
  const children = webProcesses();
  const exited = new Promise<number | null>((resolve) => primary.once("exit", resolve));
  primary.kill("SIGTERM");
  expect(await exited).toBe(0);
  for (const pid of children) expect(() => process.kill(pid, 0)).toThrow();
}, 30_000);
