/* 居民社保缴费助手 · WeChat-style web chat.
 *
 * Talks to the webchat channel next to this page: POST "webhook" {sender, message} returns
 * the bot's messages, GET "history?sender=" the conversation so far. The conversation id is
 * a random UUID kept in localStorage, so a reload continues the same conversation.
 * Every text is put on the page with textContent, never as HTML (phone numbers become tel:
 * links, built as elements). Each bot message is one bubble with its short source tags; a tap
 * on a tag opens the document's full title, clause and quoted sentences.
 * 长辈模式 (large text and buttons, high contrast, details folded) is remembered on the device.
 */
(function () {
  "use strict";

  var STORAGE_KEY = "shebao.webchat.sender";
  var ELDER_KEY = "shebao.webchat.elder";
  var SENDER_RE = /^[A-Za-z0-9_-]{8,64}$/;
  var TIME_GAP_MS = 5 * 60 * 1000; // a time label when messages are more than 5 minutes apart
  var MAX_CHARS = 5000;
  var AVATARS = { bot: "static/avatar-bot.svg", user: "static/avatar-user.svg" };
  var STATUS_IDLE = ""; // the header's text as the server filled it in (regions and year)
  // the places, years and schemes covered and the example questions come from the server,
  // which renders them from the knowledge base
  var INTRO = JSON.parse(document.getElementById("intro").textContent);
  var WELCOME =
    "您好！我是居民社保缴费助手，可以解答" + INTRO.scope + "的问题：\n" +
    "· 每年交多少钱、有哪些档次、政府补贴多少\n" +
    "· 什么时候交、怎么交（银行、微信、支付宝等）\n" +
    "· 咨询电话、参保登记、学生和新生儿参保、退费补缴\n" +
    "· 按年龄、身份算一算自己或全家交多少\n" +
    "直接输入问题即可，也可以点下面的例子。";
  var EXAMPLES = INTRO.examples;
  // hotline numbers as the documents write them; a number inside an account's name in
  // quotation marks (“青岛12333”) is a name, not a number to dial
  var PHONE_RE = (INTRO.phones || []).length
    ? new RegExp("(?<![0-9])(" + INTRO.phones.map(escapeRegExp).join("|") + ")(?![0-9])", "g")
    : null;

  var scroller = document.getElementById("messages");
  var list = document.getElementById("log");
  var elderSwitch = document.getElementById("elder");
  var form = document.getElementById("composer");
  var input = document.getElementById("input");
  var sendButton = document.getElementById("send");
  var status = document.getElementById("status");
  STATUS_IDLE = status.textContent;

  var sender = conversationId();
  var lastTime = null; // time of the last message on the page (ms)
  var queue = Promise.resolve(); // messages are sent one after another, in order
  var pending = 0;
  var typingRow = null;
  var composing = false;
  var ready = false; // the history is on the page
  var detailCount = 0; // ids for the folding parts of bubbles

  // ------------------------------------------------------------------ 长辈模式
  function stored(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function setElder(on, remember) {
    document.documentElement.classList.toggle("elder", on);
    elderSwitch.setAttribute("aria-pressed", on ? "true" : "false");
    if (!remember) return;
    try {
      window.localStorage.setItem(ELDER_KEY, on ? "1" : "0");
    } catch (e) {
      /* the mode lasts as long as the page */
    }
  }

  setElder(stored(ELDER_KEY) === "1", false);
  elderSwitch.addEventListener("click", function () {
    setElder(elderSwitch.getAttribute("aria-pressed") !== "true", true);
    scrollToBottom();
  });

  // ------------------------------------------------------------------ conversation id
  function newId() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    var bytes = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b < 16 ? "0" : "") + b.toString(16);
      })
      .join("");
  }

  function conversationId() {
    var id = stored(STORAGE_KEY); // null when storage is blocked: the page's own conversation
    if (id && SENDER_RE.test(id)) return id;
    id = newId();
    try {
      window.localStorage.setItem(STORAGE_KEY, id);
    } catch (e) {
      /* not kept */
    }
    return id;
  }

  // ------------------------------------------------------------------ rendering
  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function timeLabel(ms) {
    var d = new Date(ms);
    var now = new Date();
    var hm = pad(d.getHours()) + ":" + pad(d.getMinutes());
    var startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
    var day = 24 * 60 * 60 * 1000;
    if (ms >= startOfToday) return hm;
    if (ms >= startOfToday - day) return "昨天 " + hm;
    if (ms >= startOfToday - 6 * day) return "星期" + "日一二三四五六".charAt(d.getDay()) + " " + hm;
    var date = d.getMonth() + 1 + "月" + d.getDate() + "日 ";
    if (d.getFullYear() === now.getFullYear()) return date + hm;
    return d.getFullYear() + "年" + date + hm;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function append(node) {
    if (typingRow && typingRow.parentNode === list) list.insertBefore(node, typingRow);
    else list.appendChild(node);
    scrollToBottom();
    return node;
  }

  function scrollToBottom() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  function stamp(ms) {
    if (ms === null) return;
    if (lastTime === null || ms - lastTime > TIME_GAP_MS) {
      append(el("div", "time", timeLabel(ms)));
    }
    lastTime = ms;
  }

  function notice(text) {
    return append(el("p", "notice", text));
  }

  function escapeRegExp(s) {
    return String(s).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  /* Text nodes, with the hotline numbers as tel: links (outside quotation marks). */
  function appendText(parent, text) {
    text.split(/(“[^”]*”)/).forEach(function (part) {
      var last = 0;
      var match;
      if (PHONE_RE && part.charAt(0) !== "“") {
        PHONE_RE.lastIndex = 0;
        while ((match = PHONE_RE.exec(part))) {
          parent.appendChild(document.createTextNode(part.slice(last, match.index)));
          var link = el("a", "tel", match[1]);
          link.href = "tel:" + match[1];
          parent.appendChild(link);
          last = match.index + match[1].length;
        }
      }
      parent.appendChild(document.createTextNode(part.slice(last)));
    });
  }

  /* A toggle button that shows and hides `part` (aria-expanded says which). */
  function folding(button, part) {
    detailCount += 1;
    part.id = "fold-" + detailCount;
    part.hidden = true;
    button.type = "button";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", part.id);
    button.addEventListener("click", function () {
      var open = part.hidden;
      part.hidden = !open;
      button.setAttribute("aria-expanded", open ? "true" : "false");
      if (open && button.getAttribute("data-open-label")) {
        button.textContent = button.getAttribute("data-open-label");
      } else if (button.getAttribute("data-closed-label")) {
        button.textContent = button.getAttribute("data-closed-label");
      }
    });
  }

  /* A bot text: the first paragraph (the answer), then the details; 长辈模式 folds the
     details behind a button, so the bubble says the answer in few words. */
  function botText(bubble, text) {
    var cut = text.indexOf("\n\n");
    var lead = el("div", "bubble__lead");
    appendText(lead, cut < 0 ? text : text.slice(0, cut));
    bubble.appendChild(lead);
    if (cut < 0) return;
    var more = el("div", "bubble__more");
    appendText(more, text.slice(cut));
    var button = el("button", "more-button", "展开详细说明");
    button.setAttribute("data-closed-label", "展开详细说明");
    button.setAttribute("data-open-label", "收起详细说明");
    folding(button, more);
    bubble.appendChild(button);
    bubble.appendChild(more);
  }

  /* The short source tags under a bot text; a tap opens title, clause and quoted sentences. */
  function addSources(bubble, sources) {
    if (!sources || !sources.length) return;
    var bar = el("div", "sources");
    bar.appendChild(el("span", "sources__label", "来源"));
    var details = [];
    sources.forEach(function (s) {
      var tag = el("button", "source-tag", s.tag);
      var detail = el("div", "source-detail");
      detail.appendChild(el("p", "source-detail__title", "《" + s.title + "》" + s.clause));
      (s.quotes || []).forEach(function (q) {
        detail.appendChild(el("blockquote", "source-detail__quote", "“" + q + "”"));
      });
      folding(tag, detail);
      bar.appendChild(tag);
      details.push(detail);
    });
    bubble.appendChild(bar);
    details.forEach(function (d) {
      bubble.appendChild(d);
    });
  }

  function messageRow(role, text, sources, ms) {
    var row = el("div", "msg msg--" + role);
    row.setAttribute("data-role", role);
    var avatar = el("img", "msg__avatar");
    avatar.src = AVATARS[role];
    avatar.alt = role === "bot" ? "助手" : "我";
    avatar.width = 40;
    avatar.height = 40;
    var body = el("div", "msg__body");
    var bubble;
    if (role === "bot") {
      bubble = el("div", "bubble");
      if (text) botText(bubble, text);
      addSources(bubble, sources);
    } else {
      bubble = el("div", "bubble", text);
    }
    body.appendChild(bubble);
    if (typeof ms === "number") {
      var time = el("time", "msg__time", timeLabel(ms));
      time.dateTime = new Date(ms).toISOString();
      body.appendChild(time);
    }
    row.appendChild(avatar);
    row.appendChild(body);
    return row;
  }

  /* role "user" | "bot"; buttons [{title, payload}]; ms: time, or null for no time label;
     sources [{tag, title, clause, quotes}] */
  function addMessage(role, text, buttons, ms, sources) {
    stamp(ms);
    var row = messageRow(role, text, sources, ms);
    if (buttons && buttons.length) {
      var bar = el("div", "quick-replies");
      buttons.forEach(function (b) {
        var title = String(b.title || b.payload || "");
        var payload = String(b.payload || b.title || "");
        if (!payload) return;
        var button = el("button", "quick-replies__button", title);
        button.type = "button";
        button.addEventListener("click", function () {
          if (ready) send(payload, title);
        });
        bar.appendChild(button);
      });
      row.querySelector(".msg__body").insertBefore(bar, row.querySelector(".msg__time"));
    }
    return append(row);
  }

  function showTyping() {
    status.textContent = "对方正在输入…";
    if (typingRow) return;
    typingRow = messageRow("bot", "", [], null);
    typingRow.classList.add("msg--typing");
    typingRow.removeAttribute("data-role");
    var bubble = typingRow.querySelector(".bubble");
    bubble.setAttribute("aria-label", "对方正在输入");
    for (var i = 0; i < 3; i++) bubble.appendChild(el("span", "typing__dot"));
    list.appendChild(typingRow);
    scrollToBottom();
  }

  function hideTyping() {
    status.textContent = STATUS_IDLE;
    if (typingRow && typingRow.parentNode) typingRow.parentNode.removeChild(typingRow);
    typingRow = null;
  }

  function markFailed(row, message, display) {
    if (row.querySelector(".msg__failed")) return;
    var retry = el("button", "msg__failed", "!");
    retry.type = "button";
    retry.title = "发送失败，点击重新发送";
    retry.setAttribute("aria-label", "发送失败，点击重新发送");
    retry.addEventListener("click", function () {
      row.parentNode.removeChild(row);
      send(message, display);
    });
    row.appendChild(retry);
  }

  // ------------------------------------------------------------------ talking to the server
  function postMessage(message) {
    return fetch("webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: sender, message: message }),
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (data) {
          if (!response.ok || !Array.isArray(data)) {
            var error = new Error((data && data.error) || "服务暂时不可用，请稍后再试。");
            error.friendly = true;
            throw error;
          }
          return data;
        });
    });
  }

  /* Sends `message` (a question or a quick-reply payload); the user's bubble shows `display`. */
  function send(message, display) {
    message = String(message).slice(0, MAX_CHARS);
    var row = addMessage("user", display || message, [], Date.now());
    pending += 1;
    showTyping();
    queue = queue.then(function () {
      return postMessage(message)
        .then(function (replies) {
          hideTyping();
          var now = Date.now();
          replies.forEach(function (m) {
            if (m.text || (m.buttons && m.buttons.length)) {
              addMessage("bot", m.text || "", m.buttons || [], now, m.sources);
            }
          });
        })
        .catch(function (error) {
          hideTyping();
          markFailed(row, message, display);
          notice(error.friendly ? error.message : "网络异常，消息没有发出去，请检查网络后点红色感叹号重发。");
        })
        .then(function () {
          pending -= 1;
          if (pending > 0) showTyping();
        });
    });
  }

  function loadHistory() {
    return fetch("history?sender=" + encodeURIComponent(sender))
      .then(function (response) {
        return response.ok ? response.json() : { messages: [] };
      })
      .then(function (data) {
        (data.messages || []).forEach(function (m) {
          var ms = typeof m.timestamp === "number" ? m.timestamp * 1000 : null;
          var role = m.role === "user" ? "user" : "bot";
          addMessage(role, m.text || "", m.buttons || [], ms, m.sources);
        });
      })
      .catch(function () {
        notice("历史消息暂时加载不出来，可以继续提问。");
      });
  }

  // ------------------------------------------------------------------ input box
  function resize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  }

  function updateSendButton() {
    sendButton.disabled = !ready || !input.value.trim();
  }

  function submit() {
    var text = input.value.trim();
    if (!text || !ready) return;
    input.value = "";
    resize();
    updateSendButton();
    send(text);
  }

  input.addEventListener("compositionstart", function () {
    composing = true;
  });
  input.addEventListener("compositionend", function () {
    composing = false;
    updateSendButton();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.shiftKey) return;
    // Enter that picks a word in a Chinese input method must not send the message
    if (composing || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    submit();
  });
  input.addEventListener("input", function () {
    resize();
    updateSendButton();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (composing) return;
    submit();
  });
  window.addEventListener("resize", scrollToBottom); // the on-screen keyboard opened

  // ------------------------------------------------------------------ start
  addMessage(
    "bot",
    WELCOME,
    EXAMPLES.map(function (q) {
      return { title: q, payload: q };
    }),
    null
  ).classList.add("msg--welcome");
  loadHistory().then(function () {
    ready = true;
    updateSendButton();
    document.body.setAttribute("data-ready", "true");
    scrollToBottom();
  });
})();
