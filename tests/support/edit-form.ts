import { unescapeHtml } from "./bare-app";

/**
 * An edit form's current values as a browser would post them (ticked boxes, selected options,
 * textareas), with some replaced: what "open the form, change a field, save" sends.
 */
export function editedForm(html: string, changes: Record<string, string | string[]>): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const match of html.matchAll(/<input[^>]*name="([^"]+)"[^>]*>/g)) {
    const tag = match[0];
    if (/type="(checkbox|radio)"/.test(tag) && !/\bchecked\b/.test(tag)) continue;
    const name = match[1]!;
    const value = unescapeHtml(/value="([^"]*)"/.exec(tag)?.[1] ?? "");
    fields[name] = name in fields ? [fields[name]!].flat().concat(value) : value;
  }
  for (const match of html.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const chosen = [...match[2]!.matchAll(/<option value="([^"]*)" selected/g)].map((option) => unescapeHtml(option[1]!));
    fields[match[1]!] = /\bmultiple\b/.test(match[0]) ? chosen : chosen[0] ?? "";
  }
  for (const match of html.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) fields[match[1]!] = unescapeHtml(match[2]!);
  return { ...fields, ...changes };
}
