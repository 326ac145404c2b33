"""The explorer's arithmetic module, as the site ships it, agrees with convdocs.

tests/explorer_vectors.py computes the expected values from the Python package (and
PyTorch's own refusals); this test loads docs/_static/explorer/arith.js from the built
site in headless Chromium and requires the same answer for every vector.
"""

import pytest

from tests import explorer_vectors
from tests.browser import HTML

pytestmark = pytest.mark.browser

SHOWN = 10  # disagreements quoted in a failure

# Runs in the page: every vector through the shipped module, the answers back as JSON.
RUN = """async (v) => {
  const m = await import('/_static/explorer/arith.js');
  const attempt = (f) => { try { return {value: f()}; } catch (e) {
    return {error: e instanceof RangeError ? e.message : `${e.name}: ${e.message}`}; } };
  const scalar = v.scalar.map(([name, args]) => attempt(() => m[name](...args)));
  const layers = v.layers.map(([st, want]) => attempt(() => {
    const r = m.analyse(st);
    if (!r.ok) return r;
    const g = r.grid, w = want.grid || {};
    const grid = {shape: g.shape, pads: g.pads, stride: g.stride, dilation: g.dilation,
      kernel: g.kernel};
    if (w.roles) grid.roles = g.roles;
    grid.roleSamples = (w.roleSamples || []).map(([y, x]) => [y, x, g.roles[y].slice(x, x + 48)]);
    grid.taps = (w.taps || []).map(([y, x]) => [y, x, g.taps(y, x).flat()]);
    grid.feeds = (w.feeds || []).map(([y, x]) => [y, x, g.feeds(y, x).flat()]);
    if (w.inputCells) grid.inputCells = w.inputCells.map(([y, x]) => [y, x, g.inputCell(y, x)]);
    return {...r, grid};
  }));
  const strings = v.strings.map((want) => {
    const got = {text: want.text};
    const parsed = attempt(() => m.parseLayers(want.text));
    if (parsed.error !== undefined) { got.error = parsed.error; return got; }
    got.specs = parsed.value;
    got.tables = (want.tables || []).map(([size]) => {
      const t = attempt(() => m.stackTable(parsed.value, size));
      return [size, t.error !== undefined ? {error: t.error} : t.value];
    });
    if (want.smallest !== undefined && want.smallest !== null) {
      const s = attempt(() => m.acceptedInputSizes(parsed.value).smallest);
      got.smallest = s.error !== undefined ? {error: s.error} : s.value;
    } else got.smallest = want.smallest;
    return got;
  });
  return {scalar, layers, strings};
}"""

CONTROLS = ("input", "kernel", "stride", "padding", "dilation", "transposed", "outputPadding")


@pytest.fixture(scope="module")
def vectors():
    return explorer_vectors.generate()


@pytest.fixture(scope="module")
def answers(browser, site, vectors):
    assert (HTML / "_static" / "explorer" / "arith.js").exists(), "build the site: nox -s docs"
    context = browser.new_context()
    tab = context.new_page()
    problems = []
    tab.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    tab.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
    tab.goto(site + "index.html")
    got = tab.evaluate(RUN, vectors)
    tab.wait_for_load_state("networkidle")
    context.close()
    assert not problems, problems
    return got


def _report(what, disagreements, total):
    lines = [f"{len(disagreements)} of {total} {what} disagree with convdocs:"]
    lines += [f"  {d}" for d in disagreements[:SHOWN]]
    return "\n".join(lines)


def test_per_axis_formulas(vectors, answers):
    bad = []
    for (name, args, value, error), got in zip(vectors["scalar"], answers["scalar"]):
        want = {"error": error} if error is not None else {"value": value}
        if got != want:
            bad.append(f"{name}{tuple(args)}: python {want}, js {got}")
    assert not bad, _report("per-axis calls", bad, len(vectors["scalar"]))


def test_layer_analysis(vectors, answers):
    bad = []
    for (st, want), got in zip(vectors["layers"], answers["layers"]):
        if "error" in got:
            bad.append(f"{st}: js threw {got['error']}")
            continue
        value = {k: v for k, v in got["value"].items() if k != "nearest"}
        if value != want:
            keys = sorted(k for k in {*want, *value} if want.get(k) != value.get(k))
            diff = {k: (want.get(k), value.get(k)) for k in keys}
            bad.append(f"{st}: (python, js) {diff}")
    assert not bad, _report("layer settings", bad, len(vectors["layers"]))


def test_nearest_alternatives_are_accepted(vectors, answers):
    """Each alternative to a refused setting is accepted by convdocs and PyTorch and
    changes one control only."""
    bad, seen, refused = [], set(), 0
    for (st, want), got in zip(vectors["layers"], answers["layers"]):
        if want["ok"]:
            continue
        refused += 1
        alternatives = got["value"]["nearest"]
        if not alternatives or len(alternatives) > 3:
            bad.append(f"{st}: {len(alternatives)} alternatives")
        counts = set()
        for alt in alternatives:
            changed = [c for c in CONTROLS if alt[c] != st[c]]
            counts.add(len(changed))
            if not 1 <= len(changed) <= 3:
                bad.append(f"{st} -> {alt}: changes {changed}")
            key = repr(sorted(alt.items()))
            if key in seen:
                continue
            seen.add(key)
            if not explorer_vectors.expect_layer(alt)["ok"]:
                bad.append(f"{st} -> {alt}: refused by convdocs or PyTorch")
        if len(counts) > 1:  # all as close: none changes more controls than another
            bad.append(f"{st}: alternatives change {sorted(counts)} controls")
    assert not bad, _report("refusals' alternatives", bad, refused)


def test_layer_strings(vectors, answers):
    bad = []
    for want, got in zip(vectors["strings"], answers["strings"]):
        for key in ("error", "specs", "smallest"):
            if want.get(key) != got.get(key):
                bad.append(f"{want['text']!r} {key}: python {want.get(key)}, js {got.get(key)}")
        for (size, table), (_, mine) in zip(want.get("tables", []), got.get("tables", [])):
            for part in ("error", "summary", "header", "rows"):
                if table.get(part) != mine.get(part):
                    bad.append(
                        f"{want['text']!r} at input {size} {part}: python {table.get(part)}, "
                        f"js {mine.get(part)}"
                    )
    assert not bad, _report("layer strings", bad, len(vectors["strings"]))


def test_the_vectors_cover_every_control(vectors):
    layers = [st for st, _ in vectors["layers"]]
    refusals = {
        want["torch"].split(":")[0][:20] for _, want in vectors["layers"] if not want["ok"]
    }
    assert len(layers) >= 5000
    assert len(vectors["strings"]) >= 300
    assert {"valid", "same", "SAME"} <= {
        st["padding"] for st in layers if isinstance(st["padding"], str)
    }
    assert max(max(st["input"]) for st in layers) >= 4096
    assert len(refusals) >= 5, refusals
