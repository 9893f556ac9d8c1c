// Volume, failures and latency over time as an SVG drawn here (no chart library), with the
// same numbers as a table for screen readers and keyboard users.

import { h, ms, uid } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 720;
const HEIGHT = 240;
const PAD = { left: 44, right: 52, top: 12, bottom: 28 };

function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) {
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

function label(iso, bucket) {
  const date = new Date(iso);
  if (bucket === "DAY") return date.toLocaleDateString(undefined, { month: "short", day: "numeric" });
  return date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

export function totals(buckets) {
  const sum = (key) => buckets.reduce((n, b) => n + b[key], 0);
  return { succeeded: sum("succeeded"), failed: sum("failed"), pending: sum("pending") };
}

export function chart(buckets, bucket, caption) {
  const titleId = uid("chart-title");
  const descId = uid("chart-desc");
  const total = totals(buckets);
  const all = total.succeeded + total.failed + total.pending;
  const slowest = Math.max(0, ...buckets.map((b) => b.p95Ms || b.p50Ms || 0));
  const summary =
    `${all} deliveries: ${total.succeeded} succeeded, ${total.failed} failed, ` +
    `${total.pending} pending. Slowest p95 latency ${ms(slowest || null)}.`;

  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const most = Math.max(1, ...buckets.map((b) => b.succeeded + b.failed + b.pending));
  const slot = plotW / Math.max(1, buckets.length);
  const barW = Math.max(1, slot * 0.7);
  const y = (n) => PAD.top + plotH - (n / most) * plotH;
  const ly = (v) => PAD.top + plotH - (v / Math.max(slowest, 1)) * plotH;

  const svg = s(
    "svg",
    {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: "img",
      "aria-labelledby": `${titleId} ${descId}`,
      class: "chart",
    },
    s("title", { id: titleId }, caption),
    s("desc", { id: descId }, summary),
  );
  // Axes: deliveries on the left, milliseconds on the right.
  svg.append(
    s("line", { x1: PAD.left, y1: PAD.top + plotH, x2: PAD.left + plotW, y2: PAD.top + plotH, class: "axis" }),
    s("text", { x: PAD.left - 6, y: PAD.top + 10, class: "tick", "text-anchor": "end" }, String(most)),
    s("text", { x: PAD.left - 6, y: PAD.top + plotH, class: "tick", "text-anchor": "end" }, "0"),
    s("text", { x: PAD.left + plotW + 6, y: PAD.top + 10, class: "tick" }, ms(slowest || null)),
  );
  buckets.forEach((b, i) => {
    const x = PAD.left + i * slot + (slot - barW) / 2;
    let base = 0;
    for (const [key, cls] of [["succeeded", "bar-ok"], ["failed", "bar-failed"], ["pending", "bar-pending"]]) {
      if (!b[key]) continue;
      svg.append(s("rect", { x, y: y(base + b[key]), width: barW, height: y(base) - y(base + b[key]), class: cls }));
      base += b[key];
    }
  });
  for (const [key, cls] of [["p50Ms", "line-p50"], ["p95Ms", "line-p95"]]) {
    const points = buckets
      .map((b, i) => (b[key] === null ? null : `${PAD.left + i * slot + slot / 2},${ly(b[key])}`))
      .filter(Boolean);
    if (points.length > 1) svg.append(s("polyline", { points: points.join(" "), class: cls }));
    else if (points.length === 1) {
      const [cx, cy] = points[0].split(",");
      svg.append(s("circle", { cx, cy, r: 3, class: cls }));
    }
  }
  // At most six labels, evenly spaced in buckets.
  const every = Math.max(1, Math.ceil(buckets.length / 6));
  for (let i = 0; i < buckets.length; i += every) {
    const x = PAD.left + i * slot + slot / 2;
    svg.append(s("text", { x, y: HEIGHT - 8, class: "tick", "text-anchor": "middle" }, label(buckets[i].start, bucket)));
  }

  const legend = h(
    "ul",
    { className: "legend" },
    h("li", {}, h("span", { className: "swatch bar-ok", "aria-hidden": "true" }), "Succeeded"),
    h("li", {}, h("span", { className: "swatch bar-failed", "aria-hidden": "true" }), "Failed"),
    h("li", {}, h("span", { className: "swatch bar-pending", "aria-hidden": "true" }), "Pending"),
    h("li", {}, h("span", { className: "swatch line-p50", "aria-hidden": "true" }), "p50 latency"),
    h("li", {}, h("span", { className: "swatch line-p95", "aria-hidden": "true" }), "p95 latency"),
  );
  const table = h(
    "table",
    {},
    h("caption", {}, caption),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["From", "Succeeded", "Failed", "Pending", "p50", "p95"].map((c) => h("th", { scope: "col" }, c)),
      ),
    ),
    h(
      "tbody",
      {},
      buckets.map((b) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, label(b.start, bucket)),
          h("td", {}, b.succeeded),
          h("td", {}, b.failed),
          h("td", {}, b.pending),
          h("td", {}, ms(b.p50Ms)),
          h("td", {}, ms(b.p95Ms)),
        ),
      ),
    ),
  );
  return h(
    "figure",
    { className: "chart-figure" },
    svg,
    h("figcaption", {}, summary),
    legend,
    h("details", {}, h("summary", {}, "The same numbers as a table"), h("div", { className: "scroll" }, table)),
  );
}
