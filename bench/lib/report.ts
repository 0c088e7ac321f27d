/** The bench's results: a printed table, JSON, Markdown, and an SVG chart of each scenario against its reference. */

export interface Row {
  scenario: string;
  /** Throughput in requests (or events) per second, when the scenario measures one. */
  rps?: number;
  p50Ms?: number;
  p99Ms?: number;
  /** The reference measured in the same run, and its throughput (or the figure the ratio divides by). */
  reference?: string;
  referenceValue?: number;
  ratio?: number;
  goal: string;
  pass?: boolean;
  note?: string;
}

const fmt = (value: number | undefined, digits = 0) =>
  value === undefined || Number.isNaN(value) ? "" : value.toFixed(digits);

const columns: [string, (row: Row) => string][] = [
  ["scenario", (row) => row.scenario],
  ["rps", (row) => fmt(row.rps)],
  ["p50 ms", (row) => fmt(row.p50Ms, 2)],
  ["p99 ms", (row) => fmt(row.p99Ms, 2)],
  ["reference", (row) => (row.reference ? `${row.reference} ${fmt(row.referenceValue)}` : "")],
  ["ratio", (row) => fmt(row.ratio, 2)],
  ["goal", (row) => row.goal],
  ["met", (row) => (row.pass === undefined ? "" : row.pass ? "yes" : "NO")],
  ["note", (row) => row.note ?? ""],
];

export function markdown(rows: Row[]) {
  const header = `| ${columns.map(([name]) => name).join(" | ")} |`;
  const rule = `|${columns.map(() => "---").join("|")}|`;
  const body = rows.map((row) => `| ${columns.map(([, cell]) => cell(row).replaceAll("|", "/")).join(" | ")} |`);
  return [header, rule, ...body].join("\n");
}

export function plain(rows: Row[]) {
  const cells = [columns.map(([name]) => name), ...rows.map((row) => columns.map(([, cell]) => cell(row)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? "").length)));
  return cells.map((line) => line.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")).join("\n");
}

/** Horizontal bars: each scenario's ratio to its reference, with the goal marked. */
export function svgChart(rows: Row[]) {
  const rated = rows.filter((row) => row.ratio !== undefined);
  const barHeight = 26;
  const left = 330;
  const width = 760;
  const scale = (width - left - 60) / Math.max(1.2, ...rated.map((row) => row.ratio ?? 0));
  const height = 40 + rated.length * barHeight;
  const bars = rated.map((row, i) => {
    const y = 30 + i * barHeight;
    const w = Math.max(1, (row.ratio ?? 0) * scale);
    const colour = row.pass === false ? "#d9534f" : "#3c8d5a";
    const goal = /([\d.]+)/.exec(row.goal)?.[1];
    const goalMark = goal
      ? `<line x1="${left + Number(goal) * scale}" x2="${left + Number(goal) * scale}" y1="${y - 2}" y2="${y + barHeight - 6}" stroke="#222" stroke-dasharray="3,2"/>`
      : "";
    return [
      `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${escapeXml(row.scenario)}</text>`,
      `<rect x="${left}" y="${y}" width="${w}" height="${barHeight - 8}" fill="${colour}"/>`,
      `<text x="${left + w + 6}" y="${y + 15}">${fmt(row.ratio, 2)}</text>`,
      goalMark,
    ].join("");
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">`,
    "<title>chirp benchmark: each scenario's ratio to its reference</title>",
    `<text x="${left}" y="18" font-weight="bold">ratio to the reference measured in the same run (dashed: goal)</text>`,
    `<line x1="${left + scale}" x2="${left + scale}" y1="24" y2="${height - 4}" stroke="#999"/>`,
    ...bars,
    "</svg>",
  ].join("\n");
}

function escapeXml(text: string) {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

export function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
