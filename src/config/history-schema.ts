import { z } from "zod";

const retentionDays = z.number().int().min(1).max(36_500);

/** The journal of bulk changes (what makes them revertable) and the audit trail of single-record changes. */
export const historySchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        "Journal every bulk change (previous values, in the same transaction as the change) so it can be reverted, record single-record creates, edits and deletes, and show a History panel on record pages. false: none of it; bulk changes cannot be undone.",
      ),
    retentionDays: retentionDays
      .optional()
      .describe("Days a resource's finished tasks, their journal and its record changes are kept; default: tasks.retentionDays."),
  })
  .strict()
  .describe("History: the journal of bulk changes and the audit trail of single-record changes.");

/** A resource's own history settings; what it leaves out comes from createPowerCrud's `history`. */
export const resourceHistorySchema = z
  .object({
    enabled: z.boolean().optional().describe("This resource's history on or off; default: createPowerCrud's history.enabled."),
    retentionDays: retentionDays
      .optional()
      .describe("Keep this resource's tasks, journal and record changes this many days (longer or shorter than the others); default: createPowerCrud's history.retentionDays, else tasks.retentionDays."),
  })
  .strict()
  .default({})
  .describe("History of this resource's records: on or off, and for how long.");

export interface HistoryConfig {
  enabled: boolean;
  retentionDays: number;
}
