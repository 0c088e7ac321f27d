import { describe, expect, test } from "bun:test";
import { lockoutMail } from "./lockout.ts";

describe("lockoutMail", () => {
  test("tells the owner in both parts where and when the failures came from, with a reset link", () => {
    const at = new Date("2026-12-04T06:00:00.000Z");
    const mail = lockoutMail(
      "https://chirp.example/app",
      { name: "Ada <b>", email: "ada@example.com" },
      { address: "198.51.100.7", at },
    );
    expect({ to: mail.to, subject: mail.subject }).toEqual({
      to: "ada@example.com",
      subject: "Failed sign-ins to your Chirp account",
    });
    expect(mail.text).toStartWith("Hi Ada <b>,\n");
    expect(mail.text).toContain("the latest from the address 198.51.100.7 at 2026-12-04T06:00:00.000Z.");
    expect(mail.text).toContain("Reset your password: https://chirp.example/app/password/forgot\n");
    expect(mail.html).toContain("<p>Hi Ada &lt;b&gt;,</p>");
    expect(mail.html).toContain('<a href="https://chirp.example/app/password/forgot">Reset your password</a>');
  });
});
