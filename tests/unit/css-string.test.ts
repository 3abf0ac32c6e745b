/**
 * Column labels go into the list's <style> element as CSS strings (the phone cards' labels): whatever
 * a label holds, it stays one string and cannot end the element.
 */
import { describe, expect, it } from "vitest";
import { createRenderer, cssString } from "../../src/render/environment";

describe("cssString", () => {
  it("quotes a plain label as it is", () => {
    expect(cssString("Retail price")).toBe('"Retail price"');
  });

  it("escapes quotes, backslashes, line breaks and angle brackets", () => {
    expect(cssString('Say "hi" \\ now')).toBe('"Say \\22 hi\\22  \\5c  now"');
    expect(cssString("a\nb")).toBe('"a\\a b"');
    expect(cssString("</style><script>")).not.toMatch(/[<>]/);
  });

  it("is not escaped again as HTML inside a template", () => {
    const env = createRenderer();
    expect(env.renderString("<style>{{ label | cssString }}</style>", { label: `Tom & "Jerry" </style>` }))
      .toBe('<style>"Tom & \\22 Jerry\\22  \\3c /style\\3e "</style>');
  });
});
