import { createRequire } from "node:module";
import { expect, type Page } from "@playwright/test";

// axe-core checks for the e2e specs: 0 serious or critical violations. axe is injected from
// node_modules (@axe-core/playwright wants Node 22); a spec using these needs
// `test.use({ bypassCSP: true })`, as the app's Content-Security-Policy refuses inline scripts,
// which is how addScriptTag injects axe.

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Runs axe on the page as it is now and fails with a readable list of serious and critical findings. */
export async function expectNoSeriousViolations(page: Page, screen: string): Promise<void> {
  // A modal fades in: measure colours once its transitions have ended (spinners spin forever, so
  // only transitions count), waiting a second at most in case one never advances.
  await page.evaluate(() => {
    const transitions = document.getAnimations().filter((animation) => animation instanceof CSSTransition);
    return Promise.race([Promise.allSettled(transitions.map((animation) => animation.finished)), new Promise((resolve) => setTimeout(resolve, 1000))]);
  });
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const report = serious.flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id} (${v.help}) at ${JSON.stringify(n.target)}: ${n.failureSummary ?? ""}`));
  expect.soft(report, `axe on ${screen}`).toEqual([]);
  expect.soft(await lowContrastText(page), `text contrast on ${screen}`).toEqual([]);
}

/**
 * WCAG AA text contrast measured directly: axe leaves text in the open <dialog> and on buttons with a
 * background image "incomplete", which is where the bulk forms' messages are. The background is the
 * ancestors' background colours composed from the root down; the text colour is faded by the opacity
 * of the element and its ancestors. Colours are resolved to sRGB by painting them on a canvas, so
 * oklch() and color-mix() values read right.
 */
function lowContrastText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const context = document.createElement("canvas").getContext("2d", { willReadFrequently: true })!;
    const rgba = (color: string): number[] => {
      context.clearRect(0, 0, 1, 1);
      context.fillStyle = color;
      context.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = context.getImageData(0, 0, 1, 1).data;
      return [r!, g!, b!, a! / 255];
    };
    const over = (top: number[], bottom: number[]) => [0, 1, 2].map((i) => top[i]! * top[3]! + bottom[i]! * (1 - top[3]!)).concat(1);
    const luminance = (rgb: number[]) =>
      [0, 1, 2].map((i) => rgb[i]! / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)).reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i]!, 0);
    const ratio = (a: number[], b: number[]) => {
      const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (light! + 0.05) / (dark! + 0.05);
    };
    const failures: string[] = [];
    for (const element of Array.from(document.body.querySelectorAll<HTMLElement>("*"))) {
      const ownText = Array.from(element.childNodes).some((node) => node.nodeType === Node.TEXT_NODE && node.textContent!.trim() !== "");
      if (!ownText || ["SCRIPT", "STYLE", "OPTION", "SELECT", "TEXTAREA"].includes(element.tagName)) continue;
      // Decorative, disabled or visually hidden text is exempt from the contrast rule, and so is the
      // faded help of a bulk edit field whose "Change" box is unticked (an inactive component).
      if (element.closest("[aria-hidden=true], :disabled, .btn-disabled, .sr-only") || !element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
      if (element.closest(".pc-bulk-input") && element.closest(".pc-bulk-field")?.querySelector("[data-pc-bulk-toggle]:not(:checked)")) continue;
      const box = element.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1) continue;
      const chain: HTMLElement[] = [];
      for (let node: HTMLElement | null = element; node; node = node.parentElement) chain.unshift(node);
      let background = [255, 255, 255, 1];
      let opacity = 1;
      for (const node of chain) {
        const style = getComputedStyle(node);
        background = over(rgba(style.backgroundColor), background);
        opacity *= Number(style.opacity);
      }
      const style = getComputedStyle(element);
      const foreground = rgba(style.color);
      const text = over([foreground[0]!, foreground[1]!, foreground[2]!, foreground[3]! * opacity], background);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const found = ratio(text, background);
      if (found < (large ? 3 : 4.5)) {
        const label = element.textContent!.trim().replace(/\s+/g, " ").slice(0, 50);
        failures.push(`${found.toFixed(2)}:1 "${label}" <${element.tagName.toLowerCase()} class="${element.className}">`);
      }
    }
    return failures;
  });
}
