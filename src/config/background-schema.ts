import { z } from "zod";
import type { Request } from "express";
import { fn } from "./schema-helpers";
import type { FinishedTask, RevertableTask, TaskOperation } from "../tasks/interfaces";

export const NOTIFY_CHANNELS = ["messages", "email", "callback"] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];

const notifySchema = z.array(z.enum(NOTIFY_CHANNELS));

/** Background execution of bulk operations, as createPowerCrud sets it for every resource. */
export const globalBackgroundSchema = z
  .object({
    enabled: z.boolean().default(true).describe(
      "Queue large bulk operations on graphile-worker. `false`: every bulk operation runs in the request, in one transaction.",
    ),
    minRecords: z.number().int().min(1).default(1_000).describe(
      "A bulk edit or delete of at least this many records runs in the background; smaller ones run in the request.",
    ),
    atomic: z.boolean().default(false).describe(
      "Run a background task as one transaction (all or nothing) instead of one transaction per chunk. A record that cannot be changed " +
        "then fails the whole task.",
    ),
    notify: notifySchema.default([]).describe(
      "How the user hears that a task ended, besides its page: a flash message on their next page, an email (`tasks.email`), your " +
        "`tasks.onFinished` function.",
    ),
    parallelism: z.number().int().min(1).max(64).default(2).describe("Jobs queued per task: free workers share one task's chunks."),
    pauseMs: z.number().int().min(0).max(60_000).default(0).describe(
      "A pause after each chunk a worker applies, leaving the database and CPU to other work: useful when workers run on the web " +
        "server's machine and lists must stay quick during a large task.",
    ),
  })
  .strict();

/** A resource's own background settings; what it leaves out comes from createPowerCrud's. */
export const resourceBackgroundSchema = z
  .object({
    enabled: z.boolean().optional().meta(overrides("enabled")),
    minRecords: z.number().int().min(1).optional().meta(overrides("minRecords")),
    atomic: z.boolean().optional().meta(overrides("atomic")),
    notify: notifySchema.optional().meta(overrides("notify")),
    parallelism: z.number().int().min(1).max(64).optional().meta(overrides("parallelism")),
    pauseMs: z.number().int().min(0).max(60_000).optional().meta(overrides("pauseMs")),
  })
  .strict();

/** The reference text of a resource's setting: createPowerCrud's setting of the same name, for this resource. */
function overrides(option: keyof z.input<typeof globalBackgroundSchema>) {
  return { description: `Overrides createPowerCrud's [\`bulk.background.${option}\`](#global-bulk) for this resource.`, defaultText: "createPowerCrud's" };
}

export type BackgroundConfig = z.output<typeof globalBackgroundSchema>;

/** What a task key is made of; `tasks.taskKey` may turn it into another key. */
export interface TaskKeyParts {
  userKey: string | undefined;
  resource: string;
  operation: TaskOperation;
  /** Stands for the target set: the selection's filter and picks, or the task retried. */
  targets: string;
  values: unknown;
}

export const tasksSchema = z
  .object({
    url: z.string().regex(/^\/[^?#]*$/, "must be a path such as /tasks").default("/tasks").describe(
      "Where you mount `crud.tasks()` (a path); links to task pages (modals, list badges, 409 pages, emails) start here.",
    ),
    canManage: fn<(ctx: { user: any; req: Request }) => boolean | Promise<boolean>>("(ctx) => boolean").default(() => () => false).meta({
      defaultText: "`() => false`",
      description: "May this user see, cancel and retry everyone's tasks? `ctx` is `{ user, req }`; may be async. Everybody sees, cancels and retries their own.",
    }),
    canRevert: fn<(ctx: { user: any; req: Request; task: RevertableTask; force: boolean }) => boolean | string | Promise<boolean | string>>(
      "(ctx) => boolean | string",
    ).optional().meta({
      defaultText: "whoever may see the task",
      description:
        "May this user revert this finished task, and force it (`ctx.force`: overwrite records changed since)? `ctx` is `{ user, req, task, force }`; " +
        "`true` allows, `false` or a reason refuses (403); may be async. Asked on the server, on top of the resource's `bulk` and `update` " +
        "permissions (`create` too to put deleted records back). None: the task's owner, and users `canManage` allows, may revert and force. " +
        "See [History and revert](../guides/history-and-revert.md).",
    }),
    onFinished: fn<(task: FinishedTask) => void | Promise<void>>("(task) => void").optional().describe(
      'Called once when a task with the `"callback"` channel ends, in the worker that ended it; may be async. `task` holds the id, ' +
        "status, counts, description, user, times and `url`.",
    ),
    email: z
      .object({
        transport: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).describe(
          'A nodemailer transport: an SMTP URL (`"smtp://user:pass@host:587"`) or SMTP options.',
        ),
        from: z.string().min(3).describe("The sender's address."),
        to: fn<(user: any) => string | undefined>("(user) => address | undefined").optional().meta({
          defaultText: "`user.email`",
          description: "The address of the user who started the task.",
        }),
        baseUrl: z.string().url().optional().describe(
          'The site\'s address, e.g. `"https://admin.example.com"`, so the link to the task page in the email is absolute. None: the link is the bare path.',
        ),
      })
      .strict()
      .optional()
      .describe('For the `"email"` channel: the email that tells the user a task ended, sent with nodemailer.'),
    taskKey: fn<(parts: TaskKeyParts, key: string) => string>("(parts, key) => key").optional().describe(
      "Replaces the key that makes identical submissions one task. `parts`: `userKey`, `resource`, `operation`, `targets` (the " +
        "selection's filter and picks), `values`.",
    ),
    heartbeatMs: z.number().int().min(100).max(60_000).default(5_000).describe("How often a worker running a task records that it is alive."),
    staleAfterMs: z.number().int().min(1_000).max(600_000).default(30_000).describe(
      "A task job whose worker has not beaten for this long is freed, and another worker resumes it at its next undone chunk.",
    ),
    sweepEveryMs: z.number().int().min(100).max(600_000).default(10_000).describe("How often each worker looks for jobs of dead workers."),
    maxStreams: z.number().int().min(1).max(100_000).default(2_000).describe(
      "Live streams (open [status pages](../guides/status-page.md)) one process serves; beyond it a page's stream gets a 503 and the " +
        "page polls instead.",
    ),
    retentionDays: z.number().int().min(1).max(36_500).default(30).describe(
      "Finished tasks (with their targets, chunks, failures and journal) and record changes are removed this many days after they " +
        "ended; `history.retentionDays` (global or a resource's) overrides it.",
    ),
    cleanupSchedule: z
      .union([z.literal(false), z.string().regex(/^\s*\S+(\s+\S+){4}\s*$/, 'must be a five-field cron pattern such as "0 * * * *"')])
      .default("0 * * * *")
      .describe(
        "When `runWorker()`'s graphile-worker cron runs the cleanup (a cron pattern: five fields, UTC). `false`: no cron; run " +
          "`npm run tasks:cleanup` or `crud.cleanupTasks()` yourself.",
      ),
    cleanupBatchSize: z.number().int().min(100).max(100_000).default(5_000).describe(
      "Rows removed per DELETE statement by the cleanup; each is its own short transaction.",
    ),
  })
  .strict();

export type TasksConfig = z.output<typeof tasksSchema>;
