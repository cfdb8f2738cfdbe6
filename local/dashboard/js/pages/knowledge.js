// The knowledge base: stats, upload (drag and drop of files or folders, per-file progress), search with
// highlighted snippets, and the document list with filters.

import { api, getCapabilities, upload } from "../api.js";
import { isAdmin } from "../auth.js";
import { add, badge, fill, formatBytes, formatDate, h, notice, snippetNodes } from "../dom.js";
import { horizontalBars } from "../charts.js";

// What the knowledge base ingests (the server refuses anything else with 415); used to skip the rest of a
// dropped folder (OWNERS files, images) instead of failing on each.
const KB_EXTENSIONS = [".md", ".markdown", ".txt", ".log", ".json", ".csv", ".yaml", ".yml", ".html", ".htm", ".pdf"];
const DOCUMENT_TYPES = ["runbook", "playbook", "troubleshooting_guide", "how_to", "reference", "postmortem"];
const POLL_MS = 1500;

function extensionOf(name) {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? "" : name.slice(dot).toLowerCase();
}

/** Files from a drop, descending into dropped folders (DataTransferItem.webkitGetAsEntry). */
async function droppedFiles(dataTransfer) {
  const entries = [...dataTransfer.items].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  if (!entries.length) return [...dataTransfer.files];
  const files = [];
  async function walk(entry, prefix) {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      files.push({ file, path: prefix + file.name });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (!batch.length) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  }
  for (const entry of entries) await walk(entry, "");
  return files;
}

function statsSection(stats) {
  const cards = [
    ["Documents", stats.total_documents], ["Chunks", stats.total_chunks], ["Stored", formatBytes(stats.total_bytes)],
    ["Indexed", stats.by_status?.indexed || 0], ["Pending", stats.by_status?.pending || 0], ["Failed", stats.by_status?.failed || 0],
  ];
  const types = Object.entries(stats.by_type || {}).sort((a, b) => b[1] - a[1]);
  return h("div", { class: "stats" },
    h("div", { class: "cards" }, cards.map(([label, value]) => h("div", { class: "card stat" }, h("span", { class: "stat-value" }, value), h("span", { class: "stat-label" }, label)))),
    types.length ? horizontalBars(types.map(([type, n]) => ({ label: type, value: n })), { label: "Documents by type", labelWidth: 180, barHeight: 14 }) : null,
    h("p", { class: "muted small" }, `Embedding model: ${stats.embedding_model}`));
}

function uploadSection(caps, onUploaded) {
  const admin = isAdmin();
  const maxBytes = caps.limits?.maxFileBytes || Infinity;
  const scope = h("select", { name: "scope", id: "upload-scope" },
    h("option", { value: "personal" }, "Personal (only me)"),
    admin ? h("option", { value: "global" }, "Global (everyone)") : null);
  const docType = h("select", { name: "document_type", id: "upload-type" },
    DOCUMENT_TYPES.map((t) => h("option", { value: t, selected: t === "runbook" }, t.replace(/_/g, " "))));
  const tags = h("input", { name: "tags", id: "upload-tags", placeholder: "comma, separated, tags" });
  const fileInput = h("input", { type: "file", multiple: true, id: "upload-files", class: "visually-hidden" });
  const folderInput = h("input", { type: "file", multiple: true, webkitdirectory: true, id: "upload-folder", class: "visually-hidden" });
  const queue = h("ul", { class: "upload-queue", id: "upload-queue" });
  const zone = h("div", { class: "dropzone", id: "dropzone", tabindex: 0 },
    h("p", {}, "Drop runbooks here — files or whole folders"),
    h("p", { class: "muted small" }, `${KB_EXTENSIONS.join(" ")} · up to ${formatBytes(maxBytes)} each`),
    h("p", {}, h("label", { for: "upload-files", class: "button" }, "Choose files"), " ",
      h("label", { for: "upload-folder", class: "button" }, "Choose a folder")));

  async function send(items) {
    for (const { file, path } of items) {
      const progress = h("progress", { max: 1, value: 0 });
      const state = h("span", { class: "upload-state" }, "waiting");
      const row = h("li", {}, h("span", { class: "upload-name", title: path }, path), progress, state);
      queue.prepend(row);
      if (!KB_EXTENSIONS.includes(extensionOf(file.name))) {
        row.classList.add("skipped");
        state.textContent = "skipped: not a document type the knowledge base reads";
        progress.remove();
        continue;
      }
      if (file.size > maxBytes) {
        row.classList.add("failed");
        state.textContent = `too large (limit ${formatBytes(maxBytes)})`;
        continue;
      }
      const form = new FormData();
      form.append("file", file, file.name);
      form.append("scope", scope.value);
      form.append("document_type", docType.value);
      if (tags.value.trim()) form.append("tags", tags.value.trim());
      state.textContent = "uploading";
      try {
        const doc = await upload("/api/v1/knowledge/documents", form, (fraction) => { progress.value = fraction; });
        progress.value = 1;
        row.classList.add("done");
        state.replaceChildren(doc.duplicate ? "already in the knowledge base: " : "uploaded: ",
          h("a", { href: `#/kb/${encodeURIComponent(doc.duplicate_of || doc.document_id)}` }, doc.title));
      } catch (error) {
        row.classList.add("failed");
        state.textContent = error.message;
      }
      onUploaded();
    }
  }

  const pick = (input) => input.addEventListener("change", () => {
    send([...input.files].map((file) => ({ file, path: file.webkitRelativePath || file.name })));
    input.value = "";
  });
  pick(fileInput);
  pick(folderInput);
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", async (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    const files = await droppedFiles(e.dataTransfer);
    send(files.map((f) => (f instanceof File ? { file: f, path: f.name } : f)));
  });

  return h("section", { class: "card" }, h("h2", {}, "Upload"),
    h("div", { class: "row" }, h("label", { class: "field" }, h("span", {}, "Scope"), scope),
      h("label", { class: "field" }, h("span", {}, "Type"), docType),
      h("label", { class: "field grow" }, h("span", {}, "Tags"), tags)),
    zone, fileInput, folderInput, queue);
}

function searchSection() {
  const query = h("input", { type: "search", name: "query", id: "search-query", placeholder: "Describe the symptom, e.g. etcd is slow to answer reads", required: true, maxlength: 2000 });
  const mode = h("select", { name: "mode", id: "search-mode" },
    h("option", { value: "hybrid" }, "hybrid"), h("option", { value: "bm25" }, "keywords"), h("option", { value: "vector" }, "meaning"));
  const results = h("div", { id: "search-results", class: "results" });
  const form = h("form", { class: "row", id: "search-form" }, h("label", { class: "field grow" }, h("span", {}, "Search"), query),
    h("label", { class: "field" }, h("span", {}, "Mode"), mode), h("button", { type: "submit", class: "primary" }, "Search"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    results.replaceChildren(h("p", { class: "muted" }, "Searching…"));
    try {
      const found = await api("/api/v1/knowledge/search", { method: "POST", body: { query: query.value, mode: mode.value, limit: 10 } });
      results.replaceChildren(found.results.length ? h("ol", { class: "result-list" }, found.results.map((r) =>
        h("li", { class: "result" },
          h("a", { href: `#/kb/${encodeURIComponent(r.document_id)}`, class: "result-title" }, r.title),
          " ", badge(r.scope), " ", h("span", { class: "muted small" }, `score ${r.score.toFixed(2)}`),
          r.heading_path?.length ? h("div", { class: "muted small" }, r.heading_path.join(" › ")) : null,
          h("p", { class: "snippet" }, snippetNodes(r.snippet))))) : h("p", { class: "muted" }, "Nothing matched."));
    } catch (error) {
      results.replaceChildren(notice("error", error.message));
    }
  });
  return h("section", { class: "card" }, h("h2", {}, "Search"), form, results);
}

function documentRow(doc, onDeleted) {
  const remove = h("button", { type: "button", class: "danger small", "data-delete": doc.document_id }, "Delete");
  remove.addEventListener("click", async () => {
    if (!window.confirm(`Delete “${doc.title}” from the knowledge base?`)) return;
    remove.disabled = true;
    try {
      await api(`/api/v1/knowledge/documents/${encodeURIComponent(doc.document_id)}`, { method: "DELETE" });
      onDeleted();
    } catch (error) {
      remove.disabled = false;
      window.alert(error.message);
    }
  });
  return h("tr", { "data-document": doc.document_id },
    h("td", {}, h("a", { href: `#/kb/${encodeURIComponent(doc.document_id)}` }, doc.title), h("div", { class: "muted small" }, doc.filename)),
    h("td", {}, doc.document_type), h("td", {}, badge(doc.scope)),
    h("td", {}, badge(doc.status), doc.error ? h("div", { class: "small error-text" }, doc.error) : null, ingestProgress(doc)),
    h("td", {}, (doc.tags || []).map((t) => h("span", { class: "tag" }, t))),
    h("td", { class: "num" }, formatBytes(doc.size_bytes)), h("td", {}, formatDate(doc.updated_at)), h("td", {}, remove));
}

// A pending document's ingestion, once its chunks are known: how many of them are embedded so far.
function ingestProgress(doc) {
  if (doc.status !== "pending" || !doc.chunk_count) return null;
  const done = Math.min(doc.chunks_embedded || 0, doc.chunk_count);
  return h("div", { class: "small muted ingest-progress" },
    h("progress", { max: doc.chunk_count, value: done }), ` ${done} / ${doc.chunk_count} chunks embedded`);
}

function listSection(onChange) {
  const scope = h("select", { name: "scope", id: "filter-scope" }, ["", "personal", "team", "global"].map((v) => h("option", { value: v }, v || "any scope")));
  const type = h("input", { name: "document_type", id: "filter-type", placeholder: "any type", list: "doc-types" });
  const tags = h("input", { name: "tags", id: "filter-tags", placeholder: "tags (all of)" });
  const status = h("select", { name: "status", id: "filter-status" }, ["", "pending", "indexed", "failed"].map((v) => h("option", { value: v }, v || "any status")));
  const body = h("tbody", { id: "documents" });
  const summary = h("p", { class: "muted small", id: "documents-summary" });
  const pager = h("div", { class: "pager" });
  let offset = 0;
  const limit = 50;
  let timer = null;
  let generation = 0;

  async function load() {
    const mine = ++generation;
    clearTimeout(timer);
    const page = await api("/api/v1/knowledge/documents", {
      query: { scope: scope.value, document_type: type.value.trim(), tags: tags.value.trim(), status: status.value, limit, offset },
    });
    if (mine !== generation) return; // a newer load (another upload finished, a filter changed) will paint
    body.replaceChildren(...page.documents.map((d) => documentRow(d, () => { load(); onChange(); })));
    if (!page.documents.length) body.append(h("tr", {}, h("td", { colspan: 8, class: "muted" }, "No documents yet.")));
    const counts = page.scope_counts || {};
    summary.textContent = `${page.total_count} document(s) · personal ${counts.personal || 0} · team ${counts.team || 0} · global ${counts.global || 0}`;
    fill(pager, 
      offset > 0 ? h("button", { type: "button", on: { click: () => { offset = Math.max(0, offset - limit); load(); } } }, "Previous") : null,
      page.has_more ? h("button", { type: "button", on: { click: () => { offset += limit; load(); } } }, "Next") : null);
    // Ingestion runs in the background: look again while any document is still pending.
    if (page.documents.some((d) => d.status === "pending") && body.isConnected) {
      timer = setTimeout(() => { load(); onChange(); }, POLL_MS);
    }
  }

  const form = h("form", { class: "row filters", id: "filters" },
    h("label", { class: "field" }, h("span", {}, "Scope"), scope), h("label", { class: "field" }, h("span", {}, "Type"), type),
    h("label", { class: "field" }, h("span", {}, "Tags"), tags), h("label", { class: "field" }, h("span", {}, "Status"), status),
    h("button", { type: "submit" }, "Filter"),
    h("datalist", { id: "doc-types" }, DOCUMENT_TYPES.map((t) => h("option", { value: t }))));
  form.addEventListener("submit", (e) => { e.preventDefault(); offset = 0; load(); });
  for (const select of [scope, status]) select.addEventListener("change", () => { offset = 0; load(); });

  const section = h("section", { class: "card" }, h("h2", {}, "Documents"), form, summary,
    h("div", { class: "table-wrap" }, h("table", { class: "table" },
      h("thead", {}, h("tr", {}, ["Title", "Type", "Scope", "Status", "Tags", "Size", "Updated", ""].map((c) => h("th", {}, c)))), body)),
    pager);
  return { section, load };
}

export async function knowledgePage(root) {
  const caps = await getCapabilities();
  const statsBox = h("div", { id: "kb-stats" });
  const loadStats = async () => statsBox.replaceChildren(statsSection(await api("/api/v1/knowledge/stats")));
  const list = listSection(() => loadStats().catch(() => {}));
  add(root, h("h1", {}, "Knowledge base"), statsBox,
    uploadSection(caps, () => { list.load(); loadStats(); }), searchSection(), list.section);
  await Promise.all([loadStats(), list.load()]);
}
