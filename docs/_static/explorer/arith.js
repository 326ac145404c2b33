// Convolution arithmetic for the explorer widget: a port of convdocs' size formulas,
// padding solvers, layer-string parser and receptive-field table.
// Pure functions, no DOM: tests/test_explorer_arith.py runs this very file in Chromium
// against vectors that tests/explorer_vectors.py builds from the Python package, so any
// message or number here must match Python's text exactly.

const span = (k, d) => d * (k - 1) + 1;
// Python's floor division and modulo (JS's % keeps the sign of the dividend).
const fdiv = (a, b) => Math.floor(a / b);
const fmod = (a, b) => ((a % b) + b) % b;
// Python's 2-D calls name the axis in their messages; 1-D calls do not.
const where = (axis) => (axis == null ? '' : ` along spatial dimension ${axis}`);
const fail = (msg) => { throw new RangeError(msg); };

export const effectiveKernelSize = span;

// --- per-axis formulas (convdocs.arithmetic, convdocs.solve) ----------------------------

export function convOutputSize(i, k, s, [b, a], d, ceilMode = false, axis = null) {
  const sp = span(k, d), padded = i + b + a;
  // In ceil_mode the last window may overhang the padded input by up to s - 1.
  const over = ceilMode ? s - 1 : 0;
  if (sp > padded + over) {
    const reach = over ? ` plus the ${over} pixels a ceil_mode window may overhang` : '';
    fail(`kernel_size ${k} with dilation ${d} spans ${sp} pixels${where(axis)}, more than the ` +
      `padded input of ${padded} (size ${i} + padding ${b} + ${a})${reach}; allowed: a span ` +
      `of at most ${padded + over}`);
  }
  let out = fdiv(padded - sp + over, s) + 1;
  // PyTorch drops a last window that would start inside the padding after the input.
  if (ceilMode && (out - 1) * s >= i + b) out -= 1;
  return out;
}

// PyTorch's rule for one axis: output_padding picks one of the max(stride, dilation)
// output sizes the same input maps to, so it is smaller.
function checkExtra(extra, s, d, axis = null) {
  const limit = Math.max(s, d);
  if (extra >= limit) {
    fail(`output_padding must be smaller than stride or dilation${where(axis)} ` +
      `(here max(stride, dilation) = ${limit}), got ${extra}`);
  }
}

export function convTransposeOutputSize(i, k, s, [b, a], extra, d, axis = null) {
  checkExtra(extra, s, d, axis);
  const full = (i - 1) * s + span(k, d) + extra, out = full - b - a;
  if (out < 1) {
    fail(`padding (${b}, ${a}) crops the whole output${where(axis)}: the uncropped ` +
      `transposed convolution is ${full} pixels; allowed: padding that totals at most ${full - 1}`);
  }
  return out;
}

// TensorFlow's SAME: output ceil(i / s), the odd pixel after.
export function samePadding(i, k, s, d) {
  const out = Math.ceil(i / s);
  const total = Math.max((out - 1) * s + span(k, d) - i, 0);
  return [fdiv(total, 2), total - fdiv(total, 2)];
}

// PyTorch's padding="same" (stride 1 only): total d(k - 1), the odd pixel after.
export function torchSamePadding(k, d) {
  const total = d * (k - 1);
  return [fdiv(total, 2), total - fdiv(total, 2)];
}

export function solvePadding(i, o, k, s, d) {
  const sp = span(k, d);
  const least = Math.max(0, (o - 1) * s + sp - i), most = o * s + sp - i - 1;
  if (most < least) {
    const fewest = convOutputSize(i, k, s, [0, 0], d);
    fail(`no padding maps input_size ${i} to output_size ${o} with kernel_size ${k}, stride ` +
      `${s}, dilation ${d}: padding only adds outputs; reachable output sizes are ${fewest} ` +
      `and up (${fewest} without padding)`);
  }
  // The symmetric total PyTorch can express when one exists, else the least.
  const even = least + (least % 2), total = even <= most ? even : least;
  return [fdiv(total, 2), total - fdiv(total, 2)];
}

export function collidingInputSizes(o, k, s, [b, a], d) {
  const low = (o - 1) * s + span(k, d) - b - a, high = low + s - 1;
  if (high < 1) {
    const least = convOutputSize(1, k, s, [b, a], d);
    fail(`no input size gives output_size ${o}: padding (${b}, ${a}) alone gives at least ` +
      `${least} outputs`);
  }
  return [Math.max(low, 1), high];
}

const attempt = (f) => { try { return f(); } catch (e) { return { error: e.message }; } };

// --- one layer in 2-D ---------------------------------------------------------------------

const TORCH = {
  sameStride: "padding='same' is not supported for strided convolutions",
  // ConvTranspose2d accepts a string padding and fails only when called:
  stringT: "conv_transpose2d(): argument 'padding' (position 5) must be tuple of ints, but " +
    'found element of type str at pos 0',
};
export const MESSAGES = {
  sameStride: "PyTorch's padding=\"same\" needs stride 1: with a larger stride the padding " +
    "that keeps ceil(i / s) outputs depends on the input size (TensorFlow's \"SAME\" " +
    'computes it per input size)',
  stringT: 'a transposed convolution (ConvTranspose2d) takes integer padding only: its ' +
    'padding crops the output instead of padding the input',
};

const pair = (v) => (Array.isArray(v) ? v : [v, v]);
const set = (arr, axis, value) => arr.map((v, j) => (j === axis ? value : v));

// Per axis (before, after) for every padding form, for a direct convolution.
function resolvePads(st) {
  const { padding: p } = st;
  return [0, 1].map((x) => {
    const k = st.kernel[x], d = st.dilation[x];
    if (p === 'valid') return [0, 0];
    if (p === 'same') return torchSamePadding(k, d);
    if (p === 'SAME') return samePadding(st.input[x], k, st.stride[x], d);
    return [p[x], p[x]];
  });
}

// The refusal, if any, in PyTorch's order: construction, then the call's checks.
function refusal(st) {
  const { input: I, kernel: K, stride: S, dilation: D } = st;
  const sp = [0, 1].map((x) => span(K[x], D[x]));
  if (!st.transposed) {
    if (st.padding === 'same' && (S[0] > 1 || S[1] > 1)) {
      return { torch: TORCH.sameStride, message: MESSAGES.sameStride, axis: S[0] > 1 ? 0 : 1 };
    }
    const pads = resolvePads(st), padded = [0, 1].map((x) => I[x] + pads[x][0] + pads[x][1]);
    const axis = [0, 1].find((x) => sp[x] > padded[x]);
    if (axis === undefined) return null;
    // PyTorch counts its symmetric padding twice and reports the dilated kernel.
    return {
      torch: `Calculated padded input size per channel: (${padded[0]} x ${padded[1]}). ` +
        `Kernel size: (${sp[0]} x ${sp[1]}). Kernel size can't be greater than actual input size`,
      message: attempt(() => convOutputSize(I[axis], K[axis], S[axis], pads[axis], D[axis],
        false, axis)).error,
      axis,
    };
  }
  if (typeof st.padding === 'string') {
    return { torch: TORCH.stringT, message: MESSAGES.stringT, axis: null };
  }
  const P = st.padding, A = st.outputPadding;
  // convdocs checks axis by axis (output_padding, then cropping); PyTorch checks
  // output_padding on both axes before it computes any size.
  let message = null, axis = null;
  for (const x of [0, 1]) {
    const e = attempt(() => convTransposeOutputSize(I[x], K[x], S[x], [P[x], P[x]], A[x],
      D[x], x)).error;
    if (e) { message = e; axis = x; break; }
  }
  if (message === null) return null;
  const torch = [0, 1].some((x) => A[x] >= Math.max(S[x], D[x]))
    ? 'output padding must be smaller than either stride or dilation, but got ' +
      `output_padding_height: ${A[0]} output_padding_width: ${A[1]} stride_height: ${S[0]} ` +
      `stride_width: ${S[1]} dilation_height: ${D[0]} dilation_width: ${D[1]}`
    : `Given input size per channel: (${I[0]} x ${I[1]}). Calculated output size per ` +
      `channel: (${[0, 1].map((x) => (I[x] - 1) * S[x] - 2 * P[x] + D[x] * (K[x] - 1) +
        A[x] + 1).join(' x ')}). Output size is too small`;
  return { torch, message, axis };
}

// Alternatives to a refused setting, each changing as few controls as possible: one
// where one suffices; else fix the first problem (a string padding on a transposed
// layer, then output_padding) and offer the fixes of what is left.
function nearest(st, depth = 0) {
  const alts = candidates(st), fine = alts.filter((alt) => !refusal(alt));
  if (fine.length || !alts.length || depth === 2) return fine.slice(0, 3);
  return nearest(alts[0], depth + 1);
}

function candidates(st) {
  const { input: I, kernel: K, stride: S, dilation: D } = st;
  const out = [];
  const bad = (f) => [0, 1].filter(f);
  if (!st.transposed && st.padding === 'same' && (S[0] > 1 || S[1] > 1)) {
    // The symmetric padding giving TensorFlow's ceil(i / s) outputs, then SAME, then stride 1.
    const sym = attempt(() => [0, 1].map((x) => solvePadding(I[x], Math.ceil(I[x] / S[x]), K[x],
      S[x], D[x])));
    if (!sym.error && sym.every(([b, a]) => b === a)) out.push({ ...st, padding: sym.map((p) => p[0]) });
    out.push({ ...st, padding: 'SAME' }, { ...st, stride: [1, 1] });
  } else if (!st.transposed) {
    const pads = resolvePads(st), padded = [0, 1].map((x) => I[x] + pads[x][0] + pads[x][1]);
    const sp = [0, 1].map((x) => span(K[x], D[x]));
    const axes = bad((x) => sp[x] > padded[x]);
    // The largest kernel that fits; the least padding that fits; then a smaller dilation
    // or, for a dense kernel, a larger input.
    out.push({ ...st, kernel: K.map((k, x) => (axes.includes(x) ? fdiv(padded[x] - 1, D[x]) + 1 : k)) });
    const ints = typeof st.padding === 'string' ? pads.map((p) => p[0]) : st.padding;
    out.push({ ...st, padding: ints.map((p, x) => (axes.includes(x)
      ? Math.max(p, Math.ceil((sp[x] - I[x]) / 2)) : p)) });
    if (axes.some((x) => D[x] > 1)) {
      out.push({ ...st, dilation: D.map((d, x) => (axes.includes(x) && K[x] > 1
        ? Math.max(1, Math.min(d, fdiv(padded[x] - 1, K[x] - 1))) : d)) });
    } else {
      out.push({ ...st, input: I.map((n, x) => (axes.includes(x) ? n + sp[x] - padded[x] : n)) });
    }
  } else if (typeof st.padding === 'string') {
    // Integers nearest the string's meaning; or the same string on a direct convolution.
    const ints = [0, 1].map((x) => (st.padding === 'valid' ? 0 : torchSamePadding(K[x], D[x])[0]));
    out.push({ ...st, padding: ints }, { ...st, transposed: false });
  } else {
    const A = st.outputPadding, P = st.padding;
    const opBad = bad((x) => A[x] >= Math.max(S[x], D[x]));
    if (opBad.length) {
      out.push({ ...st, outputPadding: A.map((a, x) => (opBad.includes(x) ? Math.max(S[x], D[x]) - 1 : a)) });
      out.push({ ...st, stride: S.map((s, x) => (opBad.includes(x) ? A[x] + 1 : s)) });
    }
    const full = [0, 1].map((x) => (I[x] - 1) * S[x] + span(K[x], D[x]) + A[x]);
    const crop = bad((x) => full[x] - 2 * P[x] < 1);
    if (crop.length) {
      out.push({ ...st, padding: P.map((p, x) => (crop.includes(x) ? fdiv(full[x] - 1, 2) : p)) });
      // The least input whose output survives the crop: (i - 1)s >= 2p + 1 - span - a.
      out.push({ ...st, input: I.map((n, x) => (crop.includes(x)
        ? 1 + Math.ceil((2 * P[x] + 1 - span(K[x], D[x]) - A[x]) / S[x]) : n)) });
    }
  }
  return out;
}

const sub = (n) => String(n);
function formula(c, transposed) {
  if (transposed) {
    return `(${c.i} − 1)·${c.s} − 2·${c.b} + ${c.d}·(${c.k} − 1) + ${c.a} + 1 = ${c.o}`;
  }
  const pad = c.b === c.a ? `2·${c.b}` : `${c.b} + ${c.a}`;
  return `⌊(${c.i} + ${pad} − ${c.d}·(${c.k} − 1) − 1) / ${c.s}⌋ + 1 = ${c.o}`;
}

// Real input rows at the end that no window reads (the floor dropped them): the rows
// after the last real row any window taps. A later window's last real tap can fall
// before an earlier one's when dilation skips, so walk back while one could still win.
function unreadRows(i, k, s, [b], d, o) {
  let best = -1;
  for (let u = o - 1; u >= 0 && u * s - b + (k - 1) * d > best; u--) {
    const start = u * s - b;
    if (start > i - 1) continue;
    const last = start + Math.min(k - 1, fdiv(i - 1 - start, d)) * d;
    if (last >= 0 && last > best) best = last;
  }
  return i - 1 - best;
}

// The grid plot._geometry draws: the padded input (direct), or the zero-inserted,
// padded or cropped input of the equivalent stride-1 convolution (transposed).
function grid(st, pads, output) {
  const { input: I, kernel: K, dilation: D } = st;
  let gpads, stride, shape, role;
  if (!st.transposed) {
    gpads = pads; stride = st.stride;
    shape = [0, 1].map((x) => I[x] + pads[x][0] + pads[x][1]);
    role = (x, r) => (r >= pads[x][0] && r < pads[x][0] + I[x] ? 'i' : 'p');
  } else {
    const S = st.stride;
    gpads = [0, 1].map((x) => [span(K[x], D[x]) - 1 - pads[x][0],
      span(K[x], D[x]) - 1 - pads[x][1] + st.outputPadding[x]]);
    stride = [1, 1];
    shape = [0, 1].map((x) => (I[x] - 1) * S[x] + 1 + gpads[x][0] + gpads[x][1]);
    role = (x, r) => {
      const y = r - gpads[x][0];
      if (y < 0 || y > (I[x] - 1) * S[x]) return 'p';
      return y % S[x] ? 'z' : 'i';
    };
  }
  // A cell is input only where both axes are; padding wins over inserted zeros.
  const cols = Array.from({ length: shape[1] }, (_, c) => role(1, c)).join('');
  const line = { p: 'p'.repeat(shape[1]), i: cols, z: cols.replace(/i/g, 'z') };
  const roles = Array.from({ length: shape[0] }, (_, r) => line[role(0, r)]);
  const hits = (x, r) => {
    const found = [];
    for (let j = K[x] - 1; j >= 0; j--) {
      const n = r - j * D[x];
      if (n >= 0 && n % stride[x] === 0 && n / stride[x] < output[x]) found.push(n / stride[x]);
    }
    return found;
  };
  return {
    shape, pads: gpads, stride, dilation: D, kernel: K, roles,
    taps(row, col) {
      const t = [];
      for (let i = 0; i < K[0]; i++) {
        for (let j = 0; j < K[1]; j++) t.push([row * stride[0] + i * D[0], col * stride[1] + j * D[1]]);
      }
      return t;
    },
    feeds(r, c) {
      const cs = hits(1, c);
      return hits(0, r).flatMap((row) => cs.map((col) => [row, col]));
    },
    inputCell(y, x) {
      const S = st.transposed ? st.stride : [1, 1];
      return [y * S[0] + gpads[0][0], x * S[1] + gpads[1][0]];
    },
  };
}

export function analyse(st) {
  const no = refusal(st);
  if (no) return { ok: false, ...no, nearest: nearest(st) };
  const { input: I, kernel: K, stride: S, dilation: D } = st;
  const pads = st.transposed ? st.padding.map((p) => [p, p]) : resolvePads(st);
  const axes = [0, 1].map((x) => {
    const i = I[x], k = K[x], s = S[x], d = D[x], [b, a] = pads[x];
    const o = st.transposed
      ? convTransposeOutputSize(i, k, s, [b, a], st.outputPadding[x], d)
      : convOutputSize(i, k, s, [b, a], d);
    const c = { i, k, s, d, b, a: st.transposed ? st.outputPadding[x] : a, o };
    return {
      output: o,
      pads: [b, a],
      span: span(k, d),
      padded: st.transposed ? (i - 1) * s + 2 * span(k, d) - 1 - b - a + st.outputPadding[x]
        : i + b + a,
      formula: formula(c, st.transposed),
      unread: st.transposed ? 0 : unreadRows(i, k, s, [b, a], d, o),
      colliding: st.transposed ? attempt(() => collidingInputSizes(i, k, s, [b, a], d))
        : collidingInputSizes(o, k, s, [b, a], d),
      tfSame: samePadding(i, k, s, d),
      keep: attempt(() => solvePadding(i, i, k, s, d)),
      target: st.target && !st.transposed ? attempt(() => solvePadding(i, st.target[x], k, s, d))
        : null,
    };
  });
  const output = axes.map((x) => x.output);
  return { ok: true, output, pads, axes, grid: grid(st, pads, output) };
}

// --- layer strings (convdocs.receptive.parse_layers) ---------------------------------------

const GRAMMAR = 'expected conv, pool, convT or up followed by parameters k<n>, s<n>, p<n>, ' +
  'd<n>, o<n>, c (see convdocs rf --help)';
const FIELDS = {
  conv: [['kernel', 'kernel_size', 1], ['stride', 'stride', 1], ['padding', 'padding', 0],
    ['dilation', 'dilation', 1]],
  pool: [['kernel', 'kernel_size', 1], ['stride', 'stride', null], ['padding', 'padding', 0],
    ['dilation', 'dilation', 1], ['ceilMode', 'ceil_mode', false]],
  convT: [['kernel', 'kernel_size', 1], ['stride', 'stride', 1], ['padding', 'padding', 0],
    ['outputPadding', 'output_padding', 0], ['dilation', 'dilation', 1]],
  up: [['scale', 'scale_factor', 1]],
};
const CLASS = { conv: 'Conv', pool: 'Pool', convT: 'ConvTranspose', up: 'Upsample' };
const LETTER = { k: 'kernel_size', s: 'stride', p: 'padding', d: 'dilation', o: 'output_padding' };
const WS = ' \t\n\r\v\f\x1c\x1d\x1e\x1f\x85\xa0';
const strip = (t) => {
  let a = 0, b = t.length;
  while (a < b && WS.includes(t[a])) a++;
  while (b > a && WS.includes(t[b - 1])) b--;
  return t.slice(a, b);
};
const isDigit = (ch) => ch >= '0' && ch <= '9';

// Python's repr of a str, for the ASCII the widget's input can hold.
export function pyRepr(t) {
  const q = t.includes("'") && !t.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of t) {
    const n = ch.codePointAt(0);
    if (ch === '\\' || ch === q) out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (n < 32 || (n >= 127 && n < 161) || n === 173) out += '\\x' + n.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + q;
}

const describe = (v) => (Array.isArray(v) ? `(${v.join(', ')}${v.length === 1 ? ',' : ''})` : String(v));
const kindText = (min) => (min === 0 ? 'a non-negative int' : 'a positive int');

// Linear scan of one layer: the kind, then tokens [letter]digits(xdigits)* or c.
// (Python's regex IGNORECASE also lets 'X' separate values, then int() fails on it.)
function scan(part) {
  const low = part.toLowerCase();
  const kind = ['convt', 'conv', 'pool', 'up'].find((k) => low.startsWith(k));
  if (!kind) return null;
  const tokens = [];
  let at = kind.length;
  while (at < part.length) {
    const ch = low[at];
    if (ch === 'c') { tokens.push({ ceil: true }); at++; continue; }
    let letter = '';
    if ('ksdpo'.includes(ch)) { letter = ch; at++; }
    const start = at;
    for (;;) {
      if (!isDigit(part[at] ?? '')) return null;
      while (isDigit(part[at] ?? '')) at++;
      if (low[at] === 'x' && isDigit(part[at + 1] ?? '')) at++;
      else break;
    }
    tokens.push({ letter, number: part.slice(start, at) });
  }
  return { kind: kind === 'convt' ? 'convT' : kind, typed: part.slice(0, kind.length), tokens };
}

function checkInts(name, value, min) {
  const values = Array.isArray(value) ? value : [value];
  if (values.some((v) => v < min)) fail(`${name} must be ${kindText(min)} or a tuple of them, got ${describe(value)}`);
}

function parseOne(position, part) {
  const error = (reason) => new RangeError(`cannot read layer ${position}, ${pyRepr(part)}: ${reason}`);
  const found = scan(part);
  if (!found) throw error(GRAMMAR);
  const { kind } = found;
  const first = kind === 'up' ? 'scale_factor' : 'kernel_size';
  const kw = new Map();
  for (const t of found.tokens) {
    let name, value;
    if (t.ceil) { name = 'ceil_mode'; value = true; } else {
      name = t.letter ? LETTER[t.letter] : first;
      if (t.letter === 'k' && kind === 'up') name = 'scale_factor';
      const bits = t.number.split('x');
      const bad = bits.find((b) => !/^[0-9]+$/.test(b));
      if (bad !== undefined) fail(`invalid literal for int() with base 10: ${pyRepr(bad)}`);
      const values = bits.map(Number);
      value = values.length === 1 ? values[0] : values;
    }
    if (kw.has(name)) throw error(`${name} given twice`);
    kw.set(name, value);
  }
  if (!kw.has(first)) throw error(`no ${first.replace('_', ' ')}: write e.g. ${found.typed}3`);
  const fields = FIELDS[kind];
  for (const name of kw.keys()) {
    if (!fields.some((f) => f[1] === name)) throw error(`${CLASS[kind]} has no ${name}`);
  }
  const spec = { kind };
  for (const [key, name, dflt] of fields) spec[key] = kw.has(name) ? kw.get(name) : dflt;
  try {
    for (const [key, name] of fields) {
      if (name === 'padding' || name === 'ceil_mode' || spec[key] === null) continue;
      checkInts(name, spec[key], name === 'output_padding' ? 0 : 1);
    }
    if (kind === 'pool') checkPoolPadding(spec.kernel, spec.padding);
    if (kind === 'convT') checkOutputPadding(spec.stride, spec.dilation, spec.outputPadding);
  } catch (e) { throw error(e.message); }
  return spec;
}

// The values per axis, a number standing for every axis (as many as the longest).
function axes(...values) {
  const n = Math.max(...values.map((v) => (Array.isArray(v) ? v.length : 1)));
  return Array.from({ length: n }, (_, i) => values.map((v) => (Array.isArray(v) ? v[i] : v)));
}

// PyTorch's rules, as convdocs.receptive's Pool and ConvTranspose check them.
function checkPoolPadding(kernel, padding) {
  for (const [k, p] of axes(kernel, padding)) {
    if (p > Math.floor(k / 2)) {
      const limit = Array.isArray(kernel) ? kernel.map((v) => Math.floor(v / 2)) : Math.floor(kernel / 2);
      fail(`padding must be at most half the kernel size, kernel_size // 2 = ${describe(limit)} ` +
        `for kernel_size ${describe(kernel)}, got ${describe(padding)}`);
    }
  }
}

function checkOutputPadding(stride, dilation, outputPadding) {
  const columns = axes(stride, dilation, outputPadding);
  columns.forEach(([s, d, o], axis) => checkExtra(o, s, d, columns.length > 1 ? axis : null));
}

export function parseLayers(text) {
  const parts = text.split(',').map(strip);
  if (!strip(text)) fail('layers must name at least one layer, got an empty string');
  return parts.map((p, i) => parseOne(i + 1, p));
}

const token = (v) => (Array.isArray(v) ? v.join('x') : String(v));
// str(spec): the layer string back, with defaults left out (a tuple is never a default).
export function specName(spec) {
  const letters = { stride: 's', padding: 'p', outputPadding: 'o', dilation: 'd' };
  let text = (spec.kind === 'up' ? 'up' : spec.kind) + token(spec.kind === 'up' ? spec.scale : spec.kernel);
  if (spec.kind === 'up') return text;
  for (const [key, , dflt] of FIELDS[spec.kind].slice(1)) {
    const v = spec[key];
    if (key === 'ceilMode' || v === null || v === undefined) continue;
    if (Array.isArray(v) || v !== dflt) text += letters[key] + token(v);
  }
  return text + (spec.ceilMode ? 'c' : '');
}

// --- receptive-field table (convdocs.receptive._from_specs) --------------------------------

// Field maps of one axis: unit u sees lo[u]..hi[u]; a theoretical map repeats with
// lo(u + period) = lo(u) + step. Empty fields are (Infinity, -Infinity), as in Python.
const LIMIT = 2 ** 50;
function at(m, u) {
  if (m.period === null) {
    return u >= 0 && u < m.lo.length ? [m.lo[u], m.hi[u]] : [Infinity, -Infinity];
  }
  const q = fdiv(u, m.period), r = u - q * m.period;
  return [m.lo[r] + q * m.step, m.hi[r] + q * m.step];
}

function gcd(a, b) { while (b) [a, b] = [b, a % b]; return a; }

function shortest(m) {
  for (let d = 1; d < m.period; d++) {
    if (m.period % d || (m.step * d) % m.period) continue;
    const inc = (m.step * d) / m.period;
    let same = true;
    for (let u = d; same && u < m.period; u++) {
      same = m.lo[u] === m.lo[u - d] + inc && m.hi[u] === m.hi[u - d] + inc;
    }
    if (same) return { lo: m.lo.slice(0, d), hi: m.hi.slice(0, d), period: d, step: inc };
  }
  return m;
}

// The union of the fields of the taps (index, valid) each output unit reads.
function build(m, taps, count, period, step) {
  const n = count === null ? period : count;
  const lo = new Array(n).fill(Infinity), hi = new Array(n).fill(-Infinity);
  for (let u = 0; u < n; u++) {
    for (const [index, valid] of taps(u)) {
      if (!valid) continue;
      const [l, h] = at(m, index);
      if (l < lo[u]) lo[u] = l;
      if (h > hi[u]) hi[u] = h;
    }
    if (Math.abs(lo[u]) > LIMIT && Number.isFinite(lo[u])) fail('the receptive field is too large for exact arithmetic here');
  }
  if (count !== null) return { lo, hi, period: null, step: 0 };
  if (period > 1e6) fail('the receptive-field pattern is too long to compute here');
  return shortest({ lo, hi, period, step });
}

function layerMap(spec, m, c, count) {
  const theory = m.period !== null;
  if (spec.kind === 'conv' || spec.kind === 'pool') {
    const { k, s, b, d } = c;
    const period = theory ? m.period / gcd(m.period, s) : null;
    const step = theory ? m.step * ((period * s) / m.period) : null;
    return build(m, (u) => Array.from({ length: k }, (_, j) => [u * s - b + j * d, true]),
      count, period, step);
  }
  if (spec.kind === 'convT') {
    const { k, s, b, d } = c;
    return build(m, (v) => Array.from({ length: k }, (_, j) => {
      const num = v + b - j * d;
      return [fdiv(num, s), fmod(num, s) === 0];
    }), count, theory ? m.period * s : null, m.step);
  }
  const f = c.f;
  return build(m, (v) => [[fdiv(v, f), true]], count, theory ? m.period * f : null, m.step);
}

// Python's dataclass field order, for the "has N values" message.
const PY_FIELDS = (spec) => FIELDS[spec.kind].map(([key, name]) => [key, name]);

function specNdim(specs, inputSize) {
  const found = [];
  specs.forEach((spec, i) => {
    for (const [key, name] of PY_FIELDS(spec)) {
      const v = spec[key];
      if (!Array.isArray(v)) continue;
      // a flat padding pair is (before, after) in 1-D, per dimension in 2-D
      if (!(name === 'padding' && v.length === 2)) {
        found.push([`${name} of layer ${i} (${specName(spec)})`, v.length]);
      }
    }
  });
  if (Array.isArray(inputSize)) found.push(['input_size', inputSize.length]);
  if (!found.length) return [1, true];
  const [first, ndim] = found[0];
  for (const [what, count] of found.slice(1)) {
    if (count !== ndim) fail(`${what} has ${count} values but ${first} has ${ndim}: give one value per spatial dimension`);
  }
  return [ndim, false];
}

// spec._columns(ndim): per axis {k, s, b, a, d, op, f}.
function columns(spec, ndim) {
  const per = (name, v, min) => {
    if (!Array.isArray(v)) return Array(ndim).fill(v);
    if (v.length !== ndim) fail(`${name} must be ${kindText(min)} or a tuple of them, got ${describe(v)}`);
    return v;
  };
  if (spec.kind === 'up') return per('scale_factor', spec.scale, 1).map((f) => ({ f }));
  const k = per('kernel_size', spec.kernel, 1);
  const s = per('stride', spec.stride === null ? spec.kernel : spec.stride, 1);
  const op = spec.kind === 'convT' ? per('output_padding', spec.outputPadding, 0) : [];
  const d = per('dilation', spec.dilation, 1);
  let pads;
  const p = spec.padding;
  if (!Array.isArray(p)) pads = Array(ndim).fill([p, p]);
  else if (ndim === 1 && p.length === 2) pads = [p];
  else if (p.length === ndim) pads = p.map((v) => [v, v]);
  else {
    fail('padding must be a non-negative int, a (before, after) pair, or one int or pair per ' +
      `spatial dimension (${ndim} here), got ${describe(p)}`);
  }
  return k.map((_, x) => ({ k: k[x], s: s[x], d: d[x], b: pads[x][0], a: pads[x][1], op: op[x] }));
}

function outSize(spec, n, c) {
  if (spec.kind === 'up') return n * c.f;
  if (spec.kind === 'convT') return convTransposeOutputSize(n, c.k, c.s, [c.b, c.a], c.op, c.d);
  return convOutputSize(n, c.k, c.s, [c.b, c.a], c.d, spec.kind === 'pool' && spec.ceilMode);
}

const ratio = (step, period) => {
  const g = gcd(step, period);
  return period / g === 1 ? String(step / g) : `${step / g}/${period / g}`;
};
function sizeOf(m, count) {
  let small = Infinity, large = -Infinity;
  for (let u = 0; u < (count === null ? m.period : count); u++) {
    const [l, h] = at(m, u);
    if (!Number.isFinite(l)) continue;
    small = Math.min(small, h - l + 1); large = Math.max(large, h - l + 1);
  }
  if (small === Infinity) return '0';
  return small === large ? String(small) : `${small}..${large}`;
}
// _fmt: one text when every axis agrees, else joined by x (" x " around ranges).
const fmt = (texts) => (new Set(texts).size === 1 ? texts[0]
  : texts.join(texts.some((t) => t.includes('..')) ? ' x ' : 'x'));

function row(name, kind, theory, sizes) {
  return {
    cells: [name, kind, sizes === null ? '-' : sizes.join('x'),
      fmt(theory.map((m) => ratio(m.step, m.period))),
      fmt(theory.map((m, x) => sizeOf(m, sizes === null ? null : sizes[x]))),
      fmt(theory.map((m) => {
        const [l, h] = at(m, 0);
        return Number.isFinite(l) ? String((l + h) / 2) : 'None';
      }))],
    theory,
  };
}

function walk(specs, inputSize) {
  if (!specs.length) fail('model must contain at least one layer, got an empty list');
  const [ndim, scalar] = specNdim(specs, inputSize);
  let sizes = inputSize === null ? null : (Array.isArray(inputSize) ? [...inputSize] : Array(ndim).fill(inputSize));
  let theory = Array(ndim).fill({ lo: [0], hi: [0], period: 1, step: 1 });
  const rows = [row('input', 'input', theory, sizes)];
  specs.forEach((spec, i) => {
    let cols;
    try {
      cols = columns(spec, ndim);
      if (sizes !== null) sizes = sizes.map((n, x) => outSize(spec, n, cols[x]));
    } catch (e) { fail(`layer ${i} (${specName(spec)}): ${e.message}`); }
    theory = theory.map((m, x) => layerMap(spec, m, cols[x], null));
    rows.push(row(specName(spec), CLASS[spec.kind], theory, sizes));
  });
  return { rows, ndim, scalar, sizes };
}

export function stackTable(specs, inputSize = null) {
  const { rows, scalar, sizes } = walk(specs, inputSize);
  const last = rows[rows.length - 1];
  const [name, , , stride, field] = last.cells;
  const uniform = !field.includes('..');
  const size = (v) => (scalar ? String(v[0]) : v.join('x'));
  const summary = [['units of', name]];
  if (inputSize !== null) {
    summary.push(['input size', size(rows[0].cells[2].split('x'))],
      ['output size', size(sizes)]);
  }
  summary.push(
    ['receptive field', field + (uniform ? '' : ' (differs between output units: smallest..largest; see interval())')],
    ['effective stride', stride],
    ['effective padding', fmt(last.theory.map((m) => {
      const [l] = at(m, 0);
      return Number.isFinite(l) ? String(-l) : 'None';
    }))],
  );
  return {
    summary,
    header: ['layer', 'kind', 'output', 'stride', 'field', 'centre'],
    rows: rows.map((r) => r.cells),
  };
}

// Does the whole stack run on a square input of size n?
function runs(specs, n) {
  try { walkSizes(specs, n); return true; } catch { return false; }
}
function walkSizes(specs, n) {
  const [ndim] = specNdim(specs, null);
  let sizes = Array(ndim).fill(n);
  for (const spec of specs) {
    const cols = columns(spec, ndim);
    sizes = sizes.map((m, x) => outSize(spec, m, cols[x]));
  }
  return sizes;
}

// Every layer's output size is non-decreasing in its input size, so the sizes the stack
// accepts are all n >= smallest: search by doubling, then bisect.
export function acceptedInputSizes(specs) {
  specNdim(specs, null);
  let high = 1;
  while (!runs(specs, high)) {
    high *= 2;
    if (high > LIMIT) fail('no input size up to 2**50 fits this stack');
  }
  let low = Math.floor(high / 2);
  if (high === 1) return { smallest: 1 };
  while (high - low > 1) {
    const mid = fdiv(low + high, 2);
    if (runs(specs, mid)) high = mid; else low = mid;
  }
  return { smallest: high };
}
