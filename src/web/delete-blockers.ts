import { humanize, pluralize } from "../model/labels";
import { fieldOf } from "../model/relations";
import type { DataModelMeta, ModelMeta } from "../model/types";

export interface Blocker {
  count: number;
  model: string;
  relation: string;
}

/**
 * Counts the records that a restricting foreign key would stop this delete for, so the user learns
 * what to do ("17 books have it as author") instead of seeing a constraint error.
 */
export async function deleteBlockers(prisma: Record<string, any>, dataModel: DataModelMeta, model: ModelMeta, id: unknown): Promise<Blocker[]> {
  const blockers: Blocker[] = [];
  for (const other of Object.values(dataModel.models)) {
    for (const relation of other.fields) {
      if (relation.kind !== "object" || relation.type !== model.name || relation.fromFields.length !== 1) continue;
      const column = fieldOf(other, relation.fromFields[0]!);
      const restricts = relation.onDelete ? ["Restrict", "NoAction"].includes(relation.onDelete) : Boolean(column?.isRequired);
      if (!restricts) continue;
      const delegate = prisma[other.name.charAt(0).toLowerCase() + other.name.slice(1)];
      const count: number = await delegate.count({ where: { [relation.fromFields[0]!]: id } });
      if (count > 0) blockers.push({ count, model: other.name, relation: relation.name });
    }
  }
  return blockers;
}

export function describeBlockers(blockers: Blocker[], name: string): string {
  const parts = blockers.map((blocker) => {
    const noun = humanize(blocker.model).toLowerCase();
    return `${blocker.count.toLocaleString("en")} ${blocker.count === 1 ? noun : pluralize(noun)} ${blocker.count === 1 ? "has" : "have"} it as ${humanize(blocker.relation).toLowerCase()}`;
  });
  return `${name} can't be deleted: ${parts.join(", and ")}. Reassign or delete those first.`;
}
