(() => {
  const problems = [];
  const vw = window.innerWidth;
  const root = document.documentElement;
  if (root.scrollWidth > vw) problems.push(`the page is ${root.scrollWidth} px wide in a ${vw} px window`);
  const describe = (el) => {
    const id = el.id ? `#${el.id}` : "";
    const cls = typeof el.className === "string" && el.className ? `.${el.className.trim().split(/\s+/).join(".")}` : "";
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 40);
    return `<${el.tagName.toLowerCase()}${id}${cls}> "${text}"`;
  };
  const visible = (el) => {
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    return style.visibility !== "hidden" && style.display !== "none" && rect.width > 0 && rect.height > 0;
  };
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll("*")) {
    if (!visible(el) || scrolls(el)) continue;
    const rect = el.getBoundingClientRect();
    if (rect.right > vw + 1 || rect.left < -1) problems.push(`${describe(el)} sticks out of the screen (${Math.round(rect.left)}-${Math.round(rect.right)} px of ${vw})`);
  }
  const controls = document.querySelectorAll("main a[href], main button, main input, main select, main textarea, main summary, #nav a");
  for (const el of controls) {
    if (!visible(el) || el.closest("details:not([open]) > :not(summary)")) continue;
    el.scrollIntoView({ block: "center", inline: "center" });
    const rect = el.getBoundingClientRect();
    const x = rect.left + rect.width / 2;
    const y = rect.top + rect.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (!hit) {
      problems.push(`${describe(el)} cannot be scrolled into view`);
    } else if (hit !== el && !el.contains(hit) && !(hit.tagName === "LABEL" && hit.contains(el))) {
      problems.push(`${describe(el)} is covered by ${describe(hit)}`);
    }
  }
  window.scrollTo(0, 0);
  return problems;
})
