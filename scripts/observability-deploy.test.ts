/**
 * The Grafana dashboard and the Prometheus alert rules name only series the services really export, so a
 * renamed metric cannot leave a silent panel or an alert that never fires. (promtool checks the rules'
 * syntax and behaviour: scripts/validate-deploy.)
 */
import { describe, expect, test } from "bun:test";
import { Glob } from "bun";

const root = new URL("..", import.meta.url).pathname;
const read = (path: string) => Bun.file(`${root}${path}`).text();

/** Every series name that a query mentions, histogram suffixes stripped. */
function seriesIn(text: string): string[] {
  const names = text.match(/\b(?:http|outbox|kafka_consumer|auth|process)_[a-z_]+\b/g) ?? [];
  return [...new Set(names.map((name) => name.replace(/_(bucket|count|sum)$/, "")))].sort();
}

/** The quoted strings of the services' code (tests left out): where a registered name must appear. */
async function sourceStrings() {
  const strings = new Set<string>();
  for (const dir of ["platform/src", "auth/src", "post/src"]) {
    for await (const path of new Glob("**/*.ts").scan(`${root}${dir}`)) {
      if (path.endsWith(".test.ts")) continue;
      for (const [, value] of (await read(`${dir}/${path}`)).matchAll(/"([a-z_]+)"/g)) strings.add(value as string);
    }
  }
  return strings;
}

describe("deploy/ observability files", () => {
  test("the dashboard is Grafana JSON whose every panel queries series the services export", async () => {
    const dashboard = JSON.parse(await read("deploy/grafana/chirp-dashboard.json"));
    const panels = dashboard.panels.filter((panel: { type: string }) => panel.type !== "row");
    expect(panels.length).toBeGreaterThan(8);
    const exported = await sourceStrings();
    for (const panel of panels) {
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const { expr } of panel.targets) {
        const missing = seriesIn(expr).filter((name) => !exported.has(name));
        expect({ panel: panel.title, missing }).toEqual({ panel: panel.title, missing: [] });
      }
    }
  });

  test("the alert rules cover outbox age, consumer lag and dead letters, with series the services export", async () => {
    const rules = await read("deploy/prometheus/alerts.yaml");
    for (const paged of ["outbox_oldest_age_seconds", "kafka_consumer_lag", "kafka_consumer_dead_lettered_total"]) {
      expect(rules).toContain(`(${paged}`);
    }
    const exported = await sourceStrings();
    expect(seriesIn(rules).filter((name) => !exported.has(name))).toEqual([]);
  });
});
