// Code for the reader's exact layer: PyTorch, Keras and convdocs, each a complete
// program that prints the output shape (the browser tests run the PyTorch and convdocs
// ones and compare what they print with the explorer's answer).

const tuple = ([h, w]) => (h === w ? String(h) : `(${h}, ${w})`);
const pyPair = ([h, w]) => `(${h}, ${w})`;
const isZero = (pads) => pads.every(([b, a]) => b === 0 && a === 0);
const isSymmetric = (pads) => pads.every(([b, a]) => b === a);
const same = (x, y) => JSON.stringify(x) === JSON.stringify(y);

function keywords(entries) {
  return entries.filter(([, value, skip]) => !skip).map(([name, value]) => `${name}=${value}`);
}

// The keyword arguments of nn.Conv2d / nn.ConvTranspose2d that differ from the defaults.
function torchArgs(st, padding) {
  const unit = (pair) => pair.every((v) => v === 1);
  return keywords([
    ["kernel_size", tuple(st.kernel)],
    ["stride", tuple(st.stride), unit(st.stride)],
    ["padding", padding, padding === "0"],
    ["output_padding", tuple(st.outputPadding), !st.transposed || st.outputPadding.every((v) => !v)],
    ["dilation", tuple(st.dilation), unit(st.dilation)],
  ]).join(", ");
}

export function pytorchCode(st, result) {
  const [h, w] = st.input;
  const [oh, ow] = result.output;
  const lines = ["import torch", ""];
  let padding = Array.isArray(st.padding) ? tuple(st.padding) : `"${st.padding}"`;
  let pre = "";
  if (st.padding === "SAME") {
    const [[t, b], [l, r]] = result.pads;
    padding = "0";
    if (!isZero(result.pads) && isSymmetric(result.pads)) padding = tuple([t, l]);
    else if (!isZero(result.pads)) {
      pre = `    torch.nn.ZeroPad2d((${l}, ${r}, ${t}, ${b})),  # TensorFlow's SAME: (left, right, top, bottom)\n`;
    }
  }
  const name = st.transposed ? "ConvTranspose2d" : "Conv2d";
  const call = `torch.nn.${name}(1, 1, ${torchArgs(st, padding)})`;
  if (pre) lines.push("layer = torch.nn.Sequential(", pre + `    ${call},`, ")");
  else lines.push(`layer = ${call}`);
  lines.push(`x = torch.zeros(1, 1, ${h}, ${w})  # (batch, channels, height, width)`);
  lines.push(`print(tuple(layer(x).shape))  # (1, 1, ${oh}, ${ow})`);
  return lines.join("\n");
}

// Keras 3 (channels last). "same"/"valid" where Keras' own rule gives these pads,
// explicit ZeroPadding2D / Cropping2D where it does not.
export function kerasCode(st, result) {
  const [h, w] = st.input;
  const [oh, ow] = result.output;
  const strided = st.stride.some((v) => v > 1);
  const dilated = st.dilation.some((v) => v > 1);
  if (strided && dilated) {
    return "# Keras refuses strides > 1 together with dilation_rate > 1 in Conv2D and\n# Conv2DTranspose: this layer has no single Keras equivalent.";
  }
  const common = keywords([
    ["kernel_size", tuple(st.kernel)],
    ["strides", tuple(st.stride), !strided],
    ["dilation_rate", tuple(st.dilation), !dilated],
  ]);
  const layers = [];
  if (st.transposed) {
    const extra = st.outputPadding;
    if (extra.some((a, axis) => a >= st.stride[axis])) {
      return "# Keras needs output_padding smaller than the stride (PyTorch also allows it below\n# the dilation): this layer has no single Keras equivalent.";
    }
    const padding = result.axes.map((axis) => axis.pads);
    const op = extra.some((v) => v) ? [["output_padding", tuple(extra)]] : [];
    layers.push(`keras.layers.Conv2DTranspose(1, ${[...common, 'padding="valid"', ...keywords(op)].join(", ")})`);
    if (!isZero(padding)) layers.push(`keras.layers.Cropping2D((${padding.map(pyPair).join(", ")}))`);
  } else {
    const tfSame = result.axes.map((axis) => axis.tfSame);
    let mode = '"valid"';
    if (!isZero(result.pads) && same(result.pads, tfSame)) mode = '"same"';
    else if (!isZero(result.pads)) {
      layers.push(`keras.layers.ZeroPadding2D((${result.pads.map(pyPair).join(", ")}))`);
    }
    layers.push(`keras.layers.Conv2D(1, ${[...common, `padding=${mode}`].join(", ")})`);
  }
  const model =
    layers.length === 1 ? `layer = ${layers[0]}` : `layer = keras.Sequential([\n    ${layers.join(",\n    ")},\n])`;
  return [
    "import keras",
    "",
    model,
    `x = keras.ops.zeros((1, ${h}, ${w}, 1))  # (batch, height, width, channels)`,
    `print(tuple(layer(x).shape))  # (1, ${oh}, ${ow}, 1)`,
  ].join("\n");
}

export function convdocsCode(st, result) {
  const size = st.square ? String(st.input[0]) : pyPair(st.input);
  const show = st.square ? String(result.output[0]) : pyPair(result.output);
  const common = keywords([
    ["kernel_size", st.square ? String(st.kernel[0]) : pyPair(st.kernel)],
    ["stride", st.square ? String(st.stride[0]) : pyPair(st.stride), st.stride.every((v) => v === 1)],
  ]);
  const dilation = st.dilation.every((v) => v === 1) ? [] : [`dilation=${st.square ? st.dilation[0] : pyPair(st.dilation)}`];
  let padding;
  const names = [];
  if (st.padding === "SAME") {
    names.push("same_padding");
    const args = [size, ...common.map((c, n) => (n === 0 ? c.split("=")[1] : c)), ...dilation].join(", ");
    padding = `same_padding(${args})`;
  } else if (st.padding === "same") {
    // PyTorch's "same": d(k - 1) in total, the odd pixel after
    if (!st.square) padding = `(${result.pads.map(pyPair).join(", ")})`;
    else padding = isSymmetric(result.pads) ? String(result.pads[0][0]) : pyPair(result.pads[0]);
  } else if (st.padding === "valid") padding = "0";
  else padding = st.square ? String(st.padding[0]) : pyPair(st.padding);
  const func = st.transposed ? "conv_transpose_output_size" : "conv_output_size";
  const args = [size, ...common];
  if (padding !== "0") args.push(`padding=${padding}`);
  if (st.transposed && st.outputPadding.some((v) => v)) {
    args.push(`output_padding=${st.square ? st.outputPadding[0] : pyPair(st.outputPadding)}`);
  }
  args.push(...dilation);
  return [
    `from convdocs import ${[func, ...names].join(", ")}`,
    "",
    `print(${func}(${args.join(", ")}))  # ${show}`,
  ].join("\n");
}

export function cliCode(layers, n) {
  const size = n === null ? "" : ` --input-size ${Array.isArray(n) ? n.join("x") : n}`;
  return `convdocs ${layers.replaceAll(" ", "")}${size}`;
}
