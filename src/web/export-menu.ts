import type { Request } from "express";
import type { ExportFormat } from "../config/export-schema";
import type { Resource } from "../config/resolve-resource";
import { canDo, type Decision } from "./permissions";

const FORMAT_LABELS: Record<ExportFormat, string> = { csv: "CSV (UTF-8)", xlsx: "Excel workbook (.xlsx)" };

/** May this user export this list: the list's permission, then the `export` hook (none: whoever may list may export). */
export async function canExport(resource: Resource, req: Request): Promise<Decision> {
  for (const action of ["list", "export"] as const) {
    const decision = await canDo(resource, action, req);
    if (!decision.allowed) return decision;
  }
  return { allowed: true };
}

export interface ExportMenuView {
  url: string;
  formats: Array<{ value: ExportFormat; label: string }>;
  /** The list's query (filters, search, sort) the form posts back. */
  listQuery: string;
  /** "1,234" or "≈ 1,000,000": the list's total as the pagination shows it. */
  listCount: string;
  /** The selection's size when the list selects rows (null while it is being counted); the page's script keeps it current. */
  selected?: { size: number | null };
  /** From this many rows on, the file is prepared in the background. */
  backgroundFrom?: number;
}

/** The toolbar's Export menu, or nothing for users who may not export. */
export function exportMenuView(
  resource: Resource,
  req: Request,
  listQuery: string,
  total: { total: number; totalKind: "exact" | "estimate" },
  selection: { size: number | null } | undefined,
): ExportMenuView {
  return {
    url: `${req.baseUrl}/_export`,
    formats: resource.export.formats.map((value) => ({ value, label: FORMAT_LABELS[value] })),
    listQuery,
    listCount: `${total.totalKind === "estimate" ? "≈ " : ""}${total.total.toLocaleString("en")}`,
    ...(selection ? { selected: { size: selection.size } } : {}),
    ...(resource.background.enabled ? { backgroundFrom: resource.export.backgroundMinRecords } : {}),
  };
}
