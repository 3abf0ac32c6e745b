/**
 * A line that ends in a block tag loses its line break (trimBlocks), and a line that starts with one
 * loses its indentation (lstripBlocks, and the package's templates are unindented at load): what
 * follows a block tag at the start of such a line is glued to what came before. An attribute glued
 * to the one before it (`data-pc-first-pagehx-get="…"`) is lost; a word glued to a word reads wrong.
 * So a block tag that starts a line after a block tag must be followed by a space, a tag or a line end
 * (a `{% block %}` excepted: what precedes it in a template that extends another is never output).
 */
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { packageViews } from "../../src/paths";

function templates(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? templates(path.join(dir, entry.name)) : entry.name.endsWith(".njk") ? [path.join(dir, entry.name)] : []);
}

it("no text or attribute is glued to a block tag that starts a line after a block tag", () => {
  const glued: string[] = [];
  for (const file of templates(packageViews)) {
    const lines = fs.readFileSync(file, "utf8").split("\n");
    lines.slice(1).forEach((line, index) => {
      const follows = /\{%[^%]*%\}([^<{ \n])/.exec(line.trimStart());
      if (lines[index]!.trimEnd().endsWith("%}") && line.trimStart().startsWith("{% ") && !line.trimStart().startsWith("{% block") && follows && line.trimStart().indexOf(follows[0]) === 0) {
        glued.push(`${path.relative(packageViews, file)}:${index + 2}: ${line.trim().slice(0, 60)}`);
      }
    });
  }
  expect(glued).toEqual([]);
});
