// npm run docs:options: rewrites the option tables of docs/reference/options.md from the zod schemas.
import { readFileSync, writeFileSync } from "node:fs";
import { referenceProblems, renderReference } from "../src/config/options-reference";

const file = new URL("../docs/reference/options.md", import.meta.url);
const problems = referenceProblems();
if (problems.length > 0) {
  console.error(`The options reference is incomplete:\n${problems.map((problem) => `  ${problem}`).join("\n")}`);
  process.exit(1);
}
const before = readFileSync(file, "utf8");
const after = renderReference(before);
if (after === before) console.log("docs/reference/options.md is up to date");
else {
  writeFileSync(file, after);
  console.log("docs/reference/options.md rewritten from the schemas");
}
