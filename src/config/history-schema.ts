import { z } from "zod";

const retentionDays = z.number().int().min(1).max(36_500);

/** The journal of bulk changes (what makes them revertable) and the audit trail of single-record changes. */
export const historySchema = z
  .object({
    enabled: z.boolean().default(true).describe(
      "Journal every bulk edit (each record's previous values, in the transaction that changes it) so it can be reverted, record every " +
        "create, edit and delete made through PowerCRUD's forms, and show a History panel on record pages. `false`: none of it, and bulk " +
        "changes cannot be undone.",
    ),
    retentionDays: retentionDays.optional().meta({
      defaultText: "`tasks.retentionDays`",
      description: "Days finished tasks, their journal and record changes are kept, then removed by the tasks cleanup.",
    }),
  })
  .strict()
  .describe("The journal that makes bulk changes revertable, and the audit trail of every change. See [History and revert](../guides/history-and-revert.md).");

/** A resource's own history settings; what it leaves out comes from createPowerCrud's `history`. */
export const resourceHistorySchema = z
  .object({
    enabled: z.boolean().optional().meta({ defaultText: "createPowerCrud's `history.enabled`", description: "This resource's journal, audit trail and History panel on or off." }),
    retentionDays: retentionDays.optional().meta({
      defaultText: "createPowerCrud's `history.retentionDays`",
      description: "Keep this resource's finished tasks, their journal and its record changes this many days: longer (an audited table) or shorter.",
    }),
  })
  .strict()
  .default({})
  .describe("This resource's history, overriding createPowerCrud's `history`. See [History and revert](../guides/history-and-revert.md).");

export interface HistoryConfig {
  enabled: boolean;
  /** Days this resource's tasks and changes are kept, when not `tasks.retentionDays`. */
  retentionDays?: number;
}
