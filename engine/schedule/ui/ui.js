// strata schedule pages: control buttons, the live log, lazy run_results.
// The control token is never in the page: it is asked for when the
// scheduler says it is needed, and kept in this tab's sessionStorage.
"use strict";

function flash(msg, bad) {
  const el = document.getElementById("flash");
  el.textContent = msg;
  el.className = bad ? "bad" : "";
  el.hidden = false;
}

async function api(path, body) {
  const send = () => {
    const headers = {"Content-Type": "application/json"};
    const tok = sessionStorage.getItem("strataToken");
    if (tok) headers["Authorization"] = "Bearer " + tok;
    return fetch(path, {method: "POST", headers, body: JSON.stringify(body || {})});
  };
  let r = await send();
  let j = await r.json().catch(() => ({}));
  if (r.status === 403 && j.code === "token") {
    const tok = window.prompt("This scheduler needs its control token (STRATA_SCHEDULER_TOKEN):");
    if (!tok) return null;
    sessionStorage.setItem("strataToken", tok);
    r = await send();
    j = await r.json().catch(() => ({}));
  }
  if (!r.ok) {
    if (r.status === 403) sessionStorage.removeItem("strataToken");
    flash(j.error || r.statusText, true);
    return null;
  }
  return j;
}

document.addEventListener("click", async (ev) => {
  const b = ev.target.closest("button[data-action]");
  if (!b) return;
  ev.preventDefault();
  const act = b.dataset.action;
  const name = encodeURIComponent(b.dataset.schedule || "");
  b.disabled = true;
  try {
    if (act === "trigger") {
      const body = {};
      const form = b.dataset.form ? b.closest("form") : null;
      if (form) {
        const sel = form.elements["select"].value.trim();
        if (sel) body.select = sel.split(/\s+/);
        if (form.elements["full_refresh"].checked) body.full_refresh = true;
      }
      const j = await api("/api/schedules/" + name + "/trigger", body);
      if (j) location.href = j.url;
    } else if (act === "pause" || act === "resume") {
      const j = await api("/api/schedules/" + name + "/" + act);
      if (j) location.reload();
    } else if (act === "rerun") {
      const j = await api("/api/runs/" + encodeURIComponent(b.dataset.run) + "/rerun");
      if (j) location.href = j.url;
    }
  } finally {
    b.disabled = false;
  }
});

// A running run's log grows on the page; when the run ends, reload to show
// its final status, timeline and failures.
async function followLog(pre) {
  const url = "/api/runs/" + encodeURIComponent(pre.dataset.run) + "/log?follow=1&offset=" + pre.dataset.offset;
  try {
    const r = await fetch(url);
    const reader = r.body.getReader();
    const dec = new TextDecoder();
    for (;;) {
      const {done, value} = await reader.read();
      if (done) break;
      pre.textContent += dec.decode(value, {stream: true});
      pre.scrollTop = pre.scrollHeight;
    }
  } catch (e) { /* the page reloads below */ }
  setTimeout(() => location.reload(), 500);
}

document.addEventListener("DOMContentLoaded", () => {
  if (document.body.dataset.control === "off") {
    document.querySelectorAll("button[data-action]").forEach((b) => { b.disabled = true; b.title = "control is off"; });
  }
  const pre = document.getElementById("log");
  if (pre && pre.dataset.follow) followLog(pre);
  const res = document.getElementById("results");
  if (res) res.addEventListener("toggle", async () => {
    const out = res.querySelector("pre");
    if (!res.open || out.textContent) return;
    const r = await fetch(res.dataset.src);
    out.textContent = r.ok ? JSON.stringify(await r.json(), null, 2) : "not available";
  });
  // Lists with a running run refresh themselves.
  if (!pre && document.querySelector('tr[data-status="running"]')) setTimeout(() => location.reload(), 5000);
});
