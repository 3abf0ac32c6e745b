-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateTable
CREATE TABLE "powercrud_list_preference" (
    "userKey" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "columns" TEXT[],
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "powercrud_list_preference_pkey" PRIMARY KEY ("userKey","resource")
);

-- CreateIndex
CREATE INDEX "Author_name_trgm_idx" ON "Author" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Book_title_trgm_idx" ON "Book" USING GIN ("title" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Book_isbn_trgm_idx" ON "Book" USING GIN ("isbn" gin_trgm_ops);
