"use strict";
// The playground page: lists the scenarios, runs one through /api/run (server-sent events) and draws the
// messages as they arrive. window.playground.events keeps every message of the last run, for tests.
(function () {
  const KINDS = ["start", "deadline", "soft-cancel", "hard-cancel", "interrupt", "shield-begin", "shield-end",
    "action", "commit", "rollback", "abandoned", "rejected", "exit"];
  const $ = (id) => document.getElementById(id);
  const state = { scenarios: [], events: [], lanes: new Map(), tokens: new Map(), maxT: 1, source: null, done: false };
  window.playground = state;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function legend() {
    for (const k of KINDS) {
      $("legend").append(el("span", "mark " + k), document.createTextNode(k));
    }
  }

  function showParams() {
    const s = state.scenarios.find((x) => x.name === $("scenario").value);
    $("title").textContent = s.title;
    const form = $("params");
    form.replaceChildren();
    for (const p of s.params) {
      const label = el("label", null, p.label + (p.unit ? " (" + p.unit + ")" : "") + " ");
      const input = el("input");
      input.type = "number"; input.name = p.name; input.id = "param-" + p.name;
      input.min = p.min; input.max = p.max; input.value = p.value;
      label.append(input);
      form.append(label);
    }
  }

  function reset() {
    state.events = []; state.lanes = new Map(); state.tokens = new Map(); state.maxT = 1; state.done = false;
    $("timeline").replaceChildren(); $("tokens").replaceChildren(); $("checks").replaceChildren(); $("log").replaceChildren();
  }

  function lane(name) {
    let l = state.lanes.get(name);
    if (!l) {
      l = el("div", "lane"); l.dataset.lane = name;
      l.append(el("span", "lane-name", name));
      $("timeline").append(l);
      state.lanes.set(name, l);
    }
    return l;
  }

  function relayout() {
    for (const m of document.querySelectorAll("#timeline .mark")) {
      m.style.left = (100 * Number(m.dataset.t) / state.maxT) + "%";
    }
  }

  function drawToken(msg) {
    let node = state.tokens.get(msg.id);
    if (!node) {
      node = el("li", "token"); node.dataset.token = msg.id;
      node.append(el("span", "name", msg.id + ": "), el("span", "state"), el("span", "reason"), el("ul"));
      const parent = msg.parent && state.tokens.get(msg.parent);
      (parent ? parent.querySelector("ul") : $("tokens")).append(node);
      state.tokens.set(msg.id, node);
    }
    node.dataset.state = msg.state;
    node.querySelector(".state").textContent = msg.state;
    node.querySelector(".reason").textContent = msg.reason ? " — " + msg.reason : "";
  }

  function onMessage(msg) {
    state.events.push(msg);
    switch (msg.type) {
      case "lane": lane(msg.lane); break;
      case "mark": {
        const m = el("span", "mark " + msg.kind);
        m.dataset.kind = msg.kind; m.dataset.t = msg.t; m.dataset.seq = state.events.length;
        m.title = msg.t + " ms: " + msg.kind + " — " + msg.label;
        lane(msg.lane).append(m);
        state.maxT = Math.max(state.maxT, Number(msg.t) * 1.05);
        relayout();
        $("log").append(el("li", null, msg.t + " ms  [" + msg.lane + "] " + msg.kind + ": " + msg.label));
        break;
      }
      case "token": drawToken(msg); break;
      case "say": $("log").append(el("li", null, msg.t + " ms  " + msg.text)); break;
      case "check": $("checks").append(el("li", "check " + (msg.ok ? "pass" : "fail"), msg.claim)); break;
      case "done":
        state.done = true;
        $("status").textContent = msg.failed === 0 ? "done: every check passed" : "done: " + msg.failed + " check(s) failed";
        $("run").disabled = false;
        break;
    }
  }

  function run() {
    if (state.source) state.source.close();
    reset();
    const q = new URLSearchParams({ scenario: $("scenario").value });
    for (const input of $("params").querySelectorAll("input")) q.set(input.name, input.value);
    const url = "/api/run?" + q;
    $("run").disabled = true;
    $("status").textContent = "running…";
    // A bad value is refused with a 400 that says why: ask first, so the page can show it.
    fetch(url, { method: "GET", headers: { Accept: "text/event-stream" } }).then(async (r) => {
      if (r.status !== 200) {
        $("status").textContent = await r.text();
        $("status").className = "error";
        $("run").disabled = false;
        return;
      }
      $("status").className = "";
      const reader = r.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const chunk = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
          if (chunk.startsWith("data: ")) onMessage(JSON.parse(chunk.slice(6)));
        }
      }
      if (!state.done) { $("status").textContent = "the stream ended early"; $("run").disabled = false; }
    });
  }

  fetch("/api/scenarios").then((r) => r.json()).then((list) => {
    state.scenarios = list;
    for (const s of list) {
      const o = el("option", null, s.name); o.value = s.name;
      $("scenario").append(o);
    }
    $("scenario").addEventListener("change", showParams);
    $("run").addEventListener("click", run);
    legend();
    showParams();
    document.body.dataset.ready = "true";
  });
})();
