import type { AsyncApiDocument } from "@chirp/contracts";

type Json = Record<string, unknown>;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch);

// Inline backticks in descriptions become <code>, the one bit of Markdown the contracts use.
const prose = (text: unknown) => escapeHtml(String(text ?? "")).replace(/`([^`]+)`/g, "<code>$1</code>");

const messageId = (ref: unknown) =>
  String((ref as { $ref?: string }).$ref ?? "")
    .split("/")
    .pop() ?? "";

function messageSection(id: string, message: Json) {
  const key = (message.bindings as { kafka?: { key?: { description?: string } } } | undefined)?.kafka?.key;
  return `<section class="message" id="${escapeHtml(id)}">
<h3>${escapeHtml(String(message.title ?? id))}</h3>
<p>${prose(message.summary)}</p>
<p class="meta">Kafka key: ${prose(key?.description ?? "none")} · headers: <code>event-id</code>, <code>event-type</code>, <code>event-version</code>, <code>correlation-id</code></p>
<details><summary>Payload (JSON Schema)</summary><pre>${escapeHtml(JSON.stringify(message.payload, null, 2))}</pre></details>
</section>`;
}

/**
 * A small server-rendered page of an AsyncAPI document: each topic, its key and its messages with their
 * payload schemas. No script and no CDN, so it works wherever the service does.
 */
export function asyncApiPage(doc: AsyncApiDocument): string {
  const channels = Object.entries(doc.channels).map(([name, channel]) => {
    const refs = Object.values((channel.messages ?? {}) as Json).map(messageId);
    const messages = refs.map((id) => messageSection(id, (doc.components.messages[id] ?? {}) as Json)).join("\n");
    const index = refs.map((id) => `<a href="#${escapeHtml(id)}">${escapeHtml(id)}</a>`).join(" · ");
    return `<section class="channel"><h2 id="${escapeHtml(name)}">${escapeHtml(String(channel.address ?? name))}</h2>
<p>${prose(channel.description)}</p><p>${index}</p>
${messages}</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font:13px/1.4 ui-monospace,monospace;background:#f4f4f4;border-radius:4px}
code{padding:0 .2em}pre{padding:.75rem;overflow:auto}
.channel{border-top:2px solid #ddd;margin-top:2rem}.message{margin-left:1rem}.meta{color:#555}
</style></head><body>
<h1>${escapeHtml(doc.info.title)} <small>v${escapeHtml(doc.info.version)}</small></h1>
<p>${prose(doc.info.description)}</p>
<p>AsyncAPI ${escapeHtml(doc.asyncapi)} document: <a href="/asyncapi.json">/asyncapi.json</a> · HTTP API: <a href="/docs">/docs</a></p>
${channels.join("\n")}
</body></html>`;
}
