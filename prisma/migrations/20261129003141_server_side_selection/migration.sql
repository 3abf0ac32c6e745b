-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateTable
CREATE TABLE "powercrud_selection" (
    "token" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "mode" TEXT NOT NULL DEFAULT 'ids',
    "filterQuery" TEXT NOT NULL DEFAULT '',
    "size" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "powercrud_selection_pkey" PRIMARY KEY ("token")
);

-- CreateTable
CREATE TABLE "powercrud_selection_item" (
    "token" TEXT NOT NULL,
    "recordId" BIGINT NOT NULL,
    "included" BOOLEAN NOT NULL,

    CONSTRAINT "powercrud_selection_item_pkey" PRIMARY KEY ("token","recordId")
);

-- CreateIndex
CREATE INDEX "powercrud_selection_updatedAt_idx" ON "powercrud_selection"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "powercrud_selection_sessionId_resource_key" ON "powercrud_selection"("sessionId", "resource");

-- AddForeignKey
ALTER TABLE "powercrud_selection_item" ADD CONSTRAINT "powercrud_selection_item_token_fkey" FOREIGN KEY ("token") REFERENCES "powercrud_selection"("token") ON DELETE CASCADE ON UPDATE CASCADE;
