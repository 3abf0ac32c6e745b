-- Sorting by editor walks Author(name, id) and then each editor's books in id order: the key
-- followed by the id serves that order, the key alone made PostgreSQL sort each editor's books.

-- DropIndex
DROP INDEX "Book_editorId_idx";

-- CreateIndex
CREATE INDEX "Book_editorId_id_idx" ON "Book"("editorId", "id");
