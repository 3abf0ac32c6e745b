import { parseArgs } from "node:util";
import { createPool } from "../db/clients";
import { startEmbeddedPostgres } from "../db/embedded-postgres";
import { migrateDatabase } from "../db/migrate";
import { DEFAULT_SEED, seedCatalogue, seedUsers } from "./seed";
import { readSettings } from "./settings";

const usage = "Usage: npm run seed -- [--books N] [--authors N] [--genres N]  (replaces the demo catalogue)";

const { values } = parseArgs({
  options: {
    books: { type: "string" },
    authors: { type: "string" },
    genres: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}

function count(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    console.error(`--${name} must be a whole number of at least ${min}, got "${raw}".\n${usage}`);
    process.exit(2);
  }
  return value;
}

const size = {
  books: count("books", values.books, DEFAULT_SEED.books, 0),
  authors: count("authors", values.authors, DEFAULT_SEED.authors, 1),
  genres: count("genres", values.genres, DEFAULT_SEED.genres, 1),
};

const settings = readSettings();
const embedded = settings.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dataDir: settings.POWERCRUD_DATA_DIR, database: "powercrud" });
const url = settings.DATABASE_URL ?? embedded!.url;
try {
  await migrateDatabase(url);
  const pool = createPool(url);
  const started = Date.now();
  await seedUsers(pool);
  await seedCatalogue(pool, size);
  await pool.end();
  console.log(`Seeded ${size.books} books, ${size.authors} authors, ${size.genres} genres in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
} finally {
  await embedded?.stop();
}
