// Hotline staff console: ask, read the facts behind the answer, read tables aloud, calculate.
// Plain DOM code (no framework, nothing from another host); text always goes in as text.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const API = "api/";
  let regions = [];

  function newSession() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    const id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    sessionStorage.setItem("console-session", id);
    return id;
  }
  const session = () => sessionStorage.getItem("console-session") || newSession();

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children || []) node.append(child);
    return node;
  }

  async function call(path, body) {
    const options = { credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let reply;
    try {
      reply = await fetch(API + path, options);
    } catch (e) {
      throw new Error("连接不上助手，请检查网络后重试。");
    }
    const data = await reply.json().catch(() => ({}));
    if (!reply.ok) throw new Error(data.error || "查询失败（" + reply.status + "），请重试。");
    return data;
  }

  function showError(id, message) {
    const box = $(id);
    box.textContent = message || "";
    box.hidden = !message;
  }

  // ------------------------------------------------------------------ facts and tables
  function renderFacts(facts, basis) {
    const list = $("fact-list");
    list.replaceChildren();
    for (const fact of facts) {
      const head = el("div", { className: "meta" }, [
        fact.region_name + " " + fact.year + "年度 · " + fact.scheme_label + " · " + fact.topic_label,
      ]);
      if (fact.status_label) head.append(" ", el("span", { className: "status", textContent: "【" + fact.status_label + "】" }));
      const item = el("li", { className: "fact" }, [
        head,
        el("p", { textContent: fact.answer }),
      ]);
      for (const cite of fact.citations) {
        item.append(
          el("blockquote", {}, [
            el("span", { className: "quote", textContent: cite.quote }),
            el("cite", { textContent: "《" + cite.title + "》" + cite.clause + "（" + cite.file + "）" }),
          ])
        );
      }
      list.append(item);
    }
    $("facts-basis").textContent = basis === "lookup" ? "（按关键词从知识库检索）" : "（助手答复所用）";
    $("facts").hidden = facts.length === 0;
  }

  function renderTables(region, tables) {
    const box = $("tables");
    box.replaceChildren();
    for (const button of $("region-tabs").children) {
      button.setAttribute("aria-pressed", String(button.dataset.region === region));
    }
    for (const section of tables) {
      const table = el("table", {}, [el("caption", { textContent: section.title })]);
      table.append(el("thead", {}, [el("tr", {}, section.headers.map((h) => el("th", { textContent: h, scope: "col" })))]));
      const body = el("tbody");
      for (const row of section.rows) {
        body.append(el("tr", {}, row.map((cell) => el("td", { textContent: cell, className: /^\d+$/.test(cell) ? "num" : /^[\d、]+$/.test(cell) ? "num list" : "" }))));
      }
      table.append(body);
      box.append(table);
    }
  }

  async function loadTables(region) {
    try {
      const data = await call("tables?region=" + encodeURIComponent(region));
      renderTables(data.region, data.tables);
    } catch (e) {
      $("tables").textContent = e.message;
    }
  }

  // ------------------------------------------------------------------ asking
  async function ask(event) {
    event.preventDefault();
    const question = $("question").value.trim();
    if (!question) {
      showError("ask-error", "请输入来电人的问题或关键词。");
      return;
    }
    showError("ask-error", "");
    $("ask-button").disabled = true;
    try {
      const data = await call("ask", { session: session(), question, region: $("ask-region").value });
      $("answer-text").textContent = data.answer_text || "（助手没有给出文字答复）";
      $("answer-spoken").textContent = data.spoken_text || "";
      const options = data.replies.flatMap((r) => r.buttons || []);
      $("answer-options").textContent = options.length ? "可选：" + options.join(" / ") : "";
      $("answer-options").hidden = !options.length;
      $("copy-status").textContent = "";
      $("answer").hidden = false;
      renderFacts(data.facts, data.facts_basis);
      if (data.region) renderTables(data.region, data.tables);
    } catch (e) {
      showError("ask-error", e.message);
    } finally {
      $("ask-button").disabled = false;
      // a counter tests (and screen readers' live region) can wait on
      document.body.dataset.answers = String(Number(document.body.dataset.answers || 0) + 1);
    }
  }

  async function copyAnswer() {
    const text = $("answer-text").textContent;
    let done = false;
    try {
      await navigator.clipboard.writeText(text);
      done = true;
    } catch (e) {
      // plain http on a LAN address has no clipboard API: fall back to a selected textarea
      const area = el("textarea", { value: text });
      document.body.append(area);
      area.select();
      done = document.execCommand("copy");
      area.remove();
    }
    $("copy-status").textContent = done ? "已复制" : "复制失败，请手动选择文字";
  }

  function newCall() {
    newSession();
    $("question").value = "";
    $("answer").hidden = true;
    $("facts").hidden = true;
    showError("ask-error", "");
    $("question").focus();
  }

  // ------------------------------------------------------------------ calculator
  async function calculate(event) {
    event.preventDefault();
    showError("calc-error", "");
    const form = Object.fromEntries(new FormData($("calc-form")).entries());
    try {
      const data = await call("calc", form);
      $("calc-result").textContent = data.text;
      $("calc-result").hidden = false;
    } catch (e) {
      $("calc-result").hidden = true;
      showError("calc-error", e.message);
    }
  }

  // ------------------------------------------------------------------ review summary (read-only)
  function simpleTable(caption, headers, rows) {
    const table = el("table", {}, [el("caption", { textContent: caption })]);
    table.append(el("thead", {}, [el("tr", {}, headers.map((h) => el("th", { textContent: h, scope: "col" })))]));
    table.append(el("tbody", {}, rows.map((row) => el("tr", {}, row.map((cell) => el("td", { textContent: String(cell) }))))));
    return table;
  }

  async function loadReview(event) {
    if (event) event.preventDefault();
    showError("review-error", "");
    const query = new URLSearchParams();
    if ($("review-from").value) query.set("from", $("review-from").value);
    if ($("review-to").value) query.set("to", $("review-to").value);
    try {
      const d = await call("review?" + query.toString());
      $("review-from").value = d.from;
      $("review-to").value = d.to;
      $("review-body").replaceChildren(
        simpleTable(d.from + " 至 " + d.to + "（" + d.generated + " 统计）", ["指标", "数值"], [
          ["会话数", d.conversations],
          ["居民消息数", d.messages],
          ["回退（没听懂）", d.fallbacks + "（回退率 " + (d.fallback_rate * 100).toFixed(1) + "%）"],
          ["要求人工", d.handoffs],
          ["未能解答的消息", d.unplaced],
        ]),
        simpleTable("按问题类别", ["问题类别", "消息数"], d.topics.map((t) => [t.label, t.count])),
        simpleTable("按地区", ["地区", "消息数"], d.regions.map((r) => [r.region, r.count])),
        simpleTable("最常见的未解答问题", ["分组", "次数", "示例（已隐去个人号码）", "地区", "状态"],
          d.groups.map((g) => [g.id, g.count, g.examples.join(" / "), g.regions.join("、"), g.status]))
      );
    } catch (e) {
      showError("review-error", e.message);
    } finally {
      document.body.dataset.reviews = String(Number(document.body.dataset.reviews || 0) + 1);
    }
  }

  async function start() {
    $("review").addEventListener("toggle", () => { if ($("review").open) loadReview(); });
    $("review-form").addEventListener("submit", loadReview);
    $("ask-form").addEventListener("submit", ask);
    $("copy").addEventListener("click", copyAnswer);
    $("new-call").addEventListener("click", newCall);
    $("calc-form").addEventListener("submit", calculate);
    try {
      const data = await call("regions");
      regions = data.regions;
      $("year").textContent = data.year + "年度";
      $("scope").textContent = regions.map((r) => r.name).join(" · ") + " | " + data.schemes.join(" · ");
      // scheme names and the keyword example come from the knowledge base's vocabulary
      for (const s of data.scheme_choices) {
        $("calc-scheme").append(el("option", { value: s.id, textContent: s.name }));
      }
      $("question").placeholder = "输入来电人的问题或关键词，如：" + data.keyword_example;
      for (const r of regions) {
        $("ask-region").append(el("option", { value: r.id, textContent: r.name }));
        $("calc-region").append(el("option", { value: r.id, textContent: r.name }));
        const tab = el("button", { type: "button", textContent: r.name, className: "secondary" });
        tab.dataset.region = r.id;
        tab.setAttribute("aria-pressed", "false");
        tab.addEventListener("click", () => loadTables(r.id));
        $("region-tabs").append(tab);
      }
      for (const g of data.groups) $("calc-group").append(el("option", { value: g, textContent: g }));
    } catch (e) {
      showError("ask-error", e.message);
    }
  }

  document.addEventListener("DOMContentLoaded", () => start().then(() => { document.body.dataset.ready = "true"; }));
})();
