import { describe, expect, test } from "bun:test";
import { escapeHtml, welcomeMail } from "./template.ts";

describe("welcomeMail", () => {
  test("addresses the user by name in text and HTML, to their e-mail", () => {
    const mail = welcomeMail({ name: "Ada Lovelace", email: "ada@example.com" });
    expect(mail.to).toBe("ada@example.com");
    expect(mail.subject).toBe("Welcome to Chirp");
    expect(mail.text).toStartWith("Hi Ada Lovelace,\n");
    expect(mail.html).toContain("<p>Hi Ada Lovelace,</p>");
  });

  test("escapes markup in the name in the HTML body but keeps it verbatim in the text", () => {
    const name = `<img src=x onerror="alert('x')">&`;
    const mail = welcomeMail({ name, email: "eve@example.com" });
    expect(mail.html).not.toContain("<img");
    expect(mail.html).toContain("&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;");
    expect(mail.text).toContain(name);
  });

  test("escapeHtml leaves plain text alone", () => {
    expect(escapeHtml("plain text 123")).toBe("plain text 123");
  });
});
