import { HttpError } from "./http-error";

/**
 * A yes/no field of a form (a checkbox, or a hidden input a button posts): absent, empty or `off`
 * means no, `on` means yes. Anything else, a repeated key included, is a forged or broken form: a
 * 4xx naming the field rather than a guess at what was meant.
 */
export function formFlag(body: unknown, name: string, values: { on: string; off?: string; meaning: string }, status: 400 | 422 = 400): boolean {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (value === undefined || value === "" || (values.off !== undefined && value === values.off)) return false;
  if (value === values.on) return true;
  const allowed = values.off === undefined ? `"${values.on}" (${values.meaning}) or absent` : `"${values.on}" (${values.meaning}), "${values.off}" or absent`;
  throw new HttpError(status, `The "${name}" field is ${allowed}.`);
}
