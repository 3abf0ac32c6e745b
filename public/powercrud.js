// PowerCRUD's browser glue for htmx 4: CSRF header, the record modal (open, focus, close, focus
// return), toasts, table refresh after a save, and the theme switch. Every action also works without
// this file, as plain links, forms and redirects.
(function () {
  "use strict";

  var opener = null; // the element that opened the modal, to return focus to it
  var openerKey = null; // a selector for its replacement after the table refreshes
  var refocusAfterRefresh = false;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function modal() {
    return document.getElementById("pc-modal");
  }

  document.addEventListener("htmx:config:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    if (ctx && ctx.request && ctx.request.headers) ctx.request.headers["X-CSRF-Token"] = csrfToken();
    // Empty filter inputs would clutter the pushed URL: leave them out, and the comboboxes' search
    // boxes too (they only search choices; without JavaScript they list matches after Apply).
    var body = ctx && ctx.request && ctx.request.body;
    if (ctx && ctx.request.form && ctx.request.form.classList.contains("pc-filters") && body && body.entries) {
      var kept = [];
      var searches = Array.from(ctx.request.form.querySelectorAll("[data-pc-choice-search]")).map(function (input) { return input.name; });
      body.forEach(function (value, key) { if (value !== "" && searches.indexOf(key) === -1) kept.push([key, value]); });
      Array.from(body.keys()).forEach(function (key) { body.delete(key); });
      kept.forEach(function (pair) { body.append(pair[0], pair[1]); });
    }
    var source = ctx && ctx.sourceElement;
    var dialog = modal();
    if (source && dialog && !dialog.open && ctx.target && ctx.target.id === "pc-modal-content") {
      opener = source;
      openerKey = successorSelector(source);
    }
  });

  // An opener with a data-pc-focus-key is found again by it; a row's link by its row and its address.
  function successorSelector(source) {
    var key = source.getAttribute("data-pc-focus-key");
    if (key) return '[data-pc-focus-key="' + CSS.escape(key) + '"]';
    var row = source.closest("tr[data-pc-row]");
    var href = source.getAttribute("href");
    if (!row || !href) return null;
    return 'tr[data-pc-row="' + CSS.escape(row.getAttribute("data-pc-row")) + '"] a[href="' + CSS.escape(href) + '"]:not([data-pc-focus-key])';
  }

  function focusFirst(container) {
    var target =
      container.querySelector('[aria-invalid="true"]') ||
      container.querySelector("[autofocus]") ||
      container.querySelector("input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])") ||
      container.querySelector("h2");
    if (!target) return;
    if (target.tagName === "H2") target.setAttribute("tabindex", "-1");
    target.focus();
  }

  document.addEventListener("htmx:after:swap", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var target = ctx && ctx.target;
    if (!target || target.id !== "pc-modal-content") return;
    var dialog = modal();
    if (!target.innerHTML.trim()) return;
    if (!dialog.open) dialog.showModal();
    focusFirst(target);
  });

  document.addEventListener("pc:saved", function (event) {
    var detail = event.detail || {};
    var table = document.querySelector(".pc-table");
    refocusAfterRefresh = Boolean(table);
    var dialog = modal();
    if (dialog && dialog.open) dialog.close();
    if (detail.message) toast(detail.message, "success");
    if (table && window.htmx) htmx.trigger(table, "pc-refresh");
  });

  // The refreshed table replaced the opener: focus its successor (successorSelector), or the
  // list heading when the record is gone. Events on the old, detached table never reach document,
  // so this listens for htmx processing the new one.
  document.addEventListener("htmx:after:process", function (event) {
    if (!refocusAfterRefresh || !event.target.classList || !event.target.classList.contains("pc-table")) return;
    refocusAfterRefresh = false;
    var successor = openerKey && event.target.querySelector(openerKey);
    var heading = document.getElementById("pc-list-title");
    if (!successor && heading) heading.setAttribute("tabindex", "-1");
    (successor || heading || document.body).focus();
    opener = null;
  });

  document.addEventListener("close", function (event) {
    if (event.target !== modal()) return;
    var content = document.getElementById("pc-modal-content");
    if (content) content.innerHTML = "";
    if (!refocusAfterRefresh && opener && document.contains(opener)) {
      opener.focus();
      opener = null;
    }
  }, true);

  document.addEventListener("click", function (event) {
    var closer = event.target.closest && event.target.closest("[data-pc-close]");
    if (closer) closeModalAsking();
  });

  // Unsaved changes in the modal: every way of closing it (Escape, the backdrop, ✕, Cancel) first
  // asks in #pc-modal-discard when a form in it differs from what it showed when it first appeared.
  // A form re-rendered with errors keeps its first snapshot, so its rejected edits still count.
  var modalSnapshots = {};
  var focusBeforeDiscard = null;
  function formKey(form) {
    return form.getAttribute("action") || form.id || "";
  }
  // What the user entered, disabled controls included: scripts enable and disable some (the bulk
  // form's Change boxes), which is not an edit.
  function formValues(form) {
    return Array.from(form.elements).filter(function (element) {
      return element.name && element.name !== "_csrf" && !/^(submit|button|reset)$/.test(element.type);
    }).map(function (element) {
      if (element.type === "checkbox" || element.type === "radio") return element.name + "=" + element.value + ":" + element.checked;
      if (element.tagName === "SELECT") return element.name + "=" + Array.from(element.selectedOptions).map(function (o) { return o.value; }).join(",");
      return element.name + "=" + (element.type === "file" ? Array.from(element.files || []).map(function (f) { return f.name; }).join(",") : element.value);
    }).join("&");
  }
  function modalForms() {
    var content = document.getElementById("pc-modal-content");
    return content ? Array.from(content.querySelectorAll("form")).filter(function (form) { return form.method === "post"; }) : [];
  }
  function modalDirty() {
    return modalForms().some(function (form) {
      var key = formKey(form);
      return Object.prototype.hasOwnProperty.call(modalSnapshots, key) && modalSnapshots[key] !== formValues(form);
    });
  }
  function discardPrompt() {
    return document.getElementById("pc-modal-discard");
  }
  function askToDiscard() {
    var prompt = discardPrompt();
    if (!prompt) return modal().close();
    if (prompt.hidden) focusBeforeDiscard = document.activeElement;
    prompt.hidden = false;
    prompt.querySelector('[data-pc-discard="keep"]').focus();
  }
  function keepEditing() {
    var prompt = discardPrompt();
    if (prompt) prompt.hidden = true;
    var back = focusBeforeDiscard && document.contains(focusBeforeDiscard) ? focusBeforeDiscard : null;
    focusBeforeDiscard = null;
    if (back) back.focus(); else focusFirst(document.getElementById("pc-modal-content"));
  }
  function closeModalAsking() {
    var dialog = modal();
    if (!dialog || !dialog.open) return;
    if (modalDirty()) askToDiscard(); else dialog.close();
  }
  document.addEventListener("htmx:after:swap", function (event) {
    var target = event.detail && event.detail.ctx && event.detail.ctx.target;
    if (!target || target.id !== "pc-modal-content") return;
    var prompt = discardPrompt();
    if (prompt) prompt.hidden = true;
    modalForms().forEach(function (form) {
      var key = formKey(form);
      if (!Object.prototype.hasOwnProperty.call(modalSnapshots, key)) modalSnapshots[key] = formValues(form);
    });
  });
  document.addEventListener("close", function (event) {
    if (event.target !== modal()) return;
    modalSnapshots = {};
    var prompt = discardPrompt();
    if (prompt) prompt.hidden = true;
  }, true);
  // Escape: the browser would close the dialog (its "cancel"); with changes, ask instead, and a
  // second Escape answers "keep editing". Handled on keydown because Chromium does not let a page
  // cancel a second "cancel" without a click in between.
  document.addEventListener("keydown", function (event) {
    var dialog = modal();
    if (event.key !== "Escape" || !dialog || !dialog.open) return;
    var prompt = discardPrompt();
    if (prompt && !prompt.hidden) {
      event.preventDefault();
      keepEditing();
    } else if (modalDirty()) {
      event.preventDefault();
      askToDiscard();
    }
  }, true);
  document.addEventListener("cancel", function (event) {
    if (event.target === modal() && modalDirty()) {
      event.preventDefault();
      askToDiscard();
    }
  }, true);
  // ✕ and the backdrop are method="dialog" forms.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.method !== "dialog" || form.closest("dialog") !== modal() || !modalDirty()) return;
    event.preventDefault();
    askToDiscard();
  }, true);
  document.addEventListener("click", function (event) {
    var choice = event.target.closest && event.target.closest("[data-pc-discard]");
    if (!choice) return;
    if (choice.getAttribute("data-pc-discard") === "keep") return keepEditing();
    modalSnapshots = {};
    modal().close();
  });

  // A dependent select reloading itself (a field it depends on changed): the server dropped a choice
  // that is no longer available, and the user is told so.
  var dependentBefore = null;
  function chosenOptions(select) {
    return Array.from(select.selectedOptions).filter(function (o) { return o.value !== ""; }).map(function (o) { return { value: o.value, label: o.text }; });
  }
  document.addEventListener("htmx:before:swap", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var target = ctx && ctx.target;
    var isSelect = target && target.tagName === "SELECT";
    var reload = isSelect && ctx.sourceElement === target && target.hasAttribute("data-pc-dependent");
    dependentBefore = reload ? chosenOptions(target) : null;
  });
  document.addEventListener("htmx:after:swap", function (event) {
    var target = event.detail && event.detail.ctx && event.detail.ctx.target;
    if (!target || target.tagName !== "SELECT") return;
    if (dependentBefore) {
      var now = chosenOptions(target).map(function (o) { return o.value; });
      var dropped = dependentBefore.filter(function (o) { return now.indexOf(o.value) === -1; });
      dependentBefore = null;
      if (!dropped.length) return;
      var label = target.labels && target.labels[0] ? target.labels[0].textContent.replace("*", "").trim() : target.name;
      toast(label + ": " + dropped.map(function (o) { return o.label; }).join(", ") + (dropped.length === 1 ? " is" : " are") + " not available with the new choice. Choose again.", "info");
      // Fields that depend on this one follow it.
      target.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
  });

  // Morphing the table region keeps focus but would close an open filter panel: reopen it. Popovers
  // (the column chooser, saved views) and the menus inside them are left closed: the swap answered
  // what they asked.
  var openPanels = [];
  var PANELS = ".pc-table details:not([data-pc-popover]):not([data-pc-popover] details) > summary";
  var OPEN_PANELS = ".pc-table details[open]:not([data-pc-popover]):not([data-pc-popover] details) > summary";
  document.addEventListener("htmx:before:swap", function () {
    openPanels = Array.from(document.querySelectorAll(OPEN_PANELS)).map(function (summary) {
      return summary.textContent.trim().split(/\s/)[0];
    });
  });
  document.addEventListener("htmx:after:swap", function () {
    document.querySelectorAll(PANELS).forEach(function (summary) {
      if (openPanels.indexOf(summary.textContent.trim().split(/\s/)[0]) !== -1) summary.parentElement.open = true;
    });
    openPanels = [];
  });

  // Selection: a click ticks one row, a shift-click the range from the last ticked row, the header
  // box the whole page. Each change is posted at once (ids only for what changed) and the server
  // answers with the selection bar; the browser never holds the selection itself.
  var lastRow = null;
  function postSelection(table, ids, selected) {
    if (!window.htmx || ids.length === 0) return;
    htmx.ajax("POST", table.getAttribute("data-pc-selection-url"), {
      target: "#pc-selection-bar",
      swap: "outerHTML",
      values: { op: "rows", ids: ids.join(","), selected: selected ? "1" : "0", matching: matchingLabel() },
    });
  }
  function matchingLabel() {
    var bar = document.getElementById("pc-selection-bar");
    return bar ? bar.getAttribute("data-pc-matching") || "" : "";
  }
  function syncPageBox(table) {
    var boxes = Array.from(table.querySelectorAll(".pc-select-row"));
    var page = table.querySelector(".pc-select-page");
    if (!page) return;
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    page.checked = boxes.length > 0 && ticked === boxes.length;
    page.indeterminate = ticked > 0 && ticked < boxes.length;
    boxes.forEach(function (box) { box.closest("tr").classList.toggle("bg-primary/5", box.checked); });
  }
  document.addEventListener("click", function (event) {
    var box = event.target;
    if (!box.classList) return;
    var table = box.closest && box.closest(".pc-table");
    if (!table) return;
    if (box.classList.contains("pc-select-row")) {
      var boxes = Array.from(table.querySelectorAll(".pc-select-row"));
      var changed = [box];
      // The anchor is found again by its record: the table may have been redrawn since it was clicked.
      var from = boxes.findIndex(function (other) { return other.value === lastRow; });
      if (event.shiftKey && lastRow !== null && from !== -1) {
        var to = boxes.indexOf(box);
        changed = boxes.slice(Math.min(from, to), Math.max(from, to) + 1);
        changed.forEach(function (other) { other.checked = box.checked; });
      }
      lastRow = box.value;
      postSelection(table, changed.map(function (other) { return other.value; }), box.checked);
      syncPageBox(table);
    } else if (box.classList.contains("pc-select-page")) {
      var rows = Array.from(table.querySelectorAll(".pc-select-row"));
      rows.forEach(function (other) { other.checked = box.checked; });
      postSelection(table, rows.map(function (other) { return other.value; }), box.checked);
      syncPageBox(table);
    }
  });
  // "Select all matching" and "Clear" change rows beyond the page: redraw the table.
  document.addEventListener("pc:selection", function () {
    var table = document.querySelector(".pc-table");
    if (table && window.htmx) htmx.trigger(table, "pc-refresh");
  });

  // Bulk edit: a field's input is enabled only while its "Change" box is ticked.
  function syncBulkField(toggle) {
    var field = toggle.closest(".pc-bulk-field");
    if (!field) return;
    field.querySelectorAll(".pc-bulk-input input, .pc-bulk-input select, .pc-bulk-input textarea").forEach(function (input) {
      input.disabled = !toggle.checked;
    });
    field.classList.toggle("opacity-60", !toggle.checked);
  }
  document.addEventListener("change", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-pc-bulk-toggle")) {
      syncBulkField(event.target);
      if (event.target.checked) {
        var first = event.target.closest(".pc-bulk-field").querySelector(".pc-bulk-input select, .pc-bulk-input input:not([type=hidden]):not([type=radio]), .pc-bulk-input textarea");
        if (first) first.focus();
      }
    }
  });
  function syncBulkFields() {
    document.querySelectorAll("[data-pc-bulk-toggle]").forEach(syncBulkField);
  }
  document.addEventListener("htmx:after:swap", syncBulkFields);
  document.addEventListener("DOMContentLoaded", syncBulkFields);

  // Escape closes an open filter or column panel and returns focus to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    var panel = event.target.closest && event.target.closest(".pc-table details[open]");
    if (!panel) return;
    // One Escape closes one panel: a menu inside a popover (a saved view's ⋯) leaves the popover open.
    event.preventDefault();
    panel.open = false;
    panel.querySelector("summary").focus();
  });

  // Sorting and paging replace the table. htmx refocuses the control with the same id (sort headers
  // and pagination links have stable ones); when that control is gone or disabled (Next on the last
  // page), focus goes to the current page's marker rather than falling to <body>.
  var swappedFocusId = null;
  document.addEventListener("htmx:before:swap", function () {
    var active = document.activeElement;
    swappedFocusId = active && active.id && active.closest && active.closest(".pc-table") ? active.id : null;
  });
  document.addEventListener("htmx:after:settle", function (event) {
    if (!swappedFocusId || !event.target.classList || !event.target.classList.contains("pc-table")) return;
    var lost = !document.activeElement || document.activeElement === document.body;
    var wasPaging = swappedFocusId.indexOf("pc-page-") === 0;
    swappedFocusId = null;
    if (!lost || !wasPaging) return;
    var current = event.target.querySelector("[data-pc-pagination] [aria-current=page]");
    if (current) current.focus();
  });

  // Popovers (a <details data-pc-popover>, e.g. the column chooser) act like a dropdown: a click
  // outside, focus moving out, or Escape closes them, Escape returning focus to their button.
  function openPopovers() {
    return Array.from(document.querySelectorAll("details[data-pc-popover][open]"));
  }
  document.addEventListener("click", function (event) {
    openPopovers().forEach(function (panel) { if (!panel.contains(event.target)) panel.open = false; });
  });
  document.addEventListener("focusout", function (event) {
    var panel = event.target.closest && event.target.closest("details[data-pc-popover][open]");
    if (panel && event.relatedTarget && !panel.contains(event.relatedTarget)) panel.open = false;
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    openPopovers().forEach(function (panel) {
      panel.open = false;
      panel.querySelector("summary").focus();
    });
  });

  // The Export menu's "Selected (N)": the selection bar is swapped alone as rows are ticked, so the
  // menu reads the bar's count when it opens (disabled with nothing selected).
  document.addEventListener("toggle", function (event) {
    var panel = event.target;
    if (panel.id !== "pc-export" || !panel.open) return;
    var option = panel.querySelector("[data-pc-export-selection]");
    var bar = document.getElementById("pc-selection-bar");
    if (!option || !bar) return;
    var size = bar.getAttribute("data-pc-selection-size");
    option.disabled = size === "0";
    if (option.disabled && option.checked) panel.querySelector('input[name="scope"][value="list"]').checked = true;
    panel.querySelector("[data-pc-export-selected-count]").textContent = size === "" ? "…" : Number(size).toLocaleString("en");
  }, true);

  // The export form downloads a file and leaves the page as it was: its popover closes once it posted.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form[data-pc-export]");
    if (!form) return;
    setTimeout(function () { form.closest("details").open = false; }, 0);
  });

  // The column chooser: with no column ticked, "Show columns" is disabled and its message says why
  // (the server refuses such a choice too, with the same message).
  function syncColumnChooser() {
    var panel = document.getElementById("pc-columns");
    if (!panel) return;
    var none = !panel.querySelector('input[name="columns"]:checked');
    var show = panel.querySelector("[data-pc-columns-show]");
    var message = document.getElementById("pc-columns-error");
    if (show) show.disabled = none;
    if (message) message.hidden = !none;
  }
  document.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest("#pc-columns")) syncColumnChooser();
  });
  document.addEventListener("DOMContentLoaded", syncColumnChooser);

  // After the chooser's own answer, focus goes to its button (saved: the panel is closed) or to its
  // first box (refused: the panel stays open with the message).
  var chooserSubmitted = false;
  document.addEventListener("htmx:config:request", function (event) {
    var source = event.detail && event.detail.ctx && event.detail.ctx.sourceElement;
    if (source && source.closest && source.closest("#pc-columns")) chooserSubmitted = true;
  });
  document.addEventListener("htmx:after:settle", function (event) {
    if (!event.target.classList || !event.target.classList.contains("pc-table")) return;
    syncColumnChooser();
    if (!chooserSubmitted) return;
    chooserSubmitted = false;
    var panel = document.getElementById("pc-columns");
    if (!panel) return;
    (panel.open ? panel.querySelector('input[name="columns"]') : panel.querySelector("summary")).focus();
  });

  // Inline row editing. "Quick edit" swaps the row for one whose cells hold inputs; in it Enter saves
  // (Ctrl or Cmd+Enter in a multi-line field) and Escape cancels. When a row comes back from the
  // server, focus goes to its first input (or the first with a message), or, for a saved or cancelled
  // row, back to its Quick edit button; a saved row's message is read out in the toast region.
  function inlineRowOf(element) {
    return element && element.closest ? element.closest("tr[data-pc-inline-row]") : null;
  }
  document.addEventListener("keydown", function (event) {
    var row = inlineRowOf(event.target);
    if (!row || event.defaultPrevented) return;
    if (event.key === "Escape") {
      event.preventDefault();
      var cancel = row.querySelector("[data-pc-inline-cancel]");
      if (cancel) cancel.click();
    } else if (event.key === "Enter" && !event.shiftKey && !event.altKey) {
      var field = event.target;
      var formId = row.getAttribute("data-pc-inline-row");
      // Only the row's own inputs: not its search boxes, buttons or selection checkbox.
      if (field.getAttribute("form") !== formId || field.type === "hidden") return;
      if (field.tagName === "TEXTAREA" && !(event.ctrlKey || event.metaKey)) return;
      event.preventDefault();
      var form = document.getElementById(formId);
      if (form && form.requestSubmit) form.requestSubmit();
    }
  });
  document.addEventListener("htmx:after:process", function (event) {
    var row = event.target;
    if (!row.matches || !row.matches("tr[data-pc-row]")) return;
    var lost = !document.activeElement || document.activeElement === document.body;
    var formId = row.getAttribute("data-pc-inline-row");
    if (formId) {
      var first = row.querySelector('[aria-invalid="true"]') || row.querySelector('[form="' + CSS.escape(formId) + '"]:not([type=hidden]):not([disabled])');
      if (first) {
        first.focus();
        // Typing carries on after the value rather than before it.
        try { first.setSelectionRange(first.value.length, first.value.length); } catch (e) { /* not a text field */ }
      }
    } else if (lost) {
      var key = "inline-" + row.getAttribute("data-pc-row");
      var trigger = row.querySelector('[data-pc-focus-key="' + CSS.escape(key) + '"]') || row.querySelector("a[href], button:not([disabled])");
      if (trigger) trigger.focus();
    }
    var saved = row.getAttribute("data-pc-saved");
    if (saved) {
      row.removeAttribute("data-pc-saved");
      toast(saved, "success");
    }
    markClipped(row);
  });
  // A refusal of an inline request other than field messages (403, 404, 409, an expired form) has
  // no place in a table row: it opens in the modal, and closing that returns focus where it was.
  document.addEventListener("htmx:after:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var source = ctx && ctx.sourceElement;
    var status = ctx && ctx.response ? ctx.response.status : 0;
    if (status < 400 || status === 422 || !source || !source.closest) return;
    if (!(inlineRowOf(source) || source.closest('[data-pc-focus-key^="inline-"]'))) return;
    var content = document.getElementById("pc-modal-content");
    if (!content) return;
    ctx.target = content;
    ctx.swap = "innerHTML";
    opener = inlineRowOf(document.activeElement) ? document.activeElement : source;
    openerKey = null;
  });

  // Cell text cut off by its column's width becomes focusable, so focus unfolds it as hover shows it.
  function markClipped(root) {
    if (!root || !root.querySelectorAll) return;
    root.querySelectorAll(".pc-clip:not([tabindex])").forEach(function (cell) {
      if (cell.closest("a") || cell.scrollWidth <= cell.clientWidth) return;
      cell.setAttribute("tabindex", "0");
      if (!cell.title) cell.title = cell.textContent.trim();
    });
  }
  document.addEventListener("htmx:after:settle", function (event) { markClipped(event.target); });
  document.addEventListener("DOMContentLoaded", function () { markClipped(document.querySelector(".pc-table")); });

  // Loading: a request still waiting after 200 ms marks the region it will replace as busy and shows a
  // bar along the top of the page; a quicker one shows nothing. Background polls show nothing either.
  var pending = new Map();
  function loadingBar() {
    var bar = document.getElementById("pc-loading");
    if (!bar) {
      bar = document.createElement("div");
      bar.id = "pc-loading";
      bar.hidden = true;
      bar.setAttribute("aria-hidden", "true");
      document.body.appendChild(bar);
    }
    return bar;
  }
  function syncLoadingBar() {
    var busy = false;
    pending.forEach(function (entry) { if (entry.shown) busy = true; });
    loadingBar().hidden = !busy;
  }
  document.addEventListener("htmx:before:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var source = event.target;
    if (!ctx || pending.has(ctx) || (source && source.hasAttribute && source.hasAttribute("data-pc-poll"))) return;
    var target = ctx.target && ctx.target.nodeType === 1 ? ctx.target : null;
    var entry = { shown: false, target: target };
    entry.timer = setTimeout(function () {
      entry.shown = true;
      if (target && target.isConnected) {
        target.classList.add("pc-busy");
        target.setAttribute("aria-busy", "true");
      }
      syncLoadingBar();
    }, 200);
    pending.set(ctx, entry);
  });
  function loaded(event) {
    var ctx = event.detail && event.detail.ctx;
    var entry = ctx && pending.get(ctx);
    if (!entry) return;
    clearTimeout(entry.timer);
    pending.delete(ctx);
    if (entry.target) {
      entry.target.classList.remove("pc-busy");
      entry.target.removeAttribute("aria-busy");
    }
    syncLoadingBar();
  }
  // The swap may detach the element that made the request, and its later events never reach the
  // document: the request counts as done once its answer is about to be swapped in.
  ["htmx:before:swap", "htmx:finally:request", "htmx:error"].forEach(function (name) {
    document.addEventListener(name, loaded);
  });

  // Server errors that have no place in the page (5xx, network failures) become a toast.
  document.addEventListener("htmx:error", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var status = ctx && ctx.response ? ctx.response.status : 0;
    if (status >= 400 && status < 500) return;
    toast(status ? "The server could not complete that request (" + status + "). Try again." : "The server could not be reached. Check your connection and try again.", "error");
  });

  // Full class names, never built by concatenation: Tailwind finds only the names it sees whole.
  var toastClasses = {
    success: "alert alert-success shadow",
    info: "alert alert-info shadow",
    warning: "alert alert-warning shadow",
    error: "alert alert-error shadow",
  };

  function toast(message, kind) {
    var region = document.getElementById("pc-toasts");
    if (!region) return;
    var alert = document.createElement("div");
    alert.className = toastClasses[kind] || toastClasses.info;
    alert.setAttribute("role", kind === "error" ? "alert" : "status");
    var text = document.createElement("span");
    text.textContent = message;
    alert.appendChild(text);
    region.appendChild(alert);
    setTimeout(function () { alert.remove(); }, kind === "error" ? 10000 : 5000);
    return alert;
  }

  // A background task followed on this page ended: say so, link to it, and redraw the list it changed.
  // The live stream and the modal's progress poll may both report the same end: one toast per task.
  var finishedTasks = {};
  document.addEventListener("pc:task-finished", function (event) {
    var detail = event.detail || {};
    if (detail.id !== undefined) {
      if (finishedTasks[detail.id]) return;
      finishedTasks[detail.id] = true;
    }
    var alert = toast(detail.message || "A bulk task ended.", detail.kind || "info");
    if (alert && detail.href) {
      var link = document.createElement("a");
      link.href = detail.href;
      link.className = "link font-semibold";
      link.textContent = "Open task";
      alert.appendChild(link);
    }
    var table = document.querySelector(".pc-table");
    if (table && window.htmx) htmx.trigger(table, "pc-refresh");
  });
  window.powercrud = { toast: toast };
  // After a saved-views form's answer, focus goes back to the Views button (done: the menu is
  // closed) or to the name box the message is about (refused: the menu comes back open).
  var viewsSubmitted = false;
  document.addEventListener("htmx:config:request", function (event) {
    var source = event.detail && event.detail.ctx && event.detail.ctx.sourceElement;
    if (source && source.closest && source.closest("#pc-views")) viewsSubmitted = true;
  });
  document.addEventListener("htmx:after:settle", function (event) {
    if (!viewsSubmitted || !event.target.classList || !event.target.classList.contains("pc-table")) return;
    viewsSubmitted = false;
    var menu = document.getElementById("pc-views");
    if (!menu) return;
    if (menu.open) return (menu.querySelector("[aria-invalid=true]") || menu.querySelector("summary")).focus();
    // Done: the morph kept what was typed; the forms start empty again.
    menu.querySelectorAll("form").forEach(function (form) { form.reset(); });
    menu.querySelector("summary").focus();
  });
  // A server answer that only has something to say (saved views): a toast.
  document.addEventListener("pc:toast", function (event) {
    var detail = event.detail || {};
    if (detail.message) toast(detail.message, detail.kind || "success");
  });

  // Filters apply as soon as they change; typing in the search box applies after a short pause.
  var searchTimer = null;
  function submitFilters(form) {
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    var form = target.closest && target.closest("form.pc-filters, form.pc-autosubmit");
    if (!form || target.hasAttribute("data-pc-search") || target.hasAttribute("data-pc-choice-search")) return;
    if (!syncDateFilter(target)) return;
    submitFilters(form);
  });
  // A date filter's period: "Custom range" shows the range and waits for a date; a preset hides and
  // empties it; a date typed into the range makes the period "Custom range". Returns whether to apply.
  function syncDateFilter(target) {
    var fieldset = target.closest("fieldset");
    var preset = fieldset && fieldset.querySelector("[data-pc-date-preset]");
    var range = fieldset && fieldset.querySelector(".pc-date-range");
    if (!preset || !range) return true;
    if (target === preset) {
      if (preset.value === "custom") {
        range.removeAttribute("data-pc-off");
        range.querySelector("input").focus();
        return false;
      }
      range.setAttribute("data-pc-off", "");
      range.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    } else if (range.contains(target)) {
      preset.value = "custom";
    }
    return true;
  }
  document.addEventListener("input", function (event) {
    if (!event.target.hasAttribute || !event.target.hasAttribute("data-pc-search")) return;
    var form = event.target.form;
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { submitFilters(form); }, 350);
  });

  // Theme switch: light/dark, remembered in localStorage (theme.js applies it before first paint).
  function currentTheme() {
    return document.documentElement.getAttribute("data-theme") === "dark" ? "dark" : "light";
  }

  function syncThemeToggles() {
    var dark = currentTheme() === "dark";
    document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
      button.setAttribute("aria-pressed", dark ? "true" : "false");
      button.setAttribute("aria-label", dark ? "Switch to light theme" : "Switch to dark theme");
      button.title = button.getAttribute("aria-label");
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-theme-toggle]");
    if (!button) return;
    var next = currentTheme() === "dark" ? "light" : "dark";
    document.documentElement.setAttribute("data-theme", next);
    try { localStorage.setItem("powercrud-theme", next); } catch (e) { /* storage may be blocked */ }
    syncThemeToggles();
  });

  document.addEventListener("DOMContentLoaded", syncThemeToggles);
})();

// Comboboxes (relation filters and the form's searched relation fields, combobox.njk): type to search
// the related records on the server, pick with the arrow keys and Enter or a click; the chosen records
// show as chips, each removable (Backspace in the empty box removes the last). The chosen values live
// in the widget's <select>, which the form sends; the chips and the list are drawn by the server too,
// so a morphing swap keeps them. A single box (a foreign key) holds one choice: picking replaces it.
// A dependent field's box sends its parents' values with each search (data-pc-include, data-pc-vals).
// ARIA: the box is a combobox controlling a listbox, the highlighted option is its
// aria-activedescendant, and a live region says how many records match.
(function () {
  "use strict";

  var states = new WeakMap();

  function stateOf(box) {
    var state = states.get(box);
    if (!state) {
      state = { page: 0, more: false, timer: null, controller: null, query: null };
      states.set(box, state);
    }
    return state;
  }

  function partsOf(box) {
    return {
      input: box.querySelector("[data-pc-choice-search]"),
      listbox: box.querySelector('[role="listbox"]'),
      chips: box.querySelector("[data-pc-chips]"),
      status: box.querySelector("[data-pc-choice-status]"),
      loading: box.querySelector("[data-pc-choice-loading]"),
      empty: box.querySelector("[data-pc-choice-empty]"),
      select: box.querySelector("select"),
    };
  }

  function boxOf(element) {
    return element && element.closest ? element.closest("[data-pc-combobox]") : null;
  }

  function options(box) {
    return Array.from(partsOf(box).listbox.querySelectorAll('[role="option"]'));
  }

  // The chosen options, without a single select's "— none —".
  function chosenOptions(box) {
    return Array.from(partsOf(box).select.selectedOptions).filter(function (option) { return option.value !== ""; });
  }

  function chosen(box) {
    return chosenOptions(box).map(function (option) { return option.value; });
  }

  function single(box) {
    return box.hasAttribute("data-pc-single");
  }

  function isOpen(box) {
    return !partsOf(box).listbox.hidden;
  }

  function open(box) {
    var parts = partsOf(box);
    parts.listbox.hidden = false;
    parts.input.setAttribute("aria-expanded", "true");
  }

  function close(box) {
    var parts = partsOf(box);
    var state = stateOf(box);
    clearTimeout(state.timer);
    if (state.controller) state.controller.abort();
    state.controller = null;
    parts.listbox.hidden = true;
    parts.empty.hidden = true;
    busy(box, false);
    parts.status.textContent = "";
    parts.input.setAttribute("aria-expanded", "false");
    parts.input.removeAttribute("aria-activedescendant");
    options(box).forEach(function (option) { option.removeAttribute("data-pc-active"); });
  }

  function activeIndex(box) {
    return options(box).findIndex(function (option) { return option.hasAttribute("data-pc-active"); });
  }

  function setActive(box, index) {
    var all = options(box);
    var input = partsOf(box).input;
    all.forEach(function (option, i) {
      if (i === index) option.setAttribute("data-pc-active", "");
      else option.removeAttribute("data-pc-active");
    });
    if (all[index]) {
      input.setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function markChosen(box) {
    var values = chosen(box);
    options(box).forEach(function (option) {
      option.setAttribute("aria-selected", values.indexOf(option.getAttribute("data-value")) !== -1 ? "true" : "false");
    });
  }

  // The chips, drawn from the select as the server draws them (same classes, written whole).
  function drawChips(box) {
    var parts = partsOf(box);
    var label = box.getAttribute("data-pc-label") || "";
    parts.chips.replaceChildren();
    chosenOptions(box).forEach(function (option) {
      var chip = document.createElement("li");
      chip.className = "badge badge-primary badge-soft h-auto gap-0.5 py-0.5 pr-0.5";
      chip.setAttribute("data-value", option.value);
      var text = document.createElement("span");
      text.textContent = option.text;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-ghost btn-circle btn-xs";
      remove.setAttribute("data-pc-chip-remove", "");
      remove.setAttribute("aria-label", "Remove " + option.text + " from " + label);
      remove.textContent = "✕";
      chip.append(text, remove);
      parts.chips.appendChild(chip);
    });
  }

  // A change of the chosen values: the chips follow, and the form hears a change (filters apply).
  function changed(box) {
    drawChips(box);
    markChosen(box);
    partsOf(box).select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function toggle(box, value, label) {
    var select = partsOf(box).select;
    var option = Array.from(select.options).find(function (candidate) { return candidate.value === value; });
    if (!option) {
      option = new Option(label, value);
      select.add(option);
      option.selected = true;
    } else {
      option.selected = single(box) || !option.selected;
    }
    // The search is done: empty the box for the next one.
    partsOf(box).input.value = "";
    close(box);
    changed(box);
  }

  function unchoose(box, value) {
    var option = Array.from(partsOf(box).select.options).find(function (candidate) { return candidate.value === value; });
    if (!option || !option.selected) return;
    option.selected = false;
    changed(box);
  }

  function busy(box, on) {
    var parts = partsOf(box);
    if (on) parts.listbox.setAttribute("aria-busy", "true");
    else parts.listbox.removeAttribute("aria-busy");
    parts.loading.hidden = !on;
  }

  // A dependent field's choices follow its parents: their current values (inputs the form shows) and
  // fixed ones (JSON) go with every search.
  function addParents(box, url) {
    var include = box.getAttribute("data-pc-include");
    if (include) {
      document.querySelectorAll(include).forEach(function (input) {
        if (!input.name) return;
        var values = input.tagName === "SELECT" ? Array.from(input.selectedOptions).map(function (o) { return o.value; }) : [input.value];
        values.forEach(function (value) { url.searchParams.append(input.name, value); });
      });
    }
    var vals = box.getAttribute("data-pc-vals");
    if (vals) {
      var fixed = JSON.parse(vals);
      Object.keys(fixed).forEach(function (name) {
        [].concat(fixed[name]).forEach(function (value) { url.searchParams.append(name, value); });
      });
    }
  }

  // Loads one page of choices for the box's text; page 1 replaces the list, later pages extend it.
  function load(box, page, then) {
    var parts = partsOf(box);
    var state = stateOf(box);
    if (state.controller) state.controller.abort();
    var controller = new AbortController();
    state.controller = controller;
    var query = parts.input.value.trim();
    var url = new URL(box.getAttribute("data-pc-choices-url"), location.href);
    if (query) url.searchParams.set("q", query);
    url.searchParams.set("page", String(page));
    addParents(box, url);
    busy(box, true);
    fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin", signal: controller.signal })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) {
        if (state.controller !== controller) return;
        state.controller = null;
        var template = document.createElement("template");
        template.innerHTML = html;
        var list = template.content.querySelector("[data-pc-choices]");
        var status = template.content.querySelector("[data-pc-choices-status]");
        if (page === 1) parts.listbox.replaceChildren();
        Array.from(list ? list.querySelectorAll('[role="option"]') : []).forEach(function (item) {
          var option = document.createElement("li");
          option.setAttribute("role", "option");
          option.id = parts.listbox.id + "-" + parts.listbox.children.length;
          option.className = "cursor-pointer rounded-field px-2 py-1 text-sm hover:bg-base-200";
          option.setAttribute("data-value", item.getAttribute("data-value"));
          option.textContent = item.textContent;
          parts.listbox.appendChild(option);
        });
        state.page = page;
        state.more = Boolean(list && list.hasAttribute("data-pc-more"));
        state.query = query;
        parts.empty.hidden = parts.listbox.children.length > 0;
        markChosen(box);
        parts.status.textContent = status ? status.textContent.trim() : "";
        open(box);
        if (then) then();
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        parts.status.textContent = "The choices could not be loaded. Try again.";
      })
      .finally(function () {
        if (state.controller === null || state.controller === controller) busy(box, false);
      });
  }

  function move(box, step) {
    var state = stateOf(box);
    if (!isOpen(box) || state.query !== partsOf(box).input.value.trim()) return load(box, 1, function () { setActive(box, 0); });
    var count = options(box).length;
    var next = activeIndex(box) + step;
    if (next >= count && state.more && !state.controller) return load(box, state.page + 1, function () { setActive(box, count); });
    setActive(box, Math.max(0, Math.min(next, count - 1)));
  }

  document.addEventListener("keydown", function (event) {
    var box = boxOf(event.target);
    if (!box || !event.target.hasAttribute("data-pc-choice-search")) return;
    var input = event.target;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        move(box, 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        if (isOpen(box)) move(box, -1);
        break;
      case "Enter": {
        // Never submits the form: the box only searches.
        event.preventDefault();
        var active = options(box)[activeIndex(box)];
        if (isOpen(box) && active) toggle(box, active.getAttribute("data-value"), active.textContent);
        break;
      }
      case "Escape":
        // Closes the list first, then empties the box; only then does Escape close the panel.
        if (isOpen(box)) close(box);
        else if (input.value) input.value = "";
        else return;
        event.preventDefault();
        break;
      case "Backspace":
        if (input.value === "" && chosen(box).length) {
          event.preventDefault();
          unchoose(box, chosen(box)[chosen(box).length - 1]);
        }
        break;
      case "Tab":
        close(box);
        break;
    }
  }, true);

  document.addEventListener("input", function (event) {
    var box = boxOf(event.target);
    if (!box || !event.target.hasAttribute("data-pc-choice-search")) return;
    var state = stateOf(box);
    clearTimeout(state.timer);
    state.timer = setTimeout(function () { load(box, 1); }, 200);
  });

  // A click in the box opens the list; a click on an option picks it (mousedown keeps the focus in
  // the box); a chip's ✕ removes its record.
  document.addEventListener("mousedown", function (event) {
    var box = boxOf(event.target);
    if (box && event.target.closest('[role="listbox"]')) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var box = boxOf(event.target);
    if (!box) return;
    var option = event.target.closest('[role="option"]');
    var remove = event.target.closest("[data-pc-chip-remove]");
    var input = partsOf(box).input;
    if (option) {
      setActive(box, options(box).indexOf(option));
      toggle(box, option.getAttribute("data-value"), option.textContent);
      input.focus();
    } else if (remove) {
      unchoose(box, remove.closest("[data-value]").getAttribute("data-value"));
      input.focus();
    } else if (event.target === input && !isOpen(box)) {
      load(box, 1);
    }
  });

  // A dependent field's select reloaded its options (a parent changed): the chips follow it.
  document.addEventListener("htmx:after:swap", function (event) {
    var target = event.detail && event.detail.ctx && event.detail.ctx.target;
    var box = target && target.tagName === "SELECT" ? boxOf(target) : null;
    if (!box) return;
    drawChips(box);
    markChosen(box);
  });

  // Scrolling to the end of the list loads the next page.
  document.addEventListener("scroll", function (event) {
    var listbox = event.target;
    var box = listbox.getAttribute && listbox.getAttribute("role") === "listbox" ? boxOf(listbox) : null;
    if (!box) return;
    var state = stateOf(box);
    if (state.more && !state.controller && listbox.scrollTop + listbox.clientHeight >= listbox.scrollHeight - 24) load(box, state.page + 1);
  }, true);

  document.addEventListener("focusout", function (event) {
    var box = boxOf(event.target);
    if (box && !(event.relatedTarget && box.contains(event.relatedTarget))) close(box);
  });

  // "Add filter": shows the filter's fieldset in place, keeps it through redraws (its add=<name>
  // input), and focuses its first control. Without JavaScript the link reloads the list with it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-pc-add-filter]");
    var fieldset = link && document.getElementById("pc-filter-" + link.getAttribute("data-pc-add-filter"));
    if (!fieldset) return;
    event.preventDefault();
    fieldset.hidden = false;
    var marker = fieldset.querySelector('input[name="add"]');
    if (marker) marker.disabled = false;
    var menu = link.closest("details");
    link.closest("li").remove();
    if (menu) {
      menu.open = false;
      if (!menu.querySelector("[data-pc-add-filter]")) menu.hidden = true;
    }
    var first = Array.from(fieldset.querySelectorAll("input:not([type=hidden]), select")).find(function (control) {
      return control.getClientRects().length > 0;
    });
    if (first) first.focus();
  });
})();

// Live bulk tasks: ONE EventSource per page, to the status page's stream. Task pages and the task
// list always open it; other pages only while the navbar counts running tasks or the page follows a
// task (the bulk modal), so idle tabs hold no connection. Events replace the progress bars and rows
// they carry, keep the navbar count, and toast a finished task. While the stream is live the
// elements' own polling (data-pc-poll) is skipped; when it drops, polling carries on until
// EventSource reconnects, and the server's first events then restore the current state.
(function () {
  "use strict";

  var source = null;
  var sourceUrl = null;
  var live = false;
  var announced = {};
  var listRefresh = null;

  function following() {
    return document.querySelector('.pc-task-progress[data-status="PENDING"], .pc-task-progress[data-status="RUNNING"]');
  }

  function wantedUrl() {
    if (!window.EventSource) return null;
    var page = document.querySelector("[data-pc-live]");
    if (page) return page.getAttribute("data-pc-live");
    var indicator = document.getElementById("pc-task-indicator");
    if (!indicator) return null;
    var running = Number(indicator.getAttribute("data-pc-running") || "0");
    return running > 0 || following() ? indicator.getAttribute("data-pc-events") : null;
  }

  function syncStream() {
    var url = wantedUrl();
    if (url === sourceUrl) return;
    if (source) source.close();
    source = null;
    live = false;
    sourceUrl = url;
    if (!url) return;
    var opened = false;
    source = new EventSource(url);
    source.addEventListener("hello", function () {
      live = true;
      document.documentElement.setAttribute("data-pc-live-tasks", "");
      catchUp(opened);
      opened = true;
    });
    source.addEventListener("running", function (event) { showRunning(JSON.parse(event.data).count); });
    source.addEventListener("task", function (event) { onTask(JSON.parse(event.data)); });
    source.addEventListener("finished", function (event) {
      document.dispatchEvent(new CustomEvent("pc:task-finished", { detail: JSON.parse(event.data) }));
    });
    source.addEventListener("resync", function () { catchUp(true); });
    source.addEventListener("error", function () {
      live = false;
      document.documentElement.removeAttribute("data-pc-live-tasks");
    });
  }

  // What may have changed before the stream opened (or while it was down): progress bars still
  // shown as active are fetched once; the list is redrawn after a reconnect.
  function catchUp(reconnected) {
    if (!window.htmx) return;
    document.querySelectorAll('.pc-task-progress[data-pc-poll]').forEach(function (bar) {
      htmx.ajax("GET", bar.getAttribute("hx-get"), { target: "#" + bar.id, swap: "outerHTML" });
    });
    if (reconnected) refreshList(0);
  }

  // At most one redraw per `delay`: a running task sends an event per chunk, and a redraw that every
  // event postponed (a debounce) would wait until the task had ended.
  function refreshList(delay) {
    var table = document.getElementById("pc-task-table");
    if (!table || !window.htmx || listRefresh) return;
    listRefresh = setTimeout(function () {
      listRefresh = null;
      htmx.ajax("GET", location.pathname + location.search, { target: "#pc-task-table", swap: "outerHTML", headers: { "HX-Target": "div#pc-task-table" } });
    }, delay);
  }

  function onTask(data) {
    if (data.progress) {
      var bar = document.getElementById("pc-task-progress-" + data.id);
      if (bar) swapIn(bar, data.progress);
    }
    if (data.row) {
      var row = document.getElementById("pc-task-row-" + data.id);
      if (row) swapIn(row, data.row);
      else if (document.querySelector("#pc-task-table[data-pc-first-page]")) refreshList(300);
    }
    var detail = document.getElementById("pc-task-detail-" + data.id);
    if (detail && !data.active && window.htmx) {
      // htmx.ajax names <body> as the target in HX-Target; the server needs the real one to answer with the partial.
      htmx.ajax("GET", detail.getAttribute("data-pc-url"), { target: "#" + detail.id, swap: "outerHTML", headers: { "HX-Target": "div#" + detail.id } });
    }
    if (!data.active) syncStream();
  }

  // Replaces an element with the server's HTML, keeping keyboard focus on the same link or control.
  function swapIn(old, html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var next = template.content.firstElementChild;
    if (!next) return;
    var focused = old.contains(document.activeElement) ? document.activeElement : null;
    var focusKey = focused && (focused.id ? "#" + CSS.escape(focused.id) : focused.getAttribute("href") ? '[href="' + CSS.escape(focused.getAttribute("href")) + '"]' : null);
    old.replaceWith(next);
    if (window.htmx) htmx.process(next);
    if (focusKey) {
      var successor = next.querySelector(focusKey);
      if (successor) successor.focus();
    }
    announce(next);
  }

  function showRunning(count) {
    var indicator = document.getElementById("pc-task-indicator");
    if (!indicator) return;
    indicator.setAttribute("data-pc-running", String(count));
    indicator.classList.toggle("hidden", count === 0);
    indicator.setAttribute("aria-label", count + (count === 1 ? " bulk task running" : " bulk tasks running"));
    var badge = indicator.querySelector("[data-pc-running-count]");
    if (badge) badge.textContent = String(count);
    if (count === 0) syncStream();
  }

  // Milestones and the end are read out once each, through the announcer nearest the progress bar.
  function announce(element) {
    var bars = element.matches && element.matches(".pc-task-progress") ? [element] : Array.from(element.querySelectorAll ? element.querySelectorAll(".pc-task-progress") : []);
    bars.forEach(function (bar) {
      var text = bar.getAttribute("data-pc-announce") || "";
      var id = bar.getAttribute("data-pc-task");
      if (!text || announced[id] === text) return;
      announced[id] = text;
      var scope = bar.closest("dialog") || document;
      var region = scope.querySelector("[data-pc-announcer]");
      if (region) region.textContent = text;
    });
  }

  function remember() {
    document.querySelectorAll(".pc-task-progress").forEach(function (bar) {
      announced[bar.getAttribute("data-pc-task")] = bar.getAttribute("data-pc-announce") || "";
    });
  }

  // A poll is not needed while the stream is live: skip it (the stream sends what it would fetch).
  document.addEventListener("htmx:before:request", function (event) {
    var element = event.target;
    if (live && element && element.hasAttribute && element.hasAttribute("data-pc-poll")) event.preventDefault();
  });
  document.addEventListener("htmx:after:swap", function (event) {
    var target = event.detail && event.detail.ctx && event.detail.ctx.target;
    var swapped = target && target.id ? document.getElementById(target.id) : null;
    if (swapped) announce(swapped);
    document.querySelectorAll(".pc-task-progress").forEach(function (bar) { announce(bar); });
    syncStream();
  });
  document.addEventListener("DOMContentLoaded", function () {
    remember();
    syncStream();
  });
  window.addEventListener("pageshow", function (event) { if (event.persisted) syncStream(); });
  window.addEventListener("pagehide", function () {
    if (source) source.close();
    source = null;
    sourceUrl = null;
  });
})();
