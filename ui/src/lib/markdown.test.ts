import { renderMarkdown } from "./markdown";

describe("renderMarkdown", () => {
  it("renders headings, emphasis, code and lists", () => {
    const html = renderMarkdown("# Title\n\nSome **bold** and *it* and `x<y`\n\n- a\n- b\n\n1. one");
    expect(html).toContain("<h1>Title</h1>");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<em>it</em>");
    expect(html).toContain("<code>x&lt;y</code>");
    expect(html).toContain("<ul>\n<li>a</li>\n<li>b</li>\n</ul>");
    expect(html).toContain("<ol>\n<li>one</li>\n</ol>");
  });

  it("escapes raw HTML and refuses javascript links", () => {
    const html = renderMarkdown('<script>alert(1)</script> [x](javascript:alert(1)) <img onerror="a">');
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
    expect(html).not.toContain('href="javascript');
    expect(renderMarkdown("[site](https://example.org)")).toContain(
      '<a href="https://example.org" target="_blank" rel="noopener noreferrer">site</a>',
    );
  });

  it("keeps fenced code verbatim", () => {
    expect(renderMarkdown("```\n**not bold**\n```")).toBe("<pre><code>**not bold**</code></pre>");
  });
});
