import type { TaskQuery } from "../tasks/task-history";
import type { TaskStatus } from "../tasks/interfaces";
import { HttpError } from "./http-error";
import { checkText } from "../model/column-domain";

/** The status filter's choices: each status, and "active" (waiting or running) for the navbar's link. */
export const STATUS_CHOICES: Array<{ value: string; label: string; statuses: TaskStatus[] }> = [
  { value: "active", label: "Waiting or running", statuses: ["PENDING", "RUNNING"] },
  { value: "pending", label: "Waiting", statuses: ["PENDING"] },
  { value: "running", label: "Running", statuses: ["RUNNING"] },
  { value: "success", label: "Done", statuses: ["SUCCESS"] },
  { value: "partial", label: "Done with failures", statuses: ["PARTIAL"] },
  { value: "failed", label: "Failed", statuses: ["FAILED"] },
  { value: "cancelled", label: "Cancelled", statuses: ["CANCELLED"] },
];

/** The list's state as the URL carries it (only what is set). */
export interface TaskListState {
  status?: string;
  resource?: string;
  user?: string;
  from?: string;
  to?: string;
  before?: number;
  after?: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
/** A user filter longer than this is cut: no user key is that long. */
const USER_KEY_LENGTH = 200;

/**
 * Reads the list's URL state. A value that cannot be meant (an unknown status, a date that does not
 * exist) is a 400 that says what would work; the user filter only counts for managers, who are the
 * only ones offered it.
 */
export function parseTaskListState(query: Record<string, unknown>, options: { resourceKeys: string[]; manage: boolean }): { state: TaskListState; filter: Omit<TaskQuery, "owner" | "limit"> } {
  const text = (name: string) => {
    const value = query[name];
    if (value === undefined || value === "") return undefined;
    if (typeof value !== "string") throw new HttpError(400, `The task list's "${name}" filter was given more than once.`);
    return value.trim() || undefined;
  };
  const state: TaskListState = {};
  const filter: Omit<TaskQuery, "owner" | "limit"> = {};

  const status = text("status")?.toLowerCase();
  if (status !== undefined) {
    const choice = STATUS_CHOICES.find((candidate) => candidate.value === status);
    if (!choice) throw new HttpError(400, `There is no task status "${status.slice(0, 40)}". Use one of: ${STATUS_CHOICES.map((c) => c.value).join(", ")}.`);
    state.status = choice.value;
    filter.statuses = choice.statuses;
  }
  const resource = text("resource");
  if (resource !== undefined) {
    if (!options.resourceKeys.includes(resource)) throw new HttpError(400, `There is no resource "${resource.slice(0, 60)}" to filter tasks by.`);
    state.resource = filter.resourceKey = resource;
  }
  const user = text("user");
  if (user !== undefined && options.manage) {
    const checked = checkText(user.slice(0, USER_KEY_LENGTH), { kind: "text", maxLength: USER_KEY_LENGTH });
    if (!checked.ok) throw new HttpError(400, `The task list's user filter: ${checked.message}`);
    state.user = filter.userKey = checked.value;
  }
  const from = text("from");
  const to = text("to");
  const fromDate = from === undefined ? undefined : dateOf(from, "from");
  const toDate = to === undefined ? undefined : dateOf(to, "to");
  if (fromDate && toDate && fromDate > toDate) throw new HttpError(400, `The task list's date range starts (${from}) after it ends (${to}).`);
  if (fromDate) [state.from, filter.from] = [from, fromDate];
  // "to" is a whole day: everything before the next midnight (UTC).
  if (toDate) [state.to, filter.to] = [to, new Date(toDate.getTime() + DAY_MS)];
  const before = position(text("before"), "before");
  const after = position(text("after"), "after");
  if (before !== undefined) state.before = filter.before = before;
  else if (after !== undefined) state.after = filter.after = after;
  return { state, filter };
}

/** The list URL for a state: the filters, plus a page position (or none for the newest page). */
export function taskListUrl(base: string, state: TaskListState, page: { before?: number; after?: number } = {}): string {
  const params = new URLSearchParams();
  for (const key of ["status", "resource", "user", "from", "to"] as const) {
    const value = state[key];
    if (value) params.set(key, value);
  }
  if (page.before !== undefined) params.set("before", String(page.before));
  if (page.after !== undefined) params.set("after", String(page.after));
  const search = params.toString();
  return `${base}/${search ? `?${search}` : ""}`;
}

function dateOf(value: string, name: string): Date {
  const match = DATE.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!match || !date || date.getUTCDate() !== Number(match[3]) || date.getUTCMonth() !== Number(match[2]) - 1) {
    throw new HttpError(400, `The task list's "${name}" date must be a real date written YYYY-MM-DD, not "${value.slice(0, 40)}".`);
  }
  return date;
}

function position(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value)) throw new HttpError(400, `The task list's "${name}" must be a task number.`);
  return Number(value);
}
