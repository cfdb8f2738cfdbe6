// Building DOM nodes without innerHTML: every piece of text goes in through textContent / text nodes.

const SVG_NS = "http://www.w3.org/2000/svg";

function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

function applyProps(el, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.setAttribute("class", value);
    else if (key === "text") el.textContent = String(value);
    else if (key === "on") for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    else if (key === "dataset") Object.assign(el.dataset, value);
    // HTML properties for non-string values (selected, multiple, progress.value); SVG sizes are read-only there
    else if (el instanceof HTMLElement && key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  return el;
}

/** An HTML element: h("a", {href: "#/kb", class: "x"}, "text", child, [more]). */
export function h(tag, props, ...children) {
  return append(applyProps(document.createElement(tag), props), children);
}

/** An SVG element, same calling convention as h(). */
export function s(tag, props, ...children) {
  return append(applyProps(document.createElementNS(SVG_NS, tag), props), children);
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

/** Append children; like h(), arrays are flattened and null / false are skipped. */
export function add(el, ...children) {
  return append(el, children);
}

/** Replace an element's children; like h(), arrays are flattened and null / false are skipped. */
export function fill(el, ...children) {
  return append(clear(el), children);
}

const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'", "&#39;": "'" };

/**
 * A search snippet as nodes. The API sends the excerpt HTML-escaped with the matched words in <mark>…</mark>;
 * rather than trusting that with innerHTML, split on the two literal tags, decode the entities, and build text
 * nodes and <mark> elements, so nothing in the document text can ever become markup.
 */
export function snippetNodes(snippet) {
  const fragment = document.createDocumentFragment();
  let marked = false;
  for (const part of String(snippet || "").split(/(<mark>|<\/mark>)/)) {
    if (part === "<mark>") marked = true;
    else if (part === "</mark>") marked = false;
    else if (part) {
      const text = part.replace(/&(?:amp|lt|gt|quot|#x27|#39);/g, (m) => ENTITIES[m]);
      fragment.append(marked ? h("mark", {}, text) : document.createTextNode(text));
    }
  }
  return fragment;
}

export function formatBytes(n) {
  if (!Number.isFinite(n)) return "";
  const units = ["B", "KB", "MB", "GB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

export function formatDate(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

export function humanize(word) {
  return String(word || "").replace(/_/g, " ");
}

export function badge(text, kind) {
  return h("span", { class: `badge badge-${String(kind || text).replace(/[^a-z0-9_-]/gi, "")}` }, humanize(text));
}

/** A message line under a form or section: kind is "error", "ok" or "info". */
export function notice(kind, text) {
  return h("p", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

/** Start a browser download of text the page built. */
export function downloadText(filename, text, type = "text/markdown") {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const a = h("a", { href: url, download: filename, class: "hidden" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
