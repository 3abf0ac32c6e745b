import fs from "node:fs";
import path from "node:path";
import nunjucks from "nunjucks";
import { assetVersion } from "../web/assets";
import { packageViews } from "../paths";

/** Templates named `powercrud:<name>` always come from the package, so an override can extend its original. */
const ORIGINAL_PREFIX = "powercrud:";

function originalFromPackage(name: string): nunjucks.LoaderSource | null {
  if (!name.startsWith(ORIGINAL_PREFIX)) return null;
  const fullPath = path.resolve(packageViews, name.slice(ORIGINAL_PREFIX.length));
  if (!fullPath.startsWith(packageViews + path.sep) || !fs.existsSync(fullPath)) return null;
  return { src: unindent(fs.readFileSync(fullPath, "utf8")), path: fullPath, noCache: false };
}

/**
 * The package's templates without the indentation that keeps them readable: it would be sent with
 * every row of every page (a sixth of a list page). Dropped once, when a template is loaded; no
 * package template has a <pre>, and its <textarea> holds its value on one line. After a line that
 * ends in a block tag one space stays: trimBlocks drops that line's newline, and the indentation was
 * then the only space between the words on either side ("all matching {% endif %}" + a link).
 */
function unindent(source: string): string {
  return source.replace(/^[ \t]+/, "").replace(/(%\})?\n[ \t]+/g, (_match, blockEnd?: string) => (blockEnd ? "%}\n " : "\n"));
}

/** Host folders as they are; the package's own views unindented. */
class ViewsLoader extends nunjucks.FileSystemLoader {
  override getSource(name: string): nunjucks.LoaderSource {
    const source = super.getSource(name);
    if (source?.path.startsWith(packageViews + path.sep)) source.src = unindent(source.src);
    return source;
  }
}

// Nunjucks treats a null source as "not here, ask the next loader"; @types/nunjucks does not say so.
const packageOriginalLoader = { getSource: originalFromPackage } as unknown as nunjucks.ILoader;

const thousands = new Intl.NumberFormat("en");
const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

export interface RendererOptions {
  /** Host template folders, searched in order before the package's own views. */
  views?: string[];
  /** Re-read templates on every render (development). */
  watch?: boolean;
}

/**
 * A Nunjucks environment of our own (never the global `configure()`: a library mounted in someone
 * else's app must not change its globals). Host folders come first, so a host overrides one partial
 * and inherits the rest; `extends`/`include` inside package templates resolve through the same chain.
 */
export function createRenderer(options: RendererOptions = {}): nunjucks.Environment {
  const searchPath = [...(options.views ?? []).map((dir) => path.resolve(dir)), packageViews];
  const noCache = options.watch ?? false;
  const env = new nunjucks.Environment(
    [new ViewsLoader(searchPath, { noCache }), packageOriginalLoader],
    { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true },
  );
  env.addFilter("json", (value: unknown) => JSON.stringify(value ?? null));
  env.addFilter("thousands", (value: number) => thousands.format(value));
  env.addFilter("compact", (value: number) => compact.format(value));
  env.addFilter("cssString", (value: unknown) => new nunjucks.runtime.SafeString(cssString(String(value ?? ""))));
  env.addFilter("duration", duration);
  // Asset URLs carry their content's hash, so they can be cached as immutable.
  env.addGlobal("assetVersion", assetVersion);
  env.addFilter("utc", (value: Date | null | undefined) => (value instanceof Date ? `${value.toISOString().slice(0, 16).replace("T", " ")} UTC` : ""));
  return env;
}

/**
 * A CSS string literal for a `<style>` element (whose text HTML escaping would not undo): quotes,
 * backslashes and line breaks escaped, and no "<", so a value cannot close the element.
 */
export function cssString(value: string): string {
  return `"${value.replace(/[\\"<>\r\n\f]/g, (char) => `\\${char.charCodeAt(0).toString(16)} `)}"`;
}

/** 75 → "1 min 15 s", 4000 → "1 h 6 min": a task's elapsed time or ETA. */
export function duration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return `${total} s`;
  if (total < 3600) return `${Math.floor(total / 60)} min${total % 60 ? ` ${total % 60} s` : ""}`;
  const minutes = Math.floor((total % 3600) / 60);
  return `${Math.floor(total / 3600)} h${minutes ? ` ${minutes} min` : ""}`;
}
