import { describe, expect, it } from "vitest";
import { parseTaskListState, taskListUrl } from "../../src/web/task-filters";
import { cell } from "../../src/web/task-csv";
import { HttpError } from "../../src/web/http-error";

const parse = (query: Record<string, unknown>, manage = true) => parseTaskListState(query, { resourceKeys: ["Book", "Author"], manage });

describe("the task list's URL state", () => {
  it("reads every filter and writes the same URL back", () => {
    const { state, filter } = parse({ status: "Active", resource: "Book", user: "7", from: "2026-02-01", to: "2026-02-28", before: "120" });
    expect(filter).toMatchObject({ statuses: ["PENDING", "RUNNING"], resourceKey: "Book", userKey: "7", before: 120 });
    expect(filter.from?.toISOString()).toBe("2026-02-01T00:00:00.000Z");
    // "to" is the whole day.
    expect(filter.to?.toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(taskListUrl("/tasks", state)).toBe("/tasks/?status=active&resource=Book&user=7&from=2026-02-01&to=2026-02-28");
    expect(taskListUrl("/tasks", state, { before: 99 })).toBe("/tasks/?status=active&resource=Book&user=7&from=2026-02-01&to=2026-02-28&before=99");
    expect(taskListUrl("/tasks", {})).toBe("/tasks/");
  });

  it("ignores the user filter for someone who may only see their own tasks", () => {
    expect(parse({ user: "7" }, false)).toEqual({ state: {}, filter: {} });
  });

  it.each([
    [{ status: "done-ish" }, "There is no task status"],
    [{ from: "2026-02-29" }, "real date"],
    [{ to: "yesterday" }, "real date"],
    [{ from: "2026-03-02", to: "2026-03-01" }, "after it ends"],
    [{ resource: "Genre" }, "There is no resource"],
    [{ after: "-1" }, "task number"],
    [{ status: ["running", "failed"] }, "more than once"],
  ])("refuses %j with a 400 that says why", (query, message) => {
    let error: unknown;
    try {
      parse(query);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    expect((error as HttpError).message).toContain(message);
  });
});

describe("CSV cells", () => {
  it("quotes what needs quoting and defuses formulas, but not negative numbers", () => {
    expect(cell("plain")).toBe("plain");
    expect(cell('say "hi", then')).toBe('"say ""hi"", then"');
    expect(cell("line\nbreak")).toBe('"line\nbreak"');
    expect(cell("=SUM(A1)")).toBe("'=SUM(A1)");
    expect(cell("@cmd")).toBe("'@cmd");
    expect(cell("-12")).toBe("-12");
    expect(cell("+1 555")).toBe("'+1 555");
  });
});
