/**
 * Where to go after a form: the list URL the user came from (with its filters, sort and page), but
 * only inside this resource, so a forged `_return` cannot send anyone elsewhere.
 */
export function safeReturnUrl(candidate: unknown, baseUrl: string): string {
  const fallback = `${baseUrl}/`;
  if (typeof candidate !== "string" || candidate.length > 4_000) return fallback;
  if (!(candidate === baseUrl || candidate.startsWith(`${baseUrl}/`) || candidate.startsWith(`${baseUrl}?`))) return fallback;
  if (candidate.includes("//") || candidate.includes("\\")) return fallback;
  return candidate;
}
