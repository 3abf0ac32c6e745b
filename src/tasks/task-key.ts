import { createHash } from "node:crypto";
import type { TaskKeyParts } from "../config/background-schema";

/**
 * The key identical submissions share: a double click, an impatient resubmit, or twenty tabs posting
 * the same bulk edit of the same selection. A host hook may replace it (e.g. to key by team).
 */
export function taskKeyOf(parts: TaskKeyParts, hook?: (parts: TaskKeyParts, key: string) => string): string {
  const key = createHash("sha256")
    .update(JSON.stringify([parts.userKey ?? null, parts.resource, parts.operation, parts.targets, parts.values]))
    .digest("hex");
  return hook ? hook(parts, key) : key;
}
