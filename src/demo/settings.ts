import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";
import { packageRoot } from "../paths";

const flag = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .optional()
  .transform((value) => value === "1" || value === "true" || value === "yes");

/** Express's `trust proxy` names for address ranges. */
const NAMED_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);

const isAddressOrRange = (entry: string) => {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = "", prefix, ...rest] = entry.split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
};

/**
 * Which proxies may tell the app the client's address and scheme (X-Forwarded-For / -Proto), in the
 * forms Express's `trust proxy` takes: off, a number of proxy hops, or a list of addresses and ranges.
 * "Trust everyone" is deliberately not offered: anyone could then forge their address.
 */
const trustProxy = z
  .string()
  .trim()
  .optional()
  .transform((value, context): false | number | string[] => {
    if (value === undefined || value === "" || value === "0" || value === "false" || value === "no") return false;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(",").map((entry) => entry.trim());
    const bad = entries.filter((entry) => !isAddressOrRange(entry));
    if (bad.length === 0) return entries;
    context.addIssue({
      code: "custom",
      message: `not a proxy address, range or hop count: ${bad.join(", ")} (use e.g. 1, loopback, 10.0.0.0/8)`,
    });
    return z.NEVER;
  });

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  DATABASE_URL: z.string().url().optional().or(z.literal("").transform(() => undefined)),
  POWERCRUD_DATA_DIR: z.string().default(path.join(packageRoot, ".data", "postgres")),
  POWERCRUD_EPHEMERAL_DB: flag,
  SEED_BOOKS: z.coerce.number().int().min(0).default(5_000),
  SESSION_SECRET: z.string().min(16, "SESSION_SECRET must be at least 16 characters").optional(),
  COOKIE_SECURE: flag,
  TRUST_PROXY: trustProxy,
  WORKER_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(2),
  /** Web server processes sharing the port (node:cluster); the worker and the embedded database stay in the first. */
  WEB_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
  BULK_MIN_RECORDS: z.coerce.number().int().min(1).optional(),
  /** Each book in a bulk edit or delete takes this long (ms), so background tasks last long enough to watch. */
  DEMO_TASK_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(0),
  /** Bulk edits refuse every Nth book (by id) with a reason, to show failed records and retry. */
  DEMO_BULK_REFUSE_EVERY: z.coerce.number().int().min(0).default(0),
  SMTP_URL: z.string().url().optional().or(z.literal("").transform(() => undefined)),
  MAIL_FROM: z.string().min(3).optional(),
}).refine((settings) => !settings.COOKIE_SECURE || settings.TRUST_PROXY !== false, {
  path: ["COOKIE_SECURE"],
  message:
    "COOKIE_SECURE=1 needs TRUST_PROXY: the demo serves plain HTTP, so it only knows a request came over HTTPS " +
    "from the X-Forwarded-Proto header of a proxy it trusts; without that no session cookie is ever sent and nobody can sign in",
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
