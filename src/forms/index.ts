export { formFieldsFor, type FormFieldOptions } from "./form-fields";
export { parseForm } from "./parse-form";
export { toPrismaData } from "./prisma-data";
export type { FormField, FormValues, ParseResult } from "./types";
