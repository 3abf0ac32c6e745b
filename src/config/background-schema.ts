import { z } from "zod";
import type { Request } from "express";
import { fn } from "./schema-helpers";
import type { FinishedTask, RevertableTask } from "../tasks/interfaces";

export const NOTIFY_CHANNELS = ["messages", "email", "callback"] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];

const notifySchema = z.array(z.enum(NOTIFY_CHANNELS));

/** Background execution of bulk operations, as createPowerCrud sets it for every resource. */
export const globalBackgroundSchema = z
  .object({
    /** Queue large bulk operations on graphile-worker; false keeps every bulk operation in the request. */
    enabled: z.boolean().default(true),
    /** Bulk operations with at least this many records run in the background. */
    minRecords: z.number().int().min(1).default(1_000),
    /** One transaction for the whole task (all or nothing) instead of one per chunk. */
    atomic: z.boolean().default(false),
    /** Ways to tell the user a task ended, besides its page: "messages", "email", "callback". */
    notify: notifySchema.default([]),
    /** Jobs queued per task: workers that are free share its chunks. */
    parallelism: z.number().int().min(1).max(64).default(2),
    /** A pause after each chunk, leaving the database and CPU to other work (a worker on the web server's machine). */
    pauseMs: z.number().int().min(0).max(60_000).default(0),
  })
  .strict();

/** A resource's own background settings; what it leaves out comes from createPowerCrud's. */
export const resourceBackgroundSchema = z
  .object({
    enabled: z.boolean().optional(),
    minRecords: z.number().int().min(1).optional(),
    atomic: z.boolean().optional(),
    notify: notifySchema.optional(),
    parallelism: z.number().int().min(1).max(64).optional(),
    pauseMs: z.number().int().min(0).max(60_000).optional(),
  })
  .strict();

export type BackgroundConfig = z.output<typeof globalBackgroundSchema>;

/** What a task key is made of; `tasks.taskKey` may turn it into another key. */
export interface TaskKeyParts {
  userKey: string | undefined;
  resource: string;
  operation: "update" | "delete" | "revert";
  /** Stands for the target set: the selection's filter and picks, or the task retried. */
  targets: string;
  values: unknown;
}

export const tasksSchema = z
  .object({
    /** Where the host mounts `crud.tasks()`; links to task pages start here. */
    url: z.string().regex(/^\/[^?#]*$/, "must be a path such as /tasks").default("/tasks"),
    /** May this user see, cancel and retry everyone's tasks (not only their own)? */
    canManage: fn<(ctx: { user: any; req: Request }) => boolean | Promise<boolean>>("(ctx) => boolean").default(() => () => false),
    canRevert: fn<(ctx: { user: any; req: Request; task: RevertableTask; force: boolean }) => boolean | string | Promise<boolean | string>>("(ctx) => boolean | string")
      .optional()
      .describe(
        "May this user revert this task (force: true when they ask to overwrite records changed since)? true allows; false or a reason refuses. Checked on the server on top of the resource's bulk and update permissions. Default: whoever may see the task (its owner, or a user tasks.canManage allows) may revert it, and force it.",
      ),
    /** Called once when a task ends, for tasks with the "callback" channel. */
    onFinished: fn<(task: FinishedTask) => void | Promise<void>>("(task) => void").optional(),
    /** Email for tasks with the "email" channel, sent with nodemailer. */
    email: z
      .object({
        /** A nodemailer transport: an SMTP URL ("smtp://user:pass@host:587") or SMTP options. */
        transport: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
        from: z.string().min(3),
        /** The address of the user who started the task; default: user.email. */
        to: fn<(user: any) => string | undefined>("(user) => address | undefined").optional(),
        /** The site's address, so the email can link to the task page, e.g. "https://admin.example.com". */
        baseUrl: z.string().url().optional(),
      })
      .strict()
      .optional(),
    /** Changes the key that identifies identical submissions. */
    taskKey: fn<(parts: TaskKeyParts, key: string) => string>("(parts, key) => key").optional(),
    /** How often a worker running a task records that it is alive. */
    heartbeatMs: z.number().int().min(100).max(60_000).default(5_000),
    /** A task's job whose worker has not beaten for this long is taken from it and resumed elsewhere. */
    staleAfterMs: z.number().int().min(1_000).max(600_000).default(30_000),
    /** How often each worker looks for tasks of dead workers. */
    sweepEveryMs: z.number().int().min(100).max(600_000).default(10_000),
    /** Live status page streams one process serves at most; beyond it pages poll instead (503 to the stream). */
    maxStreams: z.number().int().min(1).max(100_000).default(2_000),
    /** Finished tasks (with their targets and failures) are kept this many days, then removed. */
    retentionDays: z.number().int().min(1).max(36_500).default(30),
    /** When runWorker's cron removes old tasks (a cron pattern, UTC); false leaves it to `npm run tasks:cleanup`. */
    cleanupSchedule: z
      .union([z.literal(false), z.string().regex(/^\s*\S+(\s+\S+){4}\s*$/, 'must be a five-field cron pattern such as "0 * * * *"')])
      .default("0 * * * *"),
    /** Rows removed per DELETE statement by the cleanup; each is a short transaction of its own. */
    cleanupBatchSize: z.number().int().min(100).max(100_000).default(5_000),
  })
  .strict();

export type TasksConfig = z.output<typeof tasksSchema>;
