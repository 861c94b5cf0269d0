// Run buttons for the Rust blocks that the snippet harness runs, backed by the local runner that
// `cargo xtask serve` starts (xtask/src/runner.rs). Which blocks run is the runner's answer, from
// the harness's own plan of the chapter: this script only finds the blocks and checks that each
// is the one the runner means (same text) before it offers a button.
//
// Served any other way (book/ opened from disk, or hosted), there is no runner.json or no runner
// behind it: the page then says once how to get one, and shows no buttons.
(function () {
  "use strict";

  const root = typeof path_to_root === "string" ? path_to_root : "";
  const codes = Array.from(document.querySelectorAll("main pre > code.language-rust"));
  const base = new URL(root, location.href).pathname;
  let page = decodeURIComponent(location.pathname.slice(base.length));
  if (page === "" || page.endsWith("/")) page += "index.html";
  // The print page holds every chapter: it is read, not run.
  if (codes.length === 0 || page === "print.html" || location.protocol === "file:") {
    if (codes.length > 0 && page !== "print.html") notice();
    return;
  }

  // Lines compared without their indentation and blank lines: mdBook keeps a hidden line's
  // indentation, the harness drops it.
  const normalize = (text) =>
    text
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "")
      .join("\n");

  function notice() {
    const main = document.querySelector("main");
    if (!main || document.querySelector(".runner-notice")) return;
    const note = document.createElement("p");
    note.className = "runner-notice";
    note.innerHTML =
      "The Rust blocks of this page get a <b>Run</b> button when the book is served by " +
      "<code>cargo xtask serve</code> (see the Introduction).";
    main.prepend(note);
  }

  // A "simple" request (POST, text/plain): the browser sends it without a preflight, with the
  // page's Origin, which the runner checks.
  const post = (url, body) =>
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
      body: JSON.stringify(body),
      cache: "no-store",
    });

  async function start() {
    let config;
    try {
      const answer = await fetch(root + "runner.json", { cache: "no-store" });
      if (!answer.ok) throw new Error("no runner.json");
      config = await answer.json();
      // `cargo xtask build` writes one without a port: a static book has no runner.
      if (!config.port) throw new Error("no runner");
    } catch (_) {
      notice();
      return;
    }
    const runner = "http://127.0.0.1:" + config.port;
    let plan;
    try {
      const answer = await post(runner + "/plan", { token: config.token, page });
      if (!answer.ok) throw new Error(await answer.text());
      plan = await answer.json();
    } catch (e) {
      console.warn("runner: " + e);
      notice();
      return;
    }
    if (plan.blocks.length !== codes.length) {
      mismatch("the page shows " + codes.length + " rust blocks, the harness plans " +
        plan.blocks.length);
      document.body.dataset.runner = "mismatch";
      return;
    }
    let buttons = 0;
    plan.blocks.forEach((block, i) => {
      if (normalize(codes[i].textContent) !== normalize(block.text)) {
        mismatch("rust block " + i + " is not the one the harness plans");
      } else if (block.kind === "run") {
        controls(codes[i], i, block.full, config, runner, plan.run_seconds);
        buttons += 1;
      }
    });
    document.body.dataset.runner = document.body.dataset.runnerMismatch ? "mismatch" : "ready";
    document.body.dataset.runButtons = String(buttons);
  }

  function mismatch(message) {
    console.warn("runner: " + message + "; no Run buttons for it");
    document.body.dataset.runnerMismatch = message;
  }

  function button(label, title) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "runner-button";
    b.textContent = label;
    b.title = title;
    return b;
  }

  function controls(code, index, full, config, runner, seconds) {
    const pre = code.parentElement;
    const bar = document.createElement("div");
    bar.className = "runner-bar";
    const run = button("Run", "Compile and run this block on your machine (limit " + seconds + " s)");
    const edit = button("Edit", "Edit this block, with the rest of its program, before running it");
    const reset = button("Reset", "Back to the block as the book shows it");
    reset.hidden = true;
    const output = document.createElement("pre");
    output.className = "runner-output";
    output.hidden = true;
    let editor = null;

    edit.addEventListener("click", () => {
      if (editor) return;
      editor = document.createElement("textarea");
      editor.className = "runner-editor";
      editor.spellcheck = false;
      // The whole program: a block that shows an excerpt of a file is edited in its file.
      editor.value = full;
      editor.rows = Math.min(40, editor.value.split("\n").length + 1);
      pre.after(editor);
      pre.hidden = true;
      edit.hidden = true;
      reset.hidden = false;
      editor.focus();
    });
    reset.addEventListener("click", () => {
      if (editor) editor.remove();
      editor = null;
      pre.hidden = false;
      edit.hidden = false;
      reset.hidden = true;
    });
    run.addEventListener("click", async () => {
      run.disabled = true;
      output.hidden = false;
      output.textContent = "";
      bar.dataset.state = "running";
      // Unedited, the runner builds the block exactly as the harness does; edited, from the
      // reader's text with the block's tags.
      const body = { token: config.token, page, block: index };
      if (editor) body.code = editor.value;
      try {
        const answer = await post(runner + "/run", body);
        const reader = answer.body.getReader();
        const decoder = new TextDecoder();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) {
            output.textContent += decoder.decode();
            break;
          }
          output.textContent += decoder.decode(value, { stream: true });
          output.scrollTop = output.scrollHeight;
        }
      } catch (e) {
        output.textContent += "[page] the runner did not answer: " + e + "\n";
      }
      bar.dataset.state = "done";
      run.disabled = false;
    });

    bar.append(run, edit, reset);
    pre.after(bar);
    bar.after(output);
  }

  start();
})();
