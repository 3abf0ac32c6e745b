import { once } from "node:events";
import type { Writable } from "node:stream";

/** The output went away (the browser closed the download): the export stops. */
export class ExportAborted extends Error {
  constructor() {
    super("The export's output was closed before it was complete.");
  }
}

/** Writes, then waits for the output to drain if it is full. */
export async function writeTo(output: Writable, chunk: string): Promise<void> {
  if (output.destroyed) throw new ExportAborted();
  if (!output.write(chunk)) await drained(output);
}

/** Waits until the stream takes more; throws ExportAborted when it closes instead. */
export async function drained(stream: Writable): Promise<void> {
  if (stream.destroyed) throw new ExportAborted();
  const controller = new AbortController();
  const { signal } = controller;
  try {
    await Promise.race([once(stream, "drain", { signal }), once(stream, "close", { signal }).then(() => { throw new ExportAborted(); })]);
  } finally {
    controller.abort();
  }
}

/** Waits until the output has flushed everything (or closed, the end of an HTTP response). */
export async function finished(output: Writable): Promise<void> {
  if (output.writableFinished) return;
  if (output.destroyed) throw new ExportAborted();
  const controller = new AbortController();
  const { signal } = controller;
  try {
    await Promise.race([once(output, "finish", { signal }), once(output, "close", { signal })]);
  } finally {
    controller.abort();
  }
}
