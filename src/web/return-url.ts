/**
 * Where to go after a form: the list URL the user came from (with its filters, sort and page), but
 * only inside this resource, so a forged `_return` cannot send anyone elsewhere.
 */
export function safeReturnUrl(candidate: unknown, baseUrl: string): string {
  const fallback = `${baseUrl}/`;
  if (typeof candidate !== "string" || candidate.length > 4_000) return fallback;
  if (!(candidate === baseUrl || candidate.startsWith(`${baseUrl}/`) || candidate.startsWith(`${baseUrl}?`))) return fallback;
  if (candidate.includes("//") || candidate.includes("\\")) return fallback;
  // Resolve dot segments ("/books/../admin", "%2e%2e") the way a browser would, then check again.
  const resolved = new URL(candidate, "http://return.invalid");
  const path = resolved.pathname;
  if (!(path === baseUrl || path.startsWith(`${baseUrl}/`)) || /%2e/i.test(candidate)) return fallback;
  return path + resolved.search;
}
