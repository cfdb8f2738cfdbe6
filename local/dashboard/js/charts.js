// Small inline-SVG charts: no library, colours from CSS classes (styles.css), a <title> tooltip on every mark.

import { h, s } from "./dom.js";

const FONT = 11;

function frame(width, height, label) {
  return s("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": label },
    s("title", {}, label));
}

function shortTime(iso, spanSeconds) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso || "");
  const pad = (n) => String(n).padStart(2, "0");
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  if (spanSeconds < 120) return `${time}:${pad(d.getUTCSeconds())}`;
  if (spanSeconds < 86400) return time;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${time}`;
}

function niceMax(value) {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((m) => m >= value);
}

/**
 * A log's error timeline: one column per bucket, errors stacked under the other lines, bursts outlined.
 * `buckets` are the log analysis' timeline buckets {start, end, count, error_count, burst}.
 */
export function timelineChart(buckets, { width = 720, height = 200 } = {}) {
  const label = "Lines and errors over time";
  const svg = frame(width, height, label);
  if (!buckets?.length) return svg;
  const left = 44, right = 8, top = 10, bottom = 34;
  const plotW = width - left - right, plotH = height - top - bottom;
  const max = niceMax(Math.max(...buckets.map((b) => b.count)));
  const step = plotW / buckets.length;
  const barW = Math.max(1, step * 0.8);
  const y = (v) => top + plotH - (v / max) * plotH;
  svg.append(
    s("line", { class: "axis", x1: left, y1: top + plotH, x2: width - right, y2: top + plotH }),
    s("text", { class: "tick", x: left - 6, y: top + FONT / 2, "text-anchor": "end" }, String(max)),
    s("text", { class: "tick", x: left - 6, y: top + plotH, "text-anchor": "end" }, "0"),
  );
  const first = Date.parse(buckets[0].start), last = Date.parse(buckets[buckets.length - 1].end);
  const span = Number.isNaN(first) || Number.isNaN(last) ? 0 : (last - first) / 1000;
  buckets.forEach((b, i) => {
    const x = left + i * step + (step - barW) / 2;
    const other = Math.max(0, b.count - b.error_count);
    const tip = `${b.start} – ${b.end}: ${b.count} lines, ${b.error_count} errors${b.burst ? " (burst)" : ""}`;
    const group = s("g", { class: b.burst ? "bucket burst" : "bucket" }, s("title", {}, tip));
    if (b.error_count > 0) {
      group.append(s("rect", { class: "bar-error", x, width: barW, y: y(b.error_count), height: top + plotH - y(b.error_count) }));
    }
    if (other > 0) {
      group.append(s("rect", { class: "bar-lines", x, width: barW, y: y(b.count), height: y(b.error_count) - y(b.count) }));
    }
    if (b.burst) {
      group.append(s("rect", { class: "burst-outline", x: x - 1, width: barW + 2, y: y(b.count) - 1, height: top + plotH - y(b.count) + 1 }));
    }
    svg.append(group);
  });
  const ticks = [...new Set([0, Math.floor(buckets.length / 2), buckets.length - 1])];
  for (const i of ticks) {
    const anchor = i === 0 ? "start" : i === buckets.length - 1 ? "end" : "middle";
    const x = i === 0 ? left : i === buckets.length - 1 ? width - right : left + (i + 0.5) * step;
    svg.append(s("text", { class: "tick", x, y: height - bottom + 16, "text-anchor": anchor }, shortTime(buckets[i].start, span)));
  }
  svg.append(s("text", { class: "tick muted", x: left, y: height - 4 }, "UTC"));
  return svg;
}

function truncate(text, n) {
  const t = String(text ?? "");
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

/**
 * Horizontal bars: items {label, value, title?, kind?}. The label column is truncated; the full text is in the
 * tooltip. `kind` picks a colour class (e.g. an error level or a case state).
 */
export function horizontalBars(items, { width = 720, barHeight = 18, labelWidth = 300, label = "Bar chart", unit = "" } = {}) {
  const gap = 6;
  const height = Math.max(1, items.length) * (barHeight + gap) + gap;
  const svg = frame(width, height, label);
  const max = Math.max(1, ...items.map((i) => i.value));
  const plotW = width - labelWidth - 70;
  const chars = Math.floor(labelWidth / 6.4);
  items.forEach((item, i) => {
    const y = gap + i * (barHeight + gap);
    const w = Math.max(item.value > 0 ? 2 : 0, (item.value / max) * plotW);
    svg.append(s("g", { class: `hbar kind-${String(item.kind || "default").replace(/[^a-z0-9_-]/gi, "")}` },
      s("title", {}, item.title || `${item.label}: ${item.value}${unit}`),
      s("text", { class: "bar-label", x: labelWidth - 8, y: y + barHeight * 0.7, "text-anchor": "end" }, truncate(item.label, chars)),
      s("rect", { class: "bar", x: labelWidth, y, width: w, height: barHeight, rx: 2 }),
      s("text", { class: "bar-value", x: labelWidth + w + 6, y: y + barHeight * 0.7 }, `${item.value}${unit}`)));
  });
  return svg;
}

/**
 * Columns per day, stacked by series (e.g. cases opened per day by their current state).
 * `days`: [{day: "YYYY-MM-DD", counts: {series: n}}]; `series`: the stacking order.
 */
export function dailyStackedBars(days, series, { width = 720, height = 180, label = "Per day" } = {}) {
  const svg = frame(width, height, label);
  const left = 32, right = 8, top = 10, bottom = 40;
  const plotW = width - left - right, plotH = height - top - bottom;
  const totals = days.map((d) => series.reduce((sum, k) => sum + (d.counts[k] || 0), 0));
  const max = niceMax(Math.max(1, ...totals));
  const step = plotW / Math.max(1, days.length);
  const barW = Math.max(1, step * 0.75);
  svg.append(
    s("line", { class: "axis", x1: left, y1: top + plotH, x2: width - right, y2: top + plotH }),
    s("text", { class: "tick", x: left - 4, y: top + FONT / 2, "text-anchor": "end" }, String(max)),
    s("text", { class: "tick", x: left - 4, y: top + plotH, "text-anchor": "end" }, "0"),
  );
  days.forEach((d, i) => {
    const x = left + i * step + (step - barW) / 2;
    let base = top + plotH;
    const parts = series.filter((k) => d.counts[k]).map((k) => `${d.counts[k]} ${k}`);
    const group = s("g", { class: "day" }, s("title", {}, `${d.day}: ${totals[i]} opened${parts.length ? ` (${parts.join(", ")})` : ""}`));
    for (const k of series) {
      const n = d.counts[k] || 0;
      if (!n) continue;
      const hgt = (n / max) * plotH;
      base -= hgt;
      group.append(s("rect", { class: `seg kind-${k}`, x, y: base, width: barW, height: hgt }));
    }
    svg.append(group);
    const last = days.length - 1;
    if (i === 0 || i === last || (i % 7 === 0 && last - i >= 4)) {
      svg.append(s("text", { class: "tick", x: x + barW / 2, y: top + plotH + 14, "text-anchor": "middle" }, d.day.slice(5)));
    }
  });
  let lx = left;
  for (const k of series) {
    svg.append(s("rect", { class: `seg kind-${k}`, x: lx, y: height - 14, width: 10, height: 10 }),
      s("text", { class: "tick", x: lx + 14, y: height - 5 }, k));
    lx += 24 + k.length * 7;
  }
  return svg;
}

/** A chart with a heading and an optional one-line caption, as a <figure>. */
export function figure(title, chart, caption) {
  return h("figure", { class: "chart-figure" }, h("figcaption", {}, h("strong", {}, title), caption ? ` — ${caption}` : ""), chart);
}
