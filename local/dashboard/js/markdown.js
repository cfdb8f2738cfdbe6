// A small Markdown subset (headings, paragraphs, lists, fenced code, `code`, **bold**, _italic_, links) rendered
// as DOM nodes. Text only ever enters through text nodes, so a reply or a report cannot inject markup; links are
// kept only for http(s) URLs.

import { h } from "./dom.js";

const INLINE = /(`[^`\n]+`|\*\*[^*\n]+\*\*|(?<![\w*])_[^_\n]+_(?![\w])|\[[^\]\n]+\]\((https?:\/\/[^\s)]+)\))/;

function inline(text) {
  const out = [];
  let rest = text;
  for (let m = rest.match(INLINE); m; m = rest.match(INLINE)) {
    if (m.index) out.push(rest.slice(0, m.index));
    const token = m[0];
    if (token.startsWith("`")) out.push(h("code", {}, token.slice(1, -1)));
    else if (token.startsWith("**")) out.push(h("strong", {}, inline(token.slice(2, -2))));
    else if (token.startsWith("_")) out.push(h("em", {}, inline(token.slice(1, -1))));
    else out.push(h("a", { href: m[2], rel: "noopener noreferrer", target: "_blank" }, token.slice(1, token.indexOf("]"))));
    rest = rest.slice(m.index + token.length);
  }
  if (rest) out.push(rest);
  return out;
}

/** Markdown text as a <div class="md"> of block elements. */
export function markdown(text) {
  const root = h("div", { class: "md" });
  const lines = String(text || "").replace(/\r\n?/g, "\n").split("\n");
  let paragraph = [];
  let list = null;
  const flush = () => {
    if (paragraph.length) root.append(h("p", {}, paragraph.flatMap((l, i) => (i ? [h("br"), ...inline(l)] : inline(l)))));
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    const fence = line.match(/^\s*(`{3,}|~{3,})/);
    if (fence) {
      flush();
      list = null;
      const body = [];
      for (i += 1; i < lines.length && !lines[i].trim().startsWith(fence[1]); i += 1) body.push(lines[i]);
      root.append(h("pre", {}, h("code", {}, body.join("\n"))));
      continue;
    }
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    const item = line.match(/^\s*(?:[-*+]|(\d+)[.)])\s+(.*)$/);
    if (heading) {
      flush();
      list = null;
      root.append(h(`h${Math.min(6, heading[1].length + 2)}`, {}, inline(heading[2])));
    } else if (item) {
      flush();
      const tag = item[1] ? "ol" : "ul";
      if (!list || list.tagName.toLowerCase() !== tag) root.append((list = h(tag)));
      list.append(h("li", {}, inline(item[2])));
    } else if (!line.trim()) {
      flush();
      list = null;
    } else if (list && /^\s{2,}/.test(line)) {
      list.lastElementChild.append(" ", ...inline(line.trim()));
    } else {
      list = null;
      paragraph.push(line);
    }
  }
  flush();
  return root;
}
