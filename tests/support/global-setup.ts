import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { releaseShutdownSignals, startEmbeddedPostgres, type EmbeddedDatabase } from "../../src/db/embedded-postgres";
import { migrateDatabase } from "../../src/db/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    /** A folder for this run only, removed at the end (the packed tarball is kept there). */
    scratchDir: string;
  }
}

let embedded: EmbeddedDatabase | undefined;
let scratchDir = "";

/** One throwaway PostgreSQL for the whole run (or TEST_DATABASE_URL), migrated once. */
export async function setup(project: TestProject): Promise<void> {
  let url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "powercrud-test-pg-"));
    embedded = await startEmbeddedPostgres({ dataDir, database: "powercrud_test", persistent: false });
    // The run's exit code must be vitest's: embedded-postgres' exit hook would turn failures into 0.
    releaseShutdownSignals();
    url = embedded.url;
  }
  await migrateDatabase(url);
  project.provide("databaseUrl", url);
  scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), "powercrud-test-run-"));
  project.provide("scratchDir", scratchDir);
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
  if (scratchDir) fs.rmSync(scratchDir, { recursive: true, force: true });
}
