/**
 * PowerCRUD's own tables, in their own PostgreSQL schema (`powercrud`) so that a host's Prisma
 * migrations never carry them. Applied in order by `migrateSchema()`; each entry runs once, in a
 * transaction, and is recorded in `powercrud.migration`. Append new entries: never edit a shipped one.
 */
export interface SchemaMigration {
  /** Unique and stable: recorded in powercrud.migration once applied. */
  id: string;
  sql: string;
}

export const SCHEMA = "powercrud";

export const migrations: SchemaMigration[] = [
  {
    id: "0001-lists-selections-tasks",
    sql: `
CREATE TABLE powercrud.list_preference (
  "userKey"   text NOT NULL,
  "resource"  text NOT NULL,
  "columns"   text[],
  "updatedAt" timestamp(3) NOT NULL DEFAULT now(),
  PRIMARY KEY ("userKey", "resource")
);

-- A user's selection on one list, kept on the server: explicit rows, or "all rows matching a filter"
-- with exceptions. The browser only ever holds the token.
CREATE TABLE powercrud.selection (
  "token"       text PRIMARY KEY,
  "sessionId"   text NOT NULL,
  "resource"    text NOT NULL,
  "mode"        text NOT NULL DEFAULT 'ids',
  "filterQuery" text NOT NULL DEFAULT '',
  "size"        integer,
  "updatedAt"   timestamp(3) NOT NULL DEFAULT now(),
  UNIQUE ("sessionId", "resource")
);
CREATE INDEX ON powercrud.selection ("updatedAt");

-- Ids as PostgreSQL prints them (id::text), so a model keyed by any single-column type fits.
CREATE TABLE powercrud.selection_item (
  "token"    text NOT NULL REFERENCES powercrud.selection ("token") ON DELETE CASCADE ON UPDATE CASCADE,
  "recordId" text NOT NULL,
  "included" boolean NOT NULL,
  PRIMARY KEY ("token", "recordId")
);

CREATE TYPE powercrud.task_status AS ENUM ('PENDING', 'RUNNING', 'SUCCESS', 'PARTIAL', 'FAILED', 'CANCELLED');

-- A bulk operation run in the background by graphile-worker. Counts change in the same transaction
-- as the rows they count, so they are exact after any crash.
CREATE TABLE powercrud.task (
  "id"              serial PRIMARY KEY,
  "taskKey"         text NOT NULL,
  "resourceKey"     text NOT NULL,
  "resourceUrl"     text NOT NULL,
  "model"           text NOT NULL,
  "operation"       text NOT NULL,
  "data"            jsonb NOT NULL,
  "description"     text NOT NULL,
  "filterQuery"     text NOT NULL DEFAULT '',
  "selectionMode"   text NOT NULL,
  "selectionToken"  text,
  "userKey"         text,
  "userName"        text,
  "userSnapshot"    jsonb,
  "notify"          text[],
  "atomic"          boolean NOT NULL DEFAULT false,
  "chunkSize"       integer NOT NULL,
  "total"           integer NOT NULL DEFAULT 0,
  "processed"       integer NOT NULL DEFAULT 0,
  "succeeded"       integer NOT NULL DEFAULT 0,
  "failed"          integer NOT NULL DEFAULT 0,
  "status"          powercrud.task_status NOT NULL DEFAULT 'PENDING',
  "cancelRequested" boolean NOT NULL DEFAULT false,
  "retryOfId"       integer REFERENCES powercrud.task ("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "error"           text,
  "createdAt"       timestamptz(3) NOT NULL DEFAULT now(),
  "startedAt"       timestamptz(3),
  "heartbeatAt"     timestamptz(3),
  "finishedAt"      timestamptz(3),
  "announcedAt"     timestamptz(3)
);
CREATE INDEX ON powercrud.task ("userKey", "id");
CREATE INDEX ON powercrud.task ("status");
-- A resubmitted bulk form (its selection was used up by the task it queued) finds that task.
CREATE INDEX ON powercrud.task ("selectionToken");
-- One PENDING or RUNNING task per key, so identical submissions made at the same moment queue one task.
CREATE UNIQUE INDEX task_active_key ON powercrud.task ("taskKey") WHERE "status" IN ('PENDING', 'RUNNING');
-- Finished tasks whose "messages" notification is still to be shown: read on every page of their user.
CREATE INDEX task_unannounced ON powercrud.task ("userKey") WHERE "announcedAt" IS NULL AND 'messages' = ANY("notify");

-- The ids a task acts on, frozen when it is queued. No foreign key to the task: checking one per
-- frozen id was half the time of queueing a million-row task; deleting a task deletes its targets.
CREATE TABLE powercrud.task_target (
  "recordId" text NOT NULL,
  "taskId"   integer NOT NULL,
  "chunk"    integer NOT NULL,
  PRIMARY KEY ("recordId", "taskId")
);
CREATE INDEX ON powercrud.task_target ("taskId", "chunk");

-- One unit of work: a worker claims an undone chunk (FOR UPDATE SKIP LOCKED) and marks it done in
-- the transaction that applies it.
CREATE TABLE powercrud.task_chunk (
  "taskId" integer NOT NULL REFERENCES powercrud.task ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "chunk"  integer NOT NULL,
  "done"   boolean NOT NULL DEFAULT false,
  PRIMARY KEY ("taskId", "chunk")
);

CREATE TABLE powercrud.task_failure (
  "taskId"   integer NOT NULL REFERENCES powercrud.task ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "recordId" text NOT NULL,
  "reason"   text NOT NULL,
  PRIMARY KEY ("taskId", "recordId")
);

-- A heartbeat per running task job, with the graphile-worker id that holds it: a job whose worker
-- has no recent beat is unlocked by the sweep instead of waiting graphile-worker's four hours.
CREATE TABLE powercrud.task_run (
  "jobId"    text PRIMARY KEY,
  "workerId" text NOT NULL,
  "taskId"   integer NOT NULL,
  "beatAt"   timestamptz(3) NOT NULL
);
CREATE INDEX ON powercrud.task_run ("workerId");
`,
  },
  {
    id: "0002-saved-views",
    sql: `
-- A named list state (search, filters, sort, page size as the list's query, and the visible
-- columns) kept per list and owner; a shared view shows in everyone's menu for that list.
CREATE TABLE powercrud.saved_view (
  "id"        serial PRIMARY KEY,
  "resource"  text NOT NULL,
  "ownerKey"  text NOT NULL,
  "ownerName" text,
  "name"      text NOT NULL CHECK (length("name") BETWEEN 1 AND 100),
  "query"     text NOT NULL CHECK (length("query") <= 10000),
  "columns"   text[],
  "shared"    boolean NOT NULL DEFAULT false,
  "createdAt" timestamptz(3) NOT NULL DEFAULT now(),
  "updatedAt" timestamptz(3) NOT NULL DEFAULT now()
);
-- One name per owner and list, whatever its case.
CREATE UNIQUE INDEX saved_view_owner_name ON powercrud.saved_view ("resource", "ownerKey", lower("name"));
CREATE INDEX saved_view_shared ON powercrud.saved_view ("resource") WHERE "shared";
`,
  },
  {
    id: "0003-history",
    sql: `
-- A revert is a task of its own that puts back what another task changed.
ALTER TABLE powercrud.task ADD COLUMN "revertOfId" integer REFERENCES powercrud.task ("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX ON powercrud.task ("revertOfId") WHERE "revertOfId" IS NOT NULL;

-- What a task changed, one row per record, written in the transaction of the chunk that changes it:
-- the record's snapshot before and after ({"row": {column: value}, "links": {relation: [ids]}}),
-- NULL for "absent" (a deleted row has no after, a row put back no before). A revert puts the
-- befores back where the afters still hold. No foreign key to the task, as for its targets: the
-- cleanup deletes a task's journal with it. A record's history finds its tasks through
-- task_target's (recordId, taskId) key and reads these rows by this one.
CREATE TABLE powercrud.journal (
  "taskId"   integer NOT NULL,
  "recordId" text NOT NULL,
  "before"   jsonb,
  "after"    jsonb,
  PRIMARY KEY ("taskId", "recordId")
);

-- The audit trail of single-record writes made through PowerCRUD's forms: who, when, and the changed
-- fields before and after (snapshots as in the journal; NULL before a create and after a delete).
CREATE TABLE powercrud.record_change (
  "id"          bigserial PRIMARY KEY,
  "resourceKey" text NOT NULL,
  "model"       text NOT NULL,
  "recordId"    text NOT NULL,
  "action"      text NOT NULL CHECK ("action" IN ('create', 'update', 'delete')),
  "userKey"     text,
  "userName"    text,
  "at"          timestamptz(3) NOT NULL DEFAULT now(),
  "before"      jsonb,
  "after"       jsonb
);
-- A record's history, newest first.
CREATE INDEX ON powercrud.record_change ("model", "recordId", "id");
-- The cleanup, per resource and age.
CREATE INDEX ON powercrud.record_change ("resourceKey", "at");
`,
  },
  {
    id: "0004-export-files",
    sql: `
-- The file a background export wrote, kept in the database so that any web process can serve it,
-- whichever machine's worker wrote it. Its chunks are written as the export goes; it can be
-- downloaded once complete (completedAt), until expiresAt, after which the cleanup deletes it.
CREATE TABLE powercrud.export_file (
  "id"          bigserial PRIMARY KEY,
  "taskId"      integer NOT NULL REFERENCES powercrud.task ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "fileName"    text NOT NULL,
  "contentType" text NOT NULL,
  "size"        bigint NOT NULL DEFAULT 0,
  "rows"        bigint NOT NULL DEFAULT 0,
  "createdAt"   timestamptz(3) NOT NULL DEFAULT now(),
  "completedAt" timestamptz(3),
  "expiresAt"   timestamptz(3)
);
CREATE INDEX ON powercrud.export_file ("taskId");
CREATE INDEX ON powercrud.export_file ("expiresAt");

-- The file's bytes in order, about a megabyte a row: written and read back one chunk at a time.
CREATE TABLE powercrud.export_chunk (
  "fileId" bigint NOT NULL REFERENCES powercrud.export_file ("id") ON DELETE CASCADE,
  "seq"    integer NOT NULL,
  "data"   bytea NOT NULL,
  PRIMARY KEY ("fileId", "seq")
);
`,
  },
];
