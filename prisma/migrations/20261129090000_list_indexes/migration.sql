-- Indexes the index advisor asks for: every sortable column, filter and search of the demo's lists.

-- CreateIndex
CREATE INDEX "Author_birthDate_id_idx" ON "Author"("birthDate", "id");

-- CreateIndex
CREATE INDEX "Author_active_id_idx" ON "Author"("active", "id");

-- CreateIndex
CREATE INDEX "Genre_description_id_idx" ON "Genre"("description", "id");

-- CreateIndex
CREATE INDEX "Genre_name_trgm_idx" ON "Genre" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Genre_description_trgm_idx" ON "Genre" USING GIN ("description" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Book_price_id_idx" ON "Book"("price", "id");

-- CreateIndex
CREATE INDEX "Book_pages_id_idx" ON "Book"("pages", "id");

-- CreateIndex
CREATE INDEX "Book_bestseller_id_idx" ON "Book"("bestseller", "id");
