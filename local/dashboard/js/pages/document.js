// One knowledge-base document: its metadata (editable), its extracted text, and delete.

import { api } from "../api.js";
import { isAdmin } from "../auth.js";
import { add, badge, fill, formatBytes, formatDate, h, notice } from "../dom.js";

function field(label, input) {
  return h("label", { class: "field" }, h("span", {}, label), input);
}

function metadataList(doc) {
  const rows = [
    ["Status", badge(doc.status)], ["Scope", badge(doc.scope)], ["File", `${doc.filename} (${doc.content_type}, ${formatBytes(doc.size_bytes)})`],
    ["Chunks", doc.chunk_count], ["Created", formatDate(doc.created_at)], ["Updated", formatDate(doc.updated_at)],
    ["Source", doc.source_url ? h("a", { href: doc.source_url, rel: "noopener noreferrer", target: "_blank" }, doc.source_url) : "—"],
  ];
  if (doc.error) rows.push(["Error", doc.error]);
  return h("dl", { class: "meta" }, rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function editForm(doc, onSaved) {
  const title = h("input", { name: "title", value: doc.title, required: true, maxlength: 300 });
  const docType = h("input", { name: "document_type", value: doc.document_type, maxlength: 64 });
  const category = h("input", { name: "category", value: doc.category || "", maxlength: 100 });
  const tags = h("input", { name: "tags", value: (doc.tags || []).join(", ") });
  const sourceUrl = h("input", { name: "source_url", type: "url", value: doc.source_url || "", maxlength: 2048 });
  const description = h("textarea", { name: "description", rows: 3, maxlength: 4000 });
  description.value = doc.description || "";
  const scope = h("select", { name: "scope" }, ["personal", isAdmin() || doc.scope === "global" ? "global" : null]
    .filter(Boolean).map((v) => h("option", { value: v, selected: v === doc.scope }, v)));
  const status = h("div", { class: "form-status" });
  const form = h("form", { class: "card", id: "edit-form" }, h("h2", {}, "Edit"),
    field("Title", title), h("div", { class: "row" }, field("Type", docType), field("Category", category), field("Scope", scope)),
    field("Tags (comma separated)", tags), field("Source URL", sourceUrl), field("Description", description),
    h("button", { type: "submit", class: "primary" }, "Save"), status);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {
      title: title.value.trim(), document_type: docType.value.trim(), category: category.value.trim() || null,
      tags: tags.value.split(",").map((t) => t.trim()).filter(Boolean), source_url: sourceUrl.value.trim() || null,
      description: description.value.trim() || null, scope: scope.value,
    };
    try {
      const saved = await api(`/api/v1/knowledge/documents/${encodeURIComponent(doc.document_id)}`, { method: "PUT", body });
      status.replaceChildren(notice("ok", saved.status === "pending" ? "Saved; re-indexing." : "Saved."));
      onSaved(saved);
    } catch (error) {
      status.replaceChildren(notice("error", error.message));
    }
  });
  return form;
}

export async function documentPage(root, id) {
  const path = `/api/v1/knowledge/documents/${encodeURIComponent(id)}`;
  const doc = await api(path);
  const remove = h("button", { type: "button", class: "danger", id: "delete-document" }, "Delete document");
  remove.addEventListener("click", async () => {
    if (!window.confirm(`Delete “${doc.title}” from the knowledge base?`)) return;
    await api(path, { method: "DELETE" });
    window.location.hash = "#/kb";
  });
  const heading = h("h1", {}, doc.title);
  const labels = h("p", {});
  const details = h("section", { class: "card", id: "document-details" });
  const show = (d) => {
    heading.textContent = d.title;
    fill(labels, badge(d.document_type, "type"), " ", (d.tags || []).map((t) => h("span", { class: "tag" }, t)));
    details.replaceChildren(h("h2", {}, "Details"), metadataList(d));
  };
  show(doc);
  add(root, 
    h("p", {}, h("a", { href: "#/kb" }, "← Knowledge base")),
    h("div", { class: "title-row" }, heading, remove),
    doc.description ? h("p", {}, doc.description) : null,
    labels,
    h("div", { class: "two-col" }, details, editForm(doc, show)),
    h("section", { class: "card" }, h("h2", {}, "Content"), h("pre", { class: "document-content", id: "document-content" }, doc.content)));
}
