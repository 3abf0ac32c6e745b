import os from "node:os";
import { benchDatabase } from "./support";
import { bulkBench } from "./bulk-bench";
import { bulkFormBench } from "./bulk-form-bench";
import { listBench } from "./list-bench";
import { tasksBench } from "./tasks-bench";
import { statusBench } from "./status-bench";
import { exportBench } from "./export-bench";

const db = await benchDatabase();
try {
  console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`);
  console.log(await listBench(db.url));
  console.log("");
  console.log(await bulkBench(db.url));
  console.log("");
  console.log(await bulkFormBench(db.url));
  console.log("");
  console.log(await tasksBench(db.url));
  console.log("");
  console.log(await statusBench(db.url));
  console.log("");
  console.log(await exportBench(db.url));
} finally {
  await db.stop();
}
