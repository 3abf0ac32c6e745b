import path from "node:path";
import { z } from "zod";
import { packageRoot } from "../paths";

const flag = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .optional()
  .transform((value) => value === "1" || value === "true" || value === "yes");

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  DATABASE_URL: z.string().url().optional().or(z.literal("").transform(() => undefined)),
  POWERCRUD_DATA_DIR: z.string().default(path.join(packageRoot, ".data", "postgres")),
  POWERCRUD_EPHEMERAL_DB: flag,
  SEED_BOOKS: z.coerce.number().int().min(0).default(5_000),
  SESSION_SECRET: z.string().min(16, "SESSION_SECRET must be at least 16 characters").optional(),
  COOKIE_SECURE: flag,
  WORKER_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(2),
});

export type DemoSettings = z.infer<typeof schema>;

/** Reads the demo's environment once, failing with the name of any bad variable. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): DemoSettings {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
    throw new Error(`Invalid environment:\n${problems}`);
  }
  return parsed.data;
}
