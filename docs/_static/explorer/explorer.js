// The explorer: any convolution layer (or a stack of them), its diagram, its arithmetic
// with the reader's numbers in it, and its code. Every number comes from arith.js,
// which the browser tests hold to convdocs' Python formulas.
//
// Each element with class "cd-explorer" becomes a widget; its data-state (a query
// string, see state.js) sets where it opens. With data-url-state="true" the page's
// address holds the state, so every view is a link and Back walks the reader's history.

import * as arith from "./arith.js";
import { cliCode, convdocsCode, kerasCode, pytorchCode } from "./code.js";
import { LIMITS, fromQuery, pairText, readPair, toQuery } from "./state.js";

const DIAGRAM_LIMIT = 64; // cells per side: beyond this a diagram is no longer readable
const CELL_PX = 26; // largest drawn cell
const STEP_MS = 700;
const FIELDS = [
  ["input", "Input size"],
  ["kernel", "Kernel size"],
  ["stride", "Stride"],
  ["dilation", "Dilation"],
];
const AXES = ["height", "width"];
let widgets = 0;

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children);
  return node;
};
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const times = ([h, w]) => `${h}×${w}`;

// --- controls ------------------------------------------------------------------------

function pairControl(id, name, label, [low, high], optional = false) {
  const inputs = AXES.map((axis) =>
    el("input", {
      id: `${id}-${name}-${axis}`,
      type: "number",
      inputmode: "numeric",
      min: low,
      max: high,
      step: 1,
      "data-name": name,
      "data-axis": axis,
      placeholder: optional ? "none" : null,
    }),
  );
  const field = el(
    "div",
    { class: "cd-field", "data-field": name },
    el("label", { for: inputs[0].id }, label),
    el("span", { class: "cd-pair" }, inputs[0], el("span", { class: "cd-x", "aria-hidden": "true" }, "×"), inputs[1]),
  );
  return field;
}

function buildControls(id) {
  const form = el("form", { class: "cd-controls", "aria-label": "Layer settings" });
  for (const [name, label] of FIELDS) form.append(pairControl(id, name, label, LIMITS[name]));
  const kind = el(
    "select",
    { id: `${id}-padding-kind`, "data-name": "padding-kind" },
    el("option", { value: "number" }, "number"),
    el("option", { value: "valid" }, '"valid" (no padding)'),
    el("option", { value: "same" }, '"same" (PyTorch)'),
    el("option", { value: "SAME" }, "SAME (TensorFlow)"),
  );
  const padding = pairControl(id, "padding", "Padding", LIMITS.padding);
  padding.querySelector("label").after(kind);
  kind.setAttribute("aria-label", "Padding kind");
  form.append(padding);
  form.append(
    el(
      "div",
      { class: "cd-field cd-check" },
      el("input", { id: `${id}-transposed`, type: "checkbox", "data-name": "transposed" }),
      el("label", { for: `${id}-transposed` }, "Transposed (ConvTranspose2d)"),
    ),
  );
  form.append(pairControl(id, "outputPadding", "output_padding", LIMITS.outputPadding));
  form.append(pairControl(id, "target", "Target output size", LIMITS.target, true));
  form.append(
    el(
      "div",
      { class: "cd-field cd-check" },
      el("input", { id: `${id}-square`, type: "checkbox", "data-name": "square" }),
      el("label", { for: `${id}-square` }, "Square (height = width)"),
    ),
  );
  form.append(el("p", { class: "cd-invalid", role: "status", "aria-live": "polite" }));
  return form;
}

function buildStackControls(id) {
  return el(
    "form",
    { class: "cd-controls cd-stack-controls", "aria-label": "Stack of layers" },
    el(
      "div",
      { class: "cd-field cd-wide" },
      el("label", { for: `${id}-layers` }, "Layers (the command line's grammar)"),
      el("input", { id: `${id}-layers`, type: "text", spellcheck: "false", autocomplete: "off", "data-name": "layers" }),
    ),
    el(
      "div",
      { class: "cd-field" },
      el("label", { for: `${id}-n` }, "Input size (N or HxW, optional)"),
      el("input", { id: `${id}-n`, type: "text", inputmode: "numeric", autocomplete: "off", "data-name": "n" }),
    ),
    el("p", { class: "cd-invalid", role: "status", "aria-live": "polite" }),
  );
}

// --- the widget ------------------------------------------------------------------------

class Explorer {
  constructor(root) {
    this.root = root;
    this.id = `cd-explorer-${++widgets}`;
    this.urlState = root.dataset.urlState === "true";
    this.models = (root.dataset.models || "").split(" ").filter(Boolean);
    const initial = fromQuery(root.dataset.state || "");
    const fromUrl = this.urlState && location.search ? fromQuery(location.search) : null;
    this.state = (fromUrl || initial).state;
    this.linkProblems = fromUrl ? fromUrl.problems : [];
    this.step = 0;
    this.timer = null;
    this.build();
    this.sync();
    this.render();
    if (this.urlState) {
      history.replaceState(null, "", this.link());
      window.addEventListener("popstate", () => {
        this.state = fromQuery(location.search).state;
        clearTimeout(this.urlTimer);
        this.editing = false;
        this.stop();
        this.sync();
        this.render();
      });
    }
  }

  build() {
    const id = this.id;
    const modes = el("fieldset", { class: "cd-modes" }, el("legend", { class: "cd-sr" }, "Explore"));
    for (const [value, label] of [["layer", "One layer"], ["stack", "A stack of layers"]]) {
      modes.append(
        el(
          "label",
          {},
          el("input", { type: "radio", name: `${id}-mode`, value, "data-name": "mode" }),
          ` ${label}`,
        ),
      );
    }
    this.controls = buildControls(id);
    this.stackControls = buildStackControls(id);
    this.error = el("div", { class: "cd-error", role: "alert" });
    this.figure = el("figure", { class: "cd-figure" });
    this.player = this.buildPlayer();
    this.live = el("p", { class: "cd-live", "aria-live": "polite" });
    this.arithmetic = el("section", { class: "cd-arithmetic", "aria-label": "Arithmetic" });
    this.code = el("section", { class: "cd-code", "aria-label": "Code for this layer" });
    this.stackOut = el("section", { class: "cd-stack", "aria-label": "Sizes and receptive fields" });
    const copyLink = el("button", { type: "button", class: "cd-button" }, "Copy link");
    copyLink.addEventListener("click", () => copy(new URL(this.link(), location.href).href, copyLink));
    this.openLink = el("a", { class: "cd-open" }, "Open in the explorer");
    this.notice = el("p", { class: "cd-notice" });
    const bar = el("div", { class: "cd-linkbar" }, copyLink, this.urlState ? "" : this.openLink);
    this.root.replaceChildren(
      modes,
      this.notice,
      this.controls,
      this.stackControls,
      this.error,
      this.figure,
      this.player,
      this.live,
      this.arithmetic,
      this.code,
      this.stackOut,
      bar,
    );
    this.root.addEventListener("input", (event) => this.onInput(event));
    // The input event already applied the value; a change only ends the edit.
    this.root.addEventListener("change", () => this.remember(true));
    for (const form of [this.controls, this.stackControls]) {
      form.addEventListener("submit", (event) => event.preventDefault());
    }
  }

  buildPlayer() {
    const button = (label, text, action) => {
      const b = el("button", { type: "button", class: "cd-button", title: label }, text);
      b.addEventListener("click", action);
      return b;
    };
    this.playButton = button("Play", "Play", () => (this.timer ? this.stop() : this.play()));
    this.stepText = el("span", { class: "cd-step" });
    return el(
      "div",
      { class: "cd-player", role: "group", "aria-label": "Walk the kernel over the output" },
      button("First output cell", "First", () => this.goTo(0)),
      button("Previous output cell", "Back", () => this.goTo(this.step - 1)),
      this.playButton,
      button("Next output cell", "Next", () => this.goTo(this.step + 1)),
      button("Last output cell", "Last", () => this.goTo(Infinity)),
      this.stepText,
    );
  }

  // Put the state into the controls.
  sync() {
    const st = this.state;
    const q = (selector) => this.root.querySelector(selector);
    for (const radio of this.root.querySelectorAll('[data-name="mode"]')) radio.checked = radio.value === st.mode;
    this.controls.hidden = st.mode !== "layer";
    this.stackControls.hidden = st.mode !== "stack";
    for (const [name] of [...FIELDS, ["padding"], ["outputPadding"], ["target"]]) {
      const value = name === "padding" && !Array.isArray(st.padding) ? null : st[name];
      AXES.forEach((axis, i) => {
        const input = q(`[data-name="${name}"][data-axis="${axis}"]`);
        input.value = value ? value[i] : "";
        input.removeAttribute("aria-invalid");
        input.hidden = axis === "width" && st.square;
        const label = this.controls.querySelector(`[data-field="${name}"] label`).textContent;
        input.setAttribute("aria-label", st.square ? label : `${label}, ${axis}`);
      });
      const field = q(`[data-field="${name}"]`);
      field.querySelector(".cd-x").hidden = st.square;
    }
    q('[data-name="padding-kind"]').value = Array.isArray(st.padding) ? "number" : st.padding;
    q('[data-field="padding"] .cd-pair').hidden = !Array.isArray(st.padding);
    q('[data-name="transposed"]').checked = st.transposed;
    q('[data-name="square"]').checked = st.square;
    q('[data-field="outputPadding"]').hidden = !st.transposed;
    q('[data-field="target"]').hidden = st.transposed;
    q('[data-name="layers"]').value = st.layers;
    q('[data-name="n"]').value = st.n === null ? "" : Array.isArray(st.n) ? pairText(st.n) : st.n;
    for (const form of [this.controls, this.stackControls]) form.querySelector(".cd-invalid").textContent = "";
  }

  onInput(event) {
    const target = event.target;
    const name = target.dataset.name;
    if (!name) return;
    const st = this.state;
    const invalid = target.closest("form")?.querySelector(".cd-invalid");
    if (name === "mode") st.mode = target.value;
    else if (name === "transposed") st.transposed = target.checked;
    else if (name === "square") {
      st.square = target.checked;
      if (st.square) this.squareUp();
    } else if (name === "padding-kind") {
      st.padding = target.value === "number" ? [0, 0] : target.value;
    } else if (name === "layers") st.layers = target.value.slice(0, 2000);
    else if (name === "n") {
      const text = target.value.trim();
      const value = text === "" ? null : readPair(text, LIMITS.input);
      if (text !== "" && !value) return this.refuse(target, invalid, `Input size: write N or HxW with values 1–${LIMITS.input[1]}, got "${text}".`);
      st.n = value && value[0] === value[1] ? value[0] : value;
    } else {
      const text = target.value.trim();
      const [low, high] = LIMITS[name];
      const value = Number(text);
      if (name === "target" && text === "") {
        st.target = null;
      } else if (!/^[0-9]+$/.test(text) || value < low || value > high) {
        const label = target.getAttribute("aria-label");
        return this.refuse(target, invalid, `${label}: a whole number from ${low} to ${high}, got "${text}".`);
      } else {
        const pair = st[name] && Array.isArray(st[name]) ? [...st[name]] : [value, value];
        pair[target.dataset.axis === "height" ? 0 : 1] = value;
        st[name] = st.square ? [value, value] : pair;
      }
    }
    target.removeAttribute("aria-invalid");
    if (invalid) invalid.textContent = "";
    this.stop();
    if (["mode", "square", "padding-kind", "transposed"].includes(name)) this.sync();
    this.render();
    this.remember(false);
  }

  refuse(target, invalid, message) {
    target.setAttribute("aria-invalid", "true");
    if (invalid) invalid.textContent = `${message} The last valid setting is shown.`;
  }

  squareUp() {
    for (const name of ["input", "kernel", "stride", "dilation", "outputPadding", "target", "padding"]) {
      const value = this.state[name];
      if (Array.isArray(value)) this.state[name] = [value[0], value[0]];
    }
  }

  link() {
    const query = toQuery(this.state);
    if (this.urlState) return `${location.pathname}?${query}${location.hash}`;
    return `${this.root.dataset.explorerPage}?${query}`;
  }

  // One history entry per change: an edit's first write adds an entry, the rest of the
  // edit updates it, and the edit ends when the control commits (a change event).
  // Writes during an edit wait for a pause in typing: browsers throttle history calls.
  remember(committed) {
    this.openLink.href = this.link();
    if (!this.urlState) return;
    clearTimeout(this.urlTimer);
    if (!committed) {
      this.urlTimer = setTimeout(() => this.writeUrl(true), 250);
      return;
    }
    this.writeUrl(false);
  }

  writeUrl(editing) {
    const href = this.link();
    if (href !== location.pathname + location.search + location.hash) {
      if (this.editing) history.replaceState(null, "", href);
      else history.pushState(null, "", href);
    }
    this.editing = editing;
  }

  // --- rendering ---

  render() {
    const st = this.state;
    // Read the width before writing to the page: a read after a write forces a layout.
    this.width = this.root.clientWidth || 600;
    this.openLink.href = this.link();
    this.notice.textContent = this.linkProblems.length
      ? `This link had settings the explorer cannot use, shown with defaults instead: ${this.linkProblems.join("; ")}.`
      : "";
    this.linkProblems = [];
    for (const part of [this.figure, this.player, this.live, this.arithmetic, this.code, this.error]) part.hidden = true;
    this.stackOut.hidden = st.mode !== "stack";
    if (st.mode === "stack") return this.renderStack();
    const settings = {
      input: st.input,
      kernel: st.kernel,
      stride: st.stride,
      padding: st.padding,
      dilation: st.dilation,
      transposed: st.transposed,
      outputPadding: st.transposed ? st.outputPadding : [0, 0],
      target: st.transposed ? null : st.target,
    };
    const result = arith.analyse(settings);
    this.result = result;
    if (!result.ok) return this.renderError(result);
    this.root.dataset.output = result.output.join("x");
    this.renderDiagram(result);
    this.renderArithmetic(result);
    this.renderCode(result);
  }

  renderError(result) {
    this.root.dataset.output = "error";
    const list = el("ul", { class: "cd-nearest" });
    for (const settings of result.nearest) {
      const b = el("button", { type: "button", class: "cd-button" }, describeChange(this.state, settings));
      b.addEventListener("click", () => {
        Object.assign(this.state, settings, { mode: "layer" });
        if (!this.state.transposed) this.state.outputPadding = [0, 0];
        const pairs = ["input", "kernel", "stride", "dilation", "outputPadding"].map((n) => this.state[n]);
        if (Array.isArray(this.state.padding)) pairs.push(this.state.padding);
        this.state.square = this.state.square && pairs.every(([h, w]) => h === w);
        this.sync();
        this.render();
        this.remember(true);
      });
      list.append(el("li", {}, b));
    }
    this.error.replaceChildren(
      el("p", {}, el("strong", {}, "PyTorch refuses this layer: "), el("code", {}, result.torch)),
      el("p", {}, result.message),
      result.nearest.length ? el("p", {}, "The nearest settings that work:") : "",
      list,
    );
    this.error.hidden = false;
  }

  renderDiagram(result) {
    const g = result.grid;
    const st = this.state;
    const [gh, gw] = g.shape;
    const [oh, ow] = result.output;
    this.figure.hidden = false;
    const what = st.transposed ? "zero-inserted, padded input" : "padded input";
    const summary =
      `Input ${times(st.input)}` +
      (st.transposed || g.pads.flat().some((v) => v) ? `, as a ${times(g.shape)} ${what}` : "") +
      `; a ${times(st.kernel)} kernel` +
      (st.dilation.some((v) => v > 1) ? ` with dilation ${pairText(st.dilation)}` : "") +
      (st.transposed ? ` slides with stride 1 (the stride became the inserted zeros)` : ` with stride ${pairText(st.stride)}`) +
      ` gives a ${times(result.output)} output.`;
    if (Math.max(gh, gw, oh, ow) > DIAGRAM_LIMIT) {
      this.diagram = null;
      this.figure.replaceChildren(
        el("p", { class: "cd-toolarge" }, `${summary} The diagram is drawn for grids up to ${DIAGRAM_LIMIT}×${DIAGRAM_LIMIT} cells; every number below is exact.`),
      );
      this.root.dataset.diagram = "none";
      return;
    }
    this.root.dataset.diagram = "svg";
    this.diagram = new Diagram(this, result, summary);
    this.figure.replaceChildren(this.diagram.svg, this.diagram.legend(), el("figcaption", {}, summary));
    this.player.hidden = false;
    this.live.hidden = false;
    this.step = Math.min(this.step, oh * ow - 1);
    this.showStep();
  }

  // --- the player ---
  goTo(step) {
    this.stop();
    const count = this.result.output[0] * this.result.output[1];
    this.step = Math.max(0, Math.min(step, count - 1));
    this.showStep();
  }

  showStep() {
    if (!this.diagram) return;
    const [, ow] = this.result.output;
    const count = this.result.output[0] * ow;
    const [row, col] = [Math.floor(this.step / ow), this.step % ow];
    this.diagram.showOutput(row, col);
    this.stepText.textContent = `Output cell (${row}, ${col}): step ${this.step + 1} of ${count}`;
  }

  play() {
    if (!this.diagram) return;
    this.playButton.textContent = "Pause";
    this.playButton.title = "Pause";
    const count = this.result.output[0] * this.result.output[1];
    this.timer = setInterval(() => {
      this.step = (this.step + 1) % count;
      this.showStep();
    }, STEP_MS);
  }

  stop() {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.playButton.textContent = "Play";
    this.playButton.title = "Play";
  }

  // --- the arithmetic, with the reader's numbers ---
  renderArithmetic(result) {
    const st = this.state;
    const blocks = [];
    const sameAxes = JSON.stringify(result.axes[0]) === JSON.stringify(result.axes[1]) && st.input[0] === st.input[1];
    const axes = sameAxes ? [0] : [0, 1];
    for (const axis of axes) {
      const a = result.axes[axis];
      const where = sameAxes ? "" : AXES[axis];
      const items = el("ul");
      for (const text of explainAxis(st, a, axis, sameAxes)) items.append(el("li", {}, ...text));
      blocks.push(
        el("h4", {}, sameAxes ? "Output size (both axes)" : `Output ${where}`),
        el("p", { class: "cd-formula" }, el("code", {}, `o = ${a.formula}`)),
        items,
      );
    }
    this.arithmetic.replaceChildren(el("h3", {}, "The arithmetic"), ...blocks);
    this.arithmetic.hidden = false;
  }

  renderCode(result) {
    const st = this.state;
    const blocks = [
      ["PyTorch", pytorchCode(st, result), "pytorch"],
      ["Keras", kerasCode(st, result), "keras"],
      ["convdocs", convdocsCode(st, result), "convdocs"],
    ];
    this.code.replaceChildren(el("h3", {}, "Code for this layer"), ...blocks.map(([title, text, kind]) => codeBlock(title, text, kind)));
    this.code.hidden = false;
  }

  // --- stack mode ---
  renderStack() {
    const st = this.state;
    const text = st.layers.trim();
    const word = text.toLowerCase();
    const parts = [];
    delete this.root.dataset.output;
    if (this.models.includes(word)) {
      this.root.dataset.output = "error";
      const size = st.n === null ? 224 : Array.isArray(st.n) ? st.n.join("x") : st.n;
      parts.push(
        el(
          "p",
          { class: "cd-error-text", role: "alert" },
          `${text} is a built-in model of convdocs; the browser reads layer strings only. Run it with the package: `,
          el("code", {}, `convdocs ${word} --input-size ${size}`),
          " (and ",
          el("code", {}, `convdocs sizes ${word} ${size}`),
          " for its input sizes).",
        ),
      );
      this.stackOut.replaceChildren(...parts);
      return;
    }
    let specs;
    let table;
    try {
      specs = arith.parseLayers(text);
      table = arith.stackTable(specs, st.n);
    } catch (error) {
      this.root.dataset.output = "error";
      this.stackOut.replaceChildren(el("p", { class: "cd-error-text", role: "alert" }, error.message), codeBlock("Command line", cliCode(text, st.n), "cli"));
      return;
    }
    const summary = el("table", { class: "cd-summary" });
    for (const [key, value] of table.summary) summary.append(el("tr", {}, el("th", { scope: "row" }, key), el("td", {}, value)));
    const layers = el("table", { class: "cd-layers" });
    layers.append(el("thead", {}, el("tr", {}, ...table.header.map((h) => el("th", { scope: "col" }, h)))));
    const body = el("tbody");
    for (const row of table.rows) body.append(el("tr", {}, ...row.map((cell) => el("td", {}, cell))));
    layers.append(body);
    const output = table.summary.find(([key]) => key === "output size");
    if (output) this.root.dataset.output = output[1];
    const accepted = arith.acceptedInputSizes(specs);
    parts.push(
      summary,
      el("div", { class: "cd-scroll", tabindex: "0", role: "region", "aria-label": "Layer table" }, layers),
      el("p", {}, acceptedText(accepted)),
      codeBlock("The same table from the command line", cliCode(text, st.n), "cli"),
    );
    this.stackOut.replaceChildren(...parts);
  }
}

function acceptedText(accepted) {
  const text = [`This stack accepts every input size from ${accepted.smallest} on`];
  if (accepted.period) {
    const offsets = accepted.offsets.slice(0, 6).join(", ");
    text.push(`; its floors drop no input exactly for the sizes ${offsets}${accepted.offsets.length > 6 ? ", …" : ""} modulo ${accepted.period}`);
  }
  return `${text.join("")}.`;
}

function describeChange(from, to) {
  const names = { input: "input", kernel: "kernel", stride: "stride", padding: "padding", dilation: "dilation", outputPadding: "output_padding", transposed: "transposed" };
  const changes = [];
  for (const [name, label] of Object.entries(names)) {
    if (!(name in to) || JSON.stringify(to[name]) === JSON.stringify(from[name])) continue;
    const value = to[name];
    changes.push(`${label} ${Array.isArray(value) ? pairText(value) : value}`);
  }
  return changes.length ? `Use ${changes.join(", ")}` : "Use these settings";
}

function explainAxis(st, a, axis, both) {
  const [i, s, d] = ["input", "stride", "dilation"].map((n) => st[n][axis]);
  const rows = both ? "rows and columns" : axis === 0 ? "rows" : "columns";
  const row = both ? "row and column" : axis === 0 ? "row" : "column";
  const out = [];
  const code = (text) => el("code", {}, text);
  if (st.transposed) {
    const op = st.outputPadding[axis];
    const [low, high] = a.colliding;
    out.push([
      `The Conv2d with the same settings maps input sizes ${low === high ? low : `${low} to ${high}`} to ${i}; `,
      ...(low === high ? ["only one size, so output_padding is not needed. "] : ["output_padding chooses among them: ", code(`output_padding=${op}`), ` gives ${a.output}. `]),
      a.output > high ? `(${a.output} is beyond them: PyTorch allows output_padding up to max(stride, dilation) − 1, and with dilation ${d} > stride ${s} the extra pixels are ones the Conv2d would not map back to ${i}.)` : "",
    ]);
    out.push([`The transposed convolution inserts ${s - 1} zeros between input pixels and pads the result by d·(k − 1) − p on each side (and output_padding more after), then runs a stride-1 convolution: the grid above.`]);
    return out;
  }
  const p = a.pads;
  const extra = (a.padded - a.span) % s;
  if (a.unread > 0) {
    out.push([`The floor drops ${extra} ${extra === 1 ? "pixel" : "pixels"} at the end: the last ${plural(a.unread, `input ${row} is`, `input ${rows} are`)} never read by any window.`]);
  } else if (extra > 0) {
    out.push([`The floor drops ${extra} ${extra === 1 ? "pixel" : "pixels"} at the end, all of them padding: every input ${row} is read.`]);
  } else {
    out.push([`The windows fit exactly: the floor drops nothing.`]);
  }
  const [low, high] = a.colliding;
  if (low < high) {
    out.push([
      `Input sizes ${low} to ${high} all give ${a.output} (the floor maps ${high - low + 1} sizes to one): a ConvTranspose2d with these settings cannot tell them apart, which is why it takes `,
      code("output_padding"),
      "; ",
      code(`output_padding=${i - low}`),
      ` gives back ${i}.`,
    ]);
  } else {
    out.push([`Only input size ${i} gives ${a.output}: a ConvTranspose2d with these settings gives ${i} back without output_padding.`]);
  }
  const pads = (pair) => (pair[0] === pair[1] ? code(`padding=${pair[0]}`) : code(`(before, after) = (${pair[0]}, ${pair[1]})`));
  if (a.keep.error) out.push([`No padding keeps ${i} at ${i}: ${a.keep.error}`]);
  else out.push([`To keep the size ${i}: `, pads(a.keep), a.keep[0] === a.keep[1] ? "." : " (asymmetric: PyTorch needs an explicit ZeroPad2d or F.pad first)."]);
  const ceil = Math.ceil(i / s);
  out.push([`TensorFlow's SAME pads (${a.tfSame[0]}, ${a.tfSame[1]}) here, for ⌈${i} / ${s}⌉ = ${ceil} outputs.`]);
  if (a.target) {
    const t = st.target[axis];
    if (a.target.error) out.push([`No padding gives ${t}: ${a.target.error}`]);
    else out.push([`To reach ${t}: `, pads(a.target), "."]);
  }
  if (p[0] !== p[1]) out.push([`This layer pads ${p[0]} before and ${p[1]} after.`]);
  return out;
}

function codeBlock(title, text, kind) {
  const pre = el("pre", { "data-code": kind }, el("code", {}, text));
  const button = el("button", { type: "button", class: "cd-button cd-copy", "aria-label": `Copy the ${title} code` }, "Copy");
  button.addEventListener("click", () => copy(text, button));
  return el("div", { class: "cd-codeblock" }, el("div", { class: "cd-codehead" }, el("span", {}, title), button), pre);
}

async function copy(text, button) {
  const done = (label) => {
    const before = button.textContent;
    button.textContent = label;
    setTimeout(() => (button.textContent = before), 1500);
  };
  try {
    await navigator.clipboard.writeText(text);
    done("Copied");
  } catch {
    done("Select and copy");
  }
}

// --- the diagram -----------------------------------------------------------------------

const SVG = "http://www.w3.org/2000/svg";
const ROLE_CLASS = { p: "cd-pad", i: "cd-in", z: "cd-zero" };

class Diagram {
  constructor(widget, result, summary) {
    this.widget = widget;
    this.result = result;
    this.grid = result.grid;
    const [gh, gw] = this.grid.shape;
    const [oh, ow] = result.output;
    const width = widget.width;
    const gap = 1.5;
    // Side by side when the cells stay readable, else the output under the input.
    const side = width / (gw + gap + ow) >= Math.min(14, width / Math.max(gw, ow));
    this.origin = side ? { gx: 0, gy: Math.max(0, (oh - gh) / 2), ox: gw + gap, oy: Math.max(0, (gh - oh) / 2) } : { gx: Math.max(0, (ow - gw) / 2), gy: 0, ox: Math.max(0, (gw - ow) / 2), oy: gh + gap };
    const vw = side ? gw + gap + ow : Math.max(gw, ow);
    const vh = side ? Math.max(gh, oh) : gh + gap + oh;
    const uid = widget.id;
    const parts = [];
    parts.push(`<title id="${uid}-title">${summary}</title>`);
    parts.push(`<defs><pattern id="${uid}-hatch" width="0.25" height="0.25" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="0.25" height="0.25" class="cd-zero-bg"/><line x1="0" y1="0" x2="0" y2="0.25" class="cd-hatch"/></pattern></defs>`);
    parts.push(`<g class="cd-grid" data-shape="${gh}x${gw}" transform="translate(${this.origin.gx} ${this.origin.gy})" tabindex="0" role="group" aria-label="Input grid, ${times(this.grid.shape)}: arrow keys choose a cell">`);
    parts.push(cellsPath(this.grid.roles, uid));
    parts.push(`</g><g class="cd-output" data-shape="${oh}x${ow}" transform="translate(${this.origin.ox} ${this.origin.oy})" tabindex="0" role="group" aria-label="Output, ${times(result.output)}: arrow keys choose a cell">`);
    parts.push(`<path class="cd-out" d="${rectsPath(oh, ow)}"/></g>`);
    parts.push(`<g class="cd-marks" pointer-events="none"></g>`);
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `-0.1 -0.1 ${vw + 0.2} ${vh + 0.2}`);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", `${uid}-title`);
    svg.setAttribute("class", "cd-diagram");
    svg.style.maxWidth = `${Math.round((vw + 0.2) * CELL_PX)}px`;
    svg.innerHTML = parts.join("");
    this.svg = svg;
    this.marks = svg.querySelector(".cd-marks");
    this.active = { out: [0, 0], grid: [0, 0] };
    svg.addEventListener("pointermove", (event) => this.onPointer(event));
    svg.addEventListener("pointerleave", () => widget.showStep());
    svg.addEventListener("click", (event) => this.onClick(event));
    for (const group of svg.querySelectorAll("g[tabindex]")) {
      group.addEventListener("keydown", (event) => this.onKey(event, group));
      group.addEventListener("focus", () => this.onFocus(group));
    }
  }

  legend() {
    const items = [["cd-in", "input"], ["cd-pad", "padding"], ["cd-out", "output"], ["cd-tap", "kernel taps"]];
    if (this.widget.state.transposed) items.splice(2, 0, ["cd-zero", "inserted zeros"]);
    return el("ul", { class: "cd-legend", "aria-hidden": "true" }, ...items.map(([cls, label]) => el("li", {}, el("span", { class: `cd-swatch ${cls}` }), label)));
  }

  cellAt(event) {
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(this.svg.getScreenCTM().inverse());
    const inside = (x0, y0, [h, w]) => {
      const r = Math.floor(point.y - y0);
      const c = Math.floor(point.x - x0);
      return r >= 0 && c >= 0 && r < h && c < w ? [r, c] : null;
    };
    const out = inside(this.origin.ox, this.origin.oy, this.result.output);
    if (out) return { kind: "out", cell: out };
    const grid = inside(this.origin.gx, this.origin.gy, this.grid.shape);
    return grid ? { kind: "grid", cell: grid } : null;
  }

  onPointer(event) {
    const hit = this.cellAt(event);
    if (!hit) return this.widget.showStep();
    if (hit.kind === "out") this.showOutput(...hit.cell);
    else this.showGrid(...hit.cell);
  }

  onClick(event) {
    const hit = this.cellAt(event);
    if (hit && hit.kind === "out") this.widget.goTo(hit.cell[0] * this.result.output[1] + hit.cell[1]);
  }

  onFocus(group) {
    if (group.classList.contains("cd-output")) this.showOutput(...this.active.out);
    else this.showGrid(...this.active.grid);
  }

  onKey(event, group) {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const isOut = group.classList.contains("cd-output");
    const [h, w] = isOut ? this.result.output : this.grid.shape;
    let [r, c] = isOut ? this.active.out : this.active.grid;
    if (event.key in moves) {
      r = Math.max(0, Math.min(h - 1, r + moves[event.key][0]));
      c = Math.max(0, Math.min(w - 1, c + moves[event.key][1]));
    } else if (event.key === "Home") [r, c] = [0, 0];
    else if (event.key === "End") [r, c] = [h - 1, w - 1];
    else return;
    event.preventDefault();
    if (isOut) this.widget.goTo(r * w + c);
    else this.showGrid(r, c);
  }

  showOutput(row, col) {
    this.active.out = [row, col];
    const taps = this.grid.taps(row, col);
    const [kh, kw] = this.grid.kernel;
    const [dh, dw] = this.grid.dilation;
    const [r0, c0] = taps[0];
    const { gx, gy, ox, oy } = this.origin;
    const marks = [
      `<rect class="cd-window" x="${gx + c0}" y="${gy + r0}" width="${dw * (kw - 1) + 1}" height="${dh * (kh - 1) + 1}"/>`,
      ...taps.map(([r, c]) => `<rect class="cd-tap" data-tap="${r},${c}" x="${gx + c + 0.18}" y="${gy + r + 0.18}" width="0.64" height="0.64"/>`),
      `<rect class="cd-current" data-out="${row},${col}" x="${ox + col}" y="${oy + row}" width="1" height="1"/>`,
    ];
    this.marks.innerHTML = marks.join("");
    const roles = taps.map(([r, c]) => this.grid.roles[r][c]);
    const padded = roles.filter((role) => role !== "i").length;
    const rows = [taps[0][0], taps[taps.length - 1][0]];
    const cols = [taps[0][1], taps[taps.length - 1][1]];
    const zeros = this.widget.state.transposed ? "padding or inserted zeros" : "padding";
    this.widget.live.textContent =
      `Output cell (${row}, ${col}) reads ${plural(taps.length, "grid cell", "grid cells")}: rows ${rows[0]} to ${rows[1]}, columns ${cols[0]} to ${cols[1]}` +
      (padded ? `; ${padded} of them ${zeros}.` : ", all of them input.");
  }

  showGrid(row, col) {
    this.active.grid = [row, col];
    const feeds = this.grid.feeds(row, col);
    const { gx, gy, ox, oy } = this.origin;
    const marks = [`<rect class="cd-current cd-source" data-grid="${row},${col}" x="${gx + col}" y="${gy + row}" width="1" height="1"/>`];
    for (const [r, c] of feeds) marks.push(`<rect class="cd-fed" data-fed="${r},${c}" x="${ox + c + 0.12}" y="${oy + r + 0.12}" width="0.76" height="0.76"/>`);
    this.marks.innerHTML = marks.join("");
    const role = { i: "input pixel", p: "padding", z: "an inserted zero" }[this.grid.roles[row][col]];
    this.widget.live.textContent = `Grid cell (${row}, ${col}), ${role}, feeds ${plural(feeds.length, "output cell", "output cells")}.`;
  }
}

// One path per role keeps the DOM small: a 64×64 grid is a handful of elements.
function cellsPath(roles, uid) {
  const paths = { p: [], i: [], z: [] };
  roles.forEach((line, r) => {
    for (let c = 0; c < line.length; c++) paths[line[c]].push(`M${c} ${r}h1v1h-1z`);
  });
  return Object.entries(paths)
    .filter(([, d]) => d.length)
    .map(([role, d]) => `<path class="${ROLE_CLASS[role]}" d="${d.join("")}"${role === "z" ? ` fill="url(#${uid}-hatch)"` : ""}/>`)
    .join("");
}

function rectsPath(h, w) {
  const d = [];
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) d.push(`M${c} ${r}h1v1h-1z`);
  return d.join("");
}

for (const root of document.querySelectorAll(".cd-explorer")) new Explorer(root);
