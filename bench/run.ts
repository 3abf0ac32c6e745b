import os from "node:os";
import { benchDatabase } from "./support";
import { bulkBench } from "./bulk-bench";
import { bulkFormBench } from "./bulk-form-bench";
import { listBench } from "./list-bench";
import { matrixBench } from "./matrix-bench";
import { tasksBench } from "./tasks-bench";
import { statusBench } from "./status-bench";
import { journalBench } from "./journal-bench";
import { exportBench } from "./export-bench";

/** Each part of the benchmark, in the order `npm run bench` runs them; `npm run bench -- matrix list` runs only those. */
const PARTS: Record<string, (url: string) => Promise<string>> = {
  list: listBench,
  // MATRIX_RUNS=8 for a quicker, rougher matrix (20 runs a cell by default).
  matrix: (url) => matrixBench(url, process.env.MATRIX_RUNS ? { iterations: Number(process.env.MATRIX_RUNS) } : {}),
  bulk: bulkBench,
  "bulk-form": bulkFormBench,
  tasks: tasksBench,
  status: statusBench,
  journal: journalBench,
  export: exportBench,
};

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in PARTS));
if (unknown.length) {
  console.error(`Unknown part: ${unknown.join(", ")} (parts: ${Object.keys(PARTS).join(", ")})`);
  process.exit(2);
}
const db = await benchDatabase();
try {
  console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`);
  for (const [name, part] of Object.entries(PARTS)) {
    if (chosen.length && !chosen.includes(name)) continue;
    console.log(await part(db.url));
    console.log("");
  }
} finally {
  await db.stop();
}
