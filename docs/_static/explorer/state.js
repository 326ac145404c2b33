// The explorer's state and its text form, the query string of a link.
//
// One layer: i, k, s, p, d (each N or HxW), t=1 (transposed), op (output_padding),
// target, sq=0 (square lock off). A stack: mode=stack, layers, n. Anything a link
// holds that cannot be read is reported and replaced by the default, never trusted.

export const LIMITS = {
  input: [1, 100000],
  kernel: [1, 99],
  stride: [1, 99],
  dilation: [1, 99],
  padding: [0, 999],
  outputPadding: [0, 98],
  target: [1, 100000],
};
const PADDING_WORDS = ["valid", "same", "SAME"];
const KEYS = { input: "i", kernel: "k", stride: "s", dilation: "d", outputPadding: "op", target: "target" };
const MAX_LAYERS_TEXT = 2000;

function defaults() {
  return {
    mode: "layer",
    input: [7, 7],
    kernel: [3, 3],
    stride: [1, 1],
    padding: [0, 0],
    dilation: [1, 1],
    transposed: false,
    outputPadding: [0, 0],
    target: null,
    square: true,
    layers: "conv7s2p3,pool3s2p1,conv3p1,conv3p1",
    n: 224,
  };
}

// "7" -> [7, 7]; "7x9" -> [7, 9]; anything else (or out of range) -> null.
export function readPair(text, [low, high]) {
  const parts = String(text).trim().split("x");
  if (parts.length > 2 || parts.some((p) => !/^[0-9]{1,6}$/.test(p))) return null;
  const values = parts.map(Number);
  if (values.some((v) => v < low || v > high)) return null;
  return values.length === 1 ? [values[0], values[0]] : values;
}

export function pairText([h, w]) {
  return h === w ? String(h) : `${h}x${w}`;
}

// Read a query string into a state; `problems` lists the parameters that were ignored.
export function fromQuery(query) {
  const params = new URLSearchParams(query);
  const state = defaults();
  const problems = [];
  for (const [name, key] of Object.entries(KEYS)) {
    if (!params.has(key)) continue;
    const value = readPair(params.get(key), LIMITS[name]);
    if (value) state[name] = value;
    else problems.push(`${key}=${params.get(key)} (allowed: ${LIMITS[name].join("–")}, N or HxW)`);
  }
  if (params.has("p")) {
    const text = params.get("p");
    const value = PADDING_WORDS.includes(text) ? text : readPair(text, LIMITS.padding);
    if (value) state.padding = value;
    else problems.push(`p=${text} (allowed: 0–999, N or HxW, valid, same or SAME)`);
  }
  state.transposed = params.get("t") === "1";
  if (params.get("mode") === "stack") state.mode = "stack";
  if (params.has("layers")) state.layers = params.get("layers").slice(0, MAX_LAYERS_TEXT);
  if (params.has("n")) {
    const text = params.get("n");
    state.n = text === "" ? null : readPair(text, LIMITS.input);
    if (text !== "" && !state.n) problems.push(`n=${text} (allowed: 1–100000, N or HxW)`);
    else if (state.n && state.n[0] === state.n[1]) state.n = state.n[0];
  }
  const pairs = [state.input, state.kernel, state.stride, state.dilation, state.outputPadding];
  if (Array.isArray(state.padding)) pairs.push(state.padding);
  if (state.target) pairs.push(state.target);
  state.square = params.get("sq") !== "0" && pairs.every(([h, w]) => h === w);
  return { state, problems };
}

// The shortest query that gives `state` back: defaults are left out.
export function toQuery(state) {
  const base = defaults();
  const params = new URLSearchParams();
  if (state.mode === "stack") {
    params.set("mode", "stack");
    params.set("layers", state.layers);
    const n = Array.isArray(state.n) ? state.n : [state.n, state.n];
    params.set("n", state.n === null ? "" : pairText(n));
    return params.toString().replaceAll("%2C", ",");
  }
  params.set("i", pairText(state.input));
  params.set("k", pairText(state.kernel));
  for (const name of ["stride", "dilation"]) {
    if (pairText(state[name]) !== pairText(base[name])) params.set(KEYS[name], pairText(state[name]));
  }
  params.set("p", Array.isArray(state.padding) ? pairText(state.padding) : state.padding);
  if (state.transposed) {
    params.set("t", "1");
    if (pairText(state.outputPadding) !== "0") params.set("op", pairText(state.outputPadding));
  }
  if (state.target && !state.transposed) params.set("target", pairText(state.target));
  // Unequal values already mean "not square"; say it only when the values cannot.
  const pairs = [state.input, state.kernel, state.stride, state.dilation, state.outputPadding];
  if (Array.isArray(state.padding)) pairs.push(state.padding);
  if (!state.square && pairs.every(([h, w]) => h === w)) params.set("sq", "0");
  return params.toString();
}
