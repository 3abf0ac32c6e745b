/** "publishedDate" → "Published date", "isbn" → "ISBN", "authorId" → "Author". */
export function humanize(name: string): string {
  const words = name
    .replace(/Id$/, "")
    .replace(/_/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .trim()
    .split(/\s+/)
    .map((word) => (ACRONYMS.has(word.toLowerCase()) ? word.toUpperCase() : word.toLowerCase()));
  const sentence = words.join(" ");
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

const ACRONYMS = new Set(["id", "isbn", "url", "uri", "api", "ip", "sku", "uuid", "html", "css", "json", "sql", "vat"]);

/** A readable plural for page titles: "Book" → "Books", "Category" → "Categories". */
export function pluralize(word: string): string {
  if (/[^aeiou]y$/i.test(word)) return word.slice(0, -1) + "ies";
  if (/(s|x|z|ch|sh)$/i.test(word)) return word + "es";
  return word + "s";
}
