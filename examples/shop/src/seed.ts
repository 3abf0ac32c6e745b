import type { PrismaClient } from "./generated/prisma/client.js";

const CATEGORIES = ["Coffee", "Tea", "Brewing", "Mugs", "Gifts"];
const TAGS = ["organic", "fair trade", "new", "bestseller", "limited", "vegan"];
const ORIGINS = ["Ethiopia", "Colombia", "Kenya", "Brazil", "Guatemala", "Sumatra", "Yunnan", "Assam", "Darjeeling", "Uji", "Nilgiri", "Kyoto"];
const KINDS = ["Beans", "Ground", "Leaf", "Blend", "Sampler"];
export const PRODUCTS = ORIGINS.length * KINDS.length;

/** A small deterministic catalogue on the first start: 60 products, so a bulk edit of all runs in the background. */
export async function seedIfEmpty(prisma: PrismaClient): Promise<boolean> {
  if ((await prisma.product.count()) > 0) return false;
  await prisma.$transaction(async (tx) => {
    await tx.category.createMany({ data: CATEGORIES.map((name) => ({ name })) });
    await tx.tag.createMany({ data: TAGS.map((name) => ({ name })) });
    const categories = await tx.category.findMany({ orderBy: { id: "asc" } });
    const tags = await tx.tag.findMany({ orderBy: { id: "asc" } });
    let n = 0;
    for (const origin of ORIGINS) {
      for (const kind of KINDS) {
        n += 1;
        const product = await tx.product.create({
          data: {
            name: `${origin} ${kind}`,
            sku: `${origin.slice(0, 3).toUpperCase()}-${kind.slice(0, 3).toUpperCase()}-${String(n).padStart(3, "0")}`,
            price: `${4 + (n * 37) % 40}.${String((n * 13) % 100).padStart(2, "0")}`,
            stock: (n * 17) % 120,
            status: n % 11 === 0 ? "DISCONTINUED" : n % 7 === 0 ? "DRAFT" : "ACTIVE",
            categoryId: categories[n % categories.length]!.id,
            tags: { connect: tags.filter((_, index) => (n + index) % 4 === 0).map(({ id }) => ({ id })) },
          },
        });
        await tx.stockMovement.createMany({
          data: [
            { productId: product.id, quantity: 50, note: "Opening stock" },
            { productId: product.id, quantity: -((n * 7) % 20), note: n % 3 === 0 ? "Web orders" : null },
          ],
        });
      }
    }
  }, { timeout: 30_000 });
  return true;
}
