import type pg from "pg";
import { ident } from "../db/sql";
import { humanize, pluralize } from "../model/labels";
import { columnName, fieldOf } from "../model/relations";
import type { DataModelMeta, ModelMeta } from "../model/types";

/** How many of the blocked records a message names. */
const NAMED = 3;

export interface Blocker {
  /** The referencing model and the relation on it, e.g. Book.author. */
  model: string;
  relation: string;
  /** Referencing rows, and how many of the deleted rows they point at. */
  records: number;
  owners: number;
  /** The deleted rows with the most referencing rows, named, at most a few. */
  named: Array<{ id: string; name: string; records: number }>;
}

/**
 * Counts, set-based, the rows of other tables that a restricting foreign key ties to the rows about
 * to be deleted (one record or a bulk selection), so the user learns what to do ("Ada Berg is still
 * the author of 17 books") instead of seeing a constraint error. `displayField` names the deleted
 * rows in the answer.
 */
export async function deleteBlockers(pool: pg.Pool, dataModel: DataModelMeta, model: ModelMeta, ids: Array<string | number | bigint>, displayField = model.idField): Promise<Blocker[]> {
  const blockers: Blocker[] = [];
  const display = fieldOf(model, displayField);
  const name = display && display.kind !== "object" ? ident(display.dbName) : ident(columnName(model, model.idField));
  for (const other of Object.values(dataModel.models)) {
    for (const relation of other.fields) {
      if (relation.kind !== "object" || relation.type !== model.name || relation.fromFields.length !== 1) continue;
      const column = fieldOf(other, relation.fromFields[0]!);
      if (!column || column.kind === "object") continue;
      const restricts = relation.onDelete ? ["Restrict", "NoAction"].includes(relation.onDelete) : column.isRequired;
      if (!restricts) continue;
      const key = ident(column.dbName);
      const target = ident(columnName(model, relation.toFields[0] ?? model.idField));
      // No cast on $1: PostgreSQL takes the array's type from the key column, whatever the id type.
      // One statement: the totals, and the few deleted rows most referred to, with their names.
      const { rows } = await pool.query<{ records: string | null; owners: string; named: Blocker["named"] | null }>(
        `WITH hits AS (SELECT ${key} AS owner, count(*) AS n FROM ${ident(other.dbName)} WHERE ${key} = ANY($1) GROUP BY ${key})
         SELECT (SELECT sum(n) FROM hits) AS records, (SELECT count(*) FROM hits) AS owners,
                (SELECT json_agg(json_build_object('id', o.${target}::text, 'name', o.${name}::text, 'records', h.n) ORDER BY h.n DESC, o.${name}, o.${target})
                 FROM (SELECT * FROM hits ORDER BY n DESC, owner LIMIT ${NAMED}) h JOIN ${ident(model.dbName)} o ON o.${target} = h.owner) AS named`,
        [ids.map(String)],
      );
      const records = Number(rows[0]!.records ?? 0);
      if (records > 0) {
        const named = (rows[0]!.named ?? []).map((owner) => ({ id: owner.id, name: owner.name ?? owner.id, records: Number(owner.records) }));
        blockers.push({ model: other.name, relation: relation.name, records, owners: Number(rows[0]!.owners), named });
      }
    }
  }
  return blockers;
}

const counted = (count: number, noun: string) => `${count.toLocaleString("en")} ${count === 1 ? noun : pluralize(noun)}`;
const nounOf = (blocker: Blocker) => humanize(blocker.model).toLowerCase();
const roleOf = (blocker: Blocker) => humanize(blocker.relation).toLowerCase();
const list = (items: string[]) => (items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`);

/** For one record: "Ada Berg can't be deleted: it is still the author of 17 books. ..." */
export function describeBlockers(blockers: Blocker[], name: string): string {
  const parts = blockers.map((blocker) => `the ${roleOf(blocker)} of ${counted(blocker.records, nounOf(blocker))}`);
  const nouns = [...new Set(blockers.map((blocker) => pluralize(nounOf(blocker))))];
  return `${name} can't be deleted: it is still ${list(parts)}. Reassign or delete those ${list(nouns)} first.`;
}

/**
 * For a selection: "Nothing can be deleted while 2 of the selected authors are still the author of
 * 34 books: Ada Berg (20 books) and Bo Chen (14 books). ..." naming the first few.
 */
export function describeBulkBlockers(blockers: Blocker[], plural: string): string {
  const parts = blockers.map((blocker) => {
    const owners = `${blocker.owners.toLocaleString("en")} of the selected ${plural.toLowerCase()}`;
    const named = blocker.named.map((owner) => `${owner.name} (${counted(owner.records, nounOf(blocker))})`);
    const more = blocker.owners - blocker.named.length;
    const names = more > 0 ? `${named.join(", ")} and ${more.toLocaleString("en")} more` : list(named);
    return `${owners} ${blocker.owners === 1 ? "is" : "are"} still the ${roleOf(blocker)} of ${counted(blocker.records, nounOf(blocker))}: ${names}`;
  });
  const nouns = [...new Set(blockers.map((blocker) => pluralize(nounOf(blocker))))];
  return `Nothing can be deleted while ${parts.join("; and ")}. Reassign or delete those ${list(nouns)} first, or unselect those ${plural.toLowerCase()}.`;
}

/** Where each model's list is mounted (learned from requests) and which filters it offers. */
export type ListMounts = Map<string, { url: string; filters: string[] }>;

/**
 * Links to the records that block a delete: the referencing model's list, filtered by the relation
 * to the named owners when that list offers the filter. Models not mounted (or not visited yet) get none.
 */
export function blockerLinks(blockers: Blocker[], mounts: ListMounts): Array<{ href: string; label: string }> {
  return blockers.flatMap((blocker) => {
    const mount = mounts.get(blocker.model);
    if (!mount) return [];
    const filtered = mount.filters.includes(blocker.relation) && blocker.named.length > 0;
    const query = filtered ? `?${encodeURIComponent(blocker.relation)}=${blocker.named.map((owner) => encodeURIComponent(owner.id)).join(",")}` : "";
    const whose = filtered ? ` of ${list(blocker.named.map((owner) => owner.name))}` : "";
    return [{ href: `${mount.url}/${query}`, label: `Show the ${pluralize(nounOf(blocker))}${whose}` }];
  });
}
