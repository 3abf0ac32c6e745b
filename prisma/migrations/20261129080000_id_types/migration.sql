-- AlterTable
ALTER TABLE "Coupon" ADD COLUMN     "campaignId" TEXT;

-- CreateTable
CREATE TABLE "Tag" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "Tag_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Ledger" (
    "id" BIGSERIAL NOT NULL,
    "memo" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "couponId" UUID,

    CONSTRAINT "Ledger_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExchangeRate" (
    "currency" VARCHAR(3) NOT NULL,
    "day" DATE NOT NULL,
    "rate" DECIMAL(12,6) NOT NULL,

    CONSTRAINT "ExchangeRate_pkey" PRIMARY KEY ("currency","day")
);

-- CreateTable
CREATE TABLE "_CouponToTag" (
    "A" UUID NOT NULL,
    "B" TEXT NOT NULL,

    CONSTRAINT "_CouponToTag_AB_pkey" PRIMARY KEY ("A","B")
);

-- CreateIndex
CREATE UNIQUE INDEX "Tag_name_key" ON "Tag"("name");

-- CreateIndex
CREATE INDEX "Ledger_couponId_idx" ON "Ledger"("couponId");

-- CreateIndex
CREATE INDEX "_CouponToTag_B_index" ON "_CouponToTag"("B");

-- AddForeignKey
ALTER TABLE "Coupon" ADD CONSTRAINT "Coupon_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Tag"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Ledger" ADD CONSTRAINT "Ledger_couponId_fkey" FOREIGN KEY ("couponId") REFERENCES "Coupon"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_CouponToTag" ADD CONSTRAINT "_CouponToTag_A_fkey" FOREIGN KEY ("A") REFERENCES "Coupon"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_CouponToTag" ADD CONSTRAINT "_CouponToTag_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag"("id") ON DELETE CASCADE ON UPDATE CASCADE;
