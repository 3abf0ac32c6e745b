import { createRequire } from "node:module";
import type { Socket } from "node:net";
import type { Writable } from "node:stream";
import pg from "pg";
import { ExportAborted, drained } from "./output";

// node-postgres turns a parameter into the text it sends in exactly this way (arrays as array
// literals, dates, buffers); COPY takes no parameters, so the same text goes into the statement.
const { prepareValue } = createRequire(import.meta.url)("pg/lib/utils") as { prepareValue(value: unknown): string | Buffer | null };

/** Output gathered per write: a million rows are a hundred thousand writes less. */
const WRITE_BYTES = 64 * 1024;

/**
 * A statement with its $n parameters written in as literals, each escaped as node-postgres would
 * send it: COPY (query) takes no bind parameters. The statement is PowerCRUD's own, so `$n` stands
 * only for parameters.
 */
export function withLiterals(sql: string, params: unknown[]): string {
  return sql.replace(/\$(\d+)/g, (_match, n: string) => {
    const value = prepareValue(params[Number(n) - 1]);
    return value === null ? "NULL" : pg.escapeLiteral(String(value));
  });
}

/** Where a copy's bytes go: the output, opened once the first rows are in (a statement PostgreSQL refuses fails before anything was written), after the prefix. */
export interface CopyTarget {
  open(): Writable;
  /** Written first: the byte order mark and the header line. */
  prefix: string;
}

export interface CopyProgress {
  /** Called every few hundred milliseconds with the rows written so far; it may throw to stop the copy. */
  (rows: number): Promise<void>;
}

/**
 * Runs `COPY (...) TO STDOUT` on the client and writes what PostgreSQL sends to the output as it
 * arrives: one CopyData message a row, gathered into 64 KB writes. While the output is full the
 * connection's socket is paused, so PostgreSQL waits instead of Node buffering the file. A copy
 * whose output goes away, or whose progress callback throws, is cancelled on the server and
 * rejects: the caller must then drop the connection (release it with the error), never reuse it.
 * Resolves with the rows copied.
 */
export function copyTo(pool: pg.Pool, client: pg.PoolClient, sql: string, target: CopyTarget, progress?: { everyMs: number; report: CopyProgress }): Promise<number> {
  const socket = (client as unknown as { connection: { stream: Socket } }).connection.stream;
  return new Promise<number>((resolve, reject) => {
    let output: Writable | undefined;
    let parts: Buffer[] = [Buffer.from(target.prefix)];
    let gathered = parts[0]!.length;
    let rows = 0;
    let reported = Date.now();
    let stopping: Error | undefined;
    let cancelled: Promise<unknown> = Promise.resolve();
    let waiting = false;

    const stop = (error: Error) => {
      if (stopping) return;
      stopping = error;
      socket.resume();
      const backend = (client as unknown as { processID: number }).processID;
      cancelled = pool.query("SELECT pg_cancel_backend($1)", [backend]).catch(() => {});
    };
    /** Pauses PostgreSQL while `work` runs (the output draining, the progress report). */
    const hold = (work: Promise<void>) => {
      waiting = true;
      socket.pause();
      work.then(
        () => {
          waiting = false;
          if (stopping) return;
          // What came in meanwhile (the rest of the socket's last read) goes out now; it may fill the output again.
          flush();
          if (!waiting) socket.resume();
        },
        (error: Error) => stop(error),
      );
    };
    const closed = () => stop(new ExportAborted());
    /**
     * Writes what has gathered in writes of at most WRITE_BYTES, while the output takes them; `last`
     * (the copy is complete) writes all of it. Until the output drains, the rest waits in `parts`.
     */
    const flush = (last = false) => {
      if (!output) {
        output = target.open();
        output.once("close", closed);
      }
      while (gathered > 0 && (last || (gathered >= WRITE_BYTES && !waiting))) {
        const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts, gathered);
        const rest = data.subarray(WRITE_BYTES);
        parts = rest.length ? [rest] : [];
        gathered = rest.length;
        if (!output.write(data.subarray(0, WRITE_BYTES)) && !last) hold(drained(output));
      }
    };

    client.query({
      submit: (connection: { query(text: string): void }) => connection.query(sql),
      handleCopyData(message: { chunk: Buffer }) {
        if (stopping) return;
        // The message's bytes are a view of the socket's buffer: copied out, so that buffer can go.
        parts.push(Buffer.from(message.chunk));
        gathered += message.chunk.length;
        rows += 1;
        // While the output is full, rows already read from the socket wait here, not in the output.
        if (gathered >= WRITE_BYTES) flush();
        if (progress && !waiting && Date.now() - reported >= progress.everyMs) {
          reported = Date.now();
          hold(progress.report(rows));
        }
      },
      handleCommandComplete() {
        if (!stopping) flush(true);
      },
      // node-postgres forgets a statement once it reports an error (ReadyForQuery then goes to
      // nobody): an error ends the copy here.
      handleError(error: Error) {
        output?.off("close", closed);
        // A stopped copy's caller drops the connection; the cancel has been delivered before it does.
        if (stopping) void cancelled.then(() => reject(stopping));
        else reject(error);
      },
      handleReadyForQuery() {
        output?.off("close", closed);
        if (stopping) void cancelled.then(() => reject(stopping));
        else resolve(rows);
      },
      handleRowDescription() {},
      handleDataRow() {},
      handleEmptyQuery() {},
      handlePortalSuspended() {},
    } as never);
  });
}
