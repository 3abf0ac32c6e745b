-- CreateEnum
CREATE TYPE "PowercrudTaskStatus" AS ENUM ('PENDING', 'RUNNING', 'SUCCESS', 'PARTIAL', 'FAILED', 'CANCELLED');

-- CreateTable
CREATE TABLE "powercrud_task" (
    "id" SERIAL NOT NULL,
    "taskKey" TEXT NOT NULL,
    "resourceKey" TEXT NOT NULL,
    "resourceUrl" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "description" TEXT NOT NULL,
    "filterQuery" TEXT NOT NULL DEFAULT '',
    "selectionMode" TEXT NOT NULL,
    "selectionToken" TEXT,
    "userKey" TEXT,
    "userName" TEXT,
    "userSnapshot" JSONB,
    "notify" TEXT[],
    "atomic" BOOLEAN NOT NULL DEFAULT false,
    "chunkSize" INTEGER NOT NULL,
    "total" INTEGER NOT NULL DEFAULT 0,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "succeeded" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "status" "PowercrudTaskStatus" NOT NULL DEFAULT 'PENDING',
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "retryOfId" INTEGER,
    "error" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "heartbeatAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "announcedAt" TIMESTAMPTZ(3),

    CONSTRAINT "powercrud_task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "powercrud_task_target" (
    "recordId" TEXT NOT NULL,
    "taskId" INTEGER NOT NULL,
    "chunk" INTEGER NOT NULL,

    CONSTRAINT "powercrud_task_target_pkey" PRIMARY KEY ("recordId","taskId")
);

-- CreateTable
CREATE TABLE "powercrud_task_chunk" (
    "taskId" INTEGER NOT NULL,
    "chunk" INTEGER NOT NULL,
    "done" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "powercrud_task_chunk_pkey" PRIMARY KEY ("taskId","chunk")
);

-- CreateTable
CREATE TABLE "powercrud_task_failure" (
    "taskId" INTEGER NOT NULL,
    "recordId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "powercrud_task_failure_pkey" PRIMARY KEY ("taskId","recordId")
);

-- CreateTable
CREATE TABLE "powercrud_task_run" (
    "jobId" TEXT NOT NULL,
    "workerId" TEXT NOT NULL,
    "taskId" INTEGER NOT NULL,
    "beatAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "powercrud_task_run_pkey" PRIMARY KEY ("jobId")
);

-- CreateIndex
CREATE INDEX "powercrud_task_run_workerId_idx" ON "powercrud_task_run"("workerId");

-- CreateIndex
CREATE INDEX "powercrud_task_userKey_id_idx" ON "powercrud_task"("userKey", "id");

-- CreateIndex
CREATE INDEX "powercrud_task_status_idx" ON "powercrud_task"("status");

-- CreateIndex
CREATE INDEX "powercrud_task_target_taskId_chunk_idx" ON "powercrud_task_target"("taskId", "chunk");

-- No foreign key from powercrud_task_target to its task: checking one per frozen id was half the time
-- of queueing a million-row task. Deleting a task deletes its targets explicitly (see the cleanup).

-- AddForeignKey
ALTER TABLE "powercrud_task" ADD CONSTRAINT "powercrud_task_retryOfId_fkey" FOREIGN KEY ("retryOfId") REFERENCES "powercrud_task"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "powercrud_task_chunk" ADD CONSTRAINT "powercrud_task_chunk_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "powercrud_task"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "powercrud_task_failure" ADD CONSTRAINT "powercrud_task_failure_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "powercrud_task"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One PENDING or RUNNING task per key, so identical submissions made at the same moment queue one
-- task (Prisma cannot declare a partial index, so it lives here).
CREATE UNIQUE INDEX "powercrud_task_active_key" ON "powercrud_task"("taskKey") WHERE "status" IN ('PENDING', 'RUNNING');

-- Finished tasks whose "messages" notification is still to be shown: read on every page of their user.
CREATE INDEX "powercrud_task_unannounced" ON "powercrud_task"("userKey") WHERE "announcedAt" IS NULL AND 'messages' = ANY("notify");

-- A resubmitted bulk form (its selection was used up by the task it queued) finds that task.
CREATE INDEX "powercrud_task_selectionToken_idx" ON "powercrud_task"("selectionToken");
