import { describe, expect, test } from "bun:test";
import { welcomeMail } from "./welcome.ts";

describe("welcomeMail", () => {
  test("greets the user by name in both parts, to their e-mail, with a link to the configured app", () => {
    const mail = welcomeMail("https://chirp.example/app", { name: "Ada Lovelace", email: "ada@example.com" });
    expect({ to: mail.to, subject: mail.subject }).toEqual({ to: "ada@example.com", subject: "Welcome to Chirp" });
    expect(mail.text).toStartWith("Hi Ada Lovelace,\n");
    expect(mail.text).toContain("Open Chirp: https://chirp.example/app/\n");
    expect(mail.html).toContain("<p>Hi Ada Lovelace,</p>");
    expect(mail.html).toContain('<a href="https://chirp.example/app/">Open Chirp</a>');
  });
});
