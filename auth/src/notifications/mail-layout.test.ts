import { describe, expect, test } from "bun:test";
import { appLink, escapeHtml, renderMail } from "./mail-layout.ts";

describe("renderMail", () => {
  const content = {
    subject: "Subject",
    name: "Ada",
    paragraphs: ["First paragraph.", "Second one."],
    action: { label: "Do it", url: "https://app.example/do?token=a&b=c" },
    note: "Not you? Ignore this.",
  };

  test("says the same in plain text and HTML: greeting, paragraphs, the action's URL, the note, the sign-off", () => {
    const mail = renderMail("ada@example.com", content);
    expect({ to: mail.to, subject: mail.subject }).toEqual({ to: "ada@example.com", subject: "Subject" });
    expect(mail.text).toBe(
      [
        "Hi Ada,",
        "First paragraph.",
        "Second one.",
        "Do it: https://app.example/do?token=a&b=c",
        "Not you? Ignore this.",
        "The Chirp team\n",
      ].join("\n\n"),
    );
    expect(mail.html).toStartWith("<!doctype html>");
    for (const part of ["<p>Hi Ada,</p>", "<p>First paragraph.</p>", "<p>Second one.</p>", "The Chirp team"]) {
      expect(mail.html).toContain(part);
    }
    expect(mail.html).toContain('<a href="https://app.example/do?token=a&amp;b=c">Do it</a>');
    expect(mail.html).toContain('<p style="color: #666">Not you? Ignore this.</p>');
  });

  test("leaves out the action and the note when a mail has none", () => {
    const mail = renderMail("ada@example.com", { subject: "S", name: "Ada", paragraphs: ["Only this."] });
    expect(mail.text).toBe("Hi Ada,\n\nOnly this.\n\nThe Chirp team\n");
    expect(mail.html).not.toContain("<a ");
  });

  test("escapes markup in the name in the HTML part but keeps it verbatim in the text", () => {
    const name = `<img src=x onerror="alert('x')">&`;
    const mail = renderMail("eve@example.com", { ...content, name });
    expect(mail.html).not.toContain("<img");
    expect(mail.html).toContain("&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;");
    expect(mail.text).toContain(name);
  });

  test("escapeHtml leaves plain text alone", () => {
    expect(escapeHtml("plain text 123")).toBe("plain text 123");
  });
});

describe("appLink", () => {
  test("joins a path to the app's URL, keeping the app's own path, with one slash between", () => {
    expect(appLink("https://app.example", "/")).toBe("https://app.example/");
    expect(appLink("https://app.example/", "/verify")).toBe("https://app.example/verify");
    expect(appLink("https://app.example/chirp/", "verify")).toBe("https://app.example/chirp/verify");
    expect(appLink("http://127.0.0.1:3000/chirp", "/a/b")).toBe("http://127.0.0.1:3000/chirp/a/b");
  });

  test("encodes query values, so a value cannot add parameters or a fragment", () => {
    expect(appLink("https://app.example", "/reset", { token: "a&admin=1#x y" })).toBe(
      "https://app.example/reset?token=a%26admin%3D1%23x+y",
    );
  });

  test("drops a query or fragment configured on the app URL instead of mixing it into the link", () => {
    expect(appLink("https://app.example/?utm=x#top", "/verify", { token: "t" })).toBe(
      "https://app.example/verify?token=t",
    );
  });
});
