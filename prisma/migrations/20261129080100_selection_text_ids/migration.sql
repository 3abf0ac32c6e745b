-- Selection items keep ids as text, so models keyed by String, uuid or cuid can be selected too.
-- AlterTable
ALTER TABLE "powercrud_selection_item" DROP CONSTRAINT "powercrud_selection_item_pkey",
ALTER COLUMN "recordId" SET DATA TYPE TEXT,
ADD CONSTRAINT "powercrud_selection_item_pkey" PRIMARY KEY ("token", "recordId");
