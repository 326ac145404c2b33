"""The explorer in Chromium: links, keyboard, highlights, code, layout and contrast.

The arithmetic itself is held to convdocs by ``test_explorer_arith.py``; these tests
check what the reader sees: that the state survives the address bar and the Back
button, that every control works from the keyboard, that the highlighted taps are the
ones ``convdocs.plot`` draws, that the printed code builds the layer it claims, and that
the widget fits a phone and stays readable in dark mode.
"""

import contextlib
import io
import random
from urllib.parse import parse_qs, urlparse

import matplotlib.pyplot as plt
import numpy as np
import pytest

from convdocs.plot import _geometry, draw_convolution

pytestmark = pytest.mark.browser

ROOT = ".cd-explorer"


@pytest.fixture
def open_page(site, browser):
    """Open a page of the site; fail on console errors and non-local requests."""
    contexts, problems = [], []

    def open_(path, **context_options):
        context = browser.new_context(**context_options)
        contexts.append(context)
        tab = context.new_page()
        host = urlparse(site).netloc
        tab.on("console", lambda m: m.type == "error" and problems.append(m.text))
        tab.on("pageerror", lambda e: problems.append(str(e)))
        tab.on(
            "request",
            lambda r: urlparse(r.url).netloc not in (host, "") and problems.append(r.url),
        )
        tab.goto(site + path, wait_until="load")
        tab.wait_for_load_state("networkidle")
        return tab

    yield open_
    for context in contexts:
        for tab in context.pages:
            tab.wait_for_load_state("networkidle")
        context.close()
    assert not problems, problems


def control(tab, name, axis="height"):
    return tab.locator(f'{ROOT} [data-name="{name}"][data-axis="{axis}"]')


def output(tab):
    return tab.get_attribute(ROOT, "data-output")


def query(tab):
    return {key: values[0] for key, values in parse_qs(urlparse(tab.url).query).items()}


def test_the_link_is_the_state(open_page):
    tab = open_page("explorer.html?i=9&k=3&s=2&p=1")
    assert output(tab) == "5x5"
    assert control(tab, "input").input_value() == "9"
    assert control(tab, "stride").input_value() == "2"

    control(tab, "kernel").fill("5")
    control(tab, "kernel").dispatch_event("change")
    assert output(tab) == "4x4"
    assert query(tab)["k"] == "5"

    tab.reload(wait_until="load")
    assert output(tab) == "4x4"
    assert control(tab, "kernel").input_value() == "5"

    tab.go_back(wait_until="load")
    tab.wait_for_function("document.querySelector('.cd-explorer')?.dataset.output === '5x5'")
    assert control(tab, "kernel").input_value() == "3"
    assert query(tab)["k"] == "3"


def test_a_link_with_bad_values_says_so(open_page):
    tab = open_page("explorer.html?i=abc&k=3&p=-1&s=99999999")
    notice = tab.locator(f"{ROOT} .cd-notice").inner_text()
    for bad in ("i=abc", "p=-1", "s=99999999"):
        assert bad in notice
    assert output(tab) == "5x5"  # the defaults: 7x7 input, kernel 3


def test_non_square_and_transposed_round_trip(open_page):
    tab = open_page("explorer.html?i=4x6&k=3&s=2x1&p=1&t=1&op=1x0")
    assert output(tab) == "8x6"
    assert control(tab, "input", "width").is_visible()
    tab.reload(wait_until="load")
    assert query(tab) == {"i": "4x6", "k": "3", "s": "2x1", "p": "1", "t": "1", "op": "1x0"}


def test_refused_layers_show_pytorchs_message_and_working_neighbours(open_page):
    tab = open_page("explorer.html?i=5&k=7")
    assert output(tab) == "error"
    error = tab.locator(f"{ROOT} .cd-error")
    assert "Kernel size can't be greater than actual input size" in error.inner_text()
    buttons = error.locator("button")
    assert buttons.count() >= 1
    buttons.first.click()
    assert output(tab) != "error"

    tab = open_page("explorer.html?i=8&k=3&s=2&p=same")
    assert "padding='same' is not supported for strided convolutions" in tab.inner_text(ROOT)

    tab = open_page("explorer.html?i=4&k=3&s=2&p=1&t=1&op=2")
    assert "output padding must be smaller than either stride or dilation" in tab.inner_text(ROOT)


def test_every_control_is_reachable_and_usable_by_keyboard(open_page):
    tab = open_page("explorer.html?i=7&k=3&s=2&p=1&t=1&sq=0")
    tab.focus(f'{ROOT} [data-name="mode"][value="layer"]')
    reached = set()
    for _ in range(40):
        tab.keyboard.press("Tab")
        name = tab.evaluate(
            "() => { const e = document.activeElement;"
            " return e.closest('.cd-explorer') ? (e.dataset.name || e.className.baseVal"
            " || e.textContent).trim() + ':' + (e.dataset.axis || '') : null; }"
        )
        if name is None:
            break
        reached.add(name)
    expected = {
        f"{n}:{axis}"
        for n in ("input", "kernel", "stride", "dilation", "padding", "outputPadding")
        for axis in ("height", "width")
    }
    expected |= {"padding-kind:", "transposed:", "square:", "cd-grid:", "cd-output:", "Play:"}
    assert expected <= reached, expected - reached

    # Typing and the arrow keys change the layer and move the highlighted output cell.
    control(tab, "input").focus()
    tab.keyboard.press("Control+A")
    tab.keyboard.type("5")
    assert output(tab) == "9x13"
    tab.focus(f"{ROOT} g.cd-output")
    tab.keyboard.press("ArrowRight")
    tab.keyboard.press("ArrowDown")
    assert tab.get_attribute(f"{ROOT} [data-out]", "data-out") == "1,1"
    tab.keyboard.press("End")
    assert tab.get_attribute(f"{ROOT} [data-out]", "data-out") == "8,12"


def random_settings(rng):
    """A layer the diagram draws, as explorer query parameters and plot arguments."""
    while True:
        size = rng.randint(1, 12), rng.randint(1, 12)
        kernel = rng.randint(1, 5), rng.randint(1, 5)
        stride = rng.randint(1, 3), rng.randint(1, 3)
        dilation = rng.randint(1, 2), rng.randint(1, 2)
        padding = rng.randint(0, 2), rng.randint(0, 2)
        transposed = rng.random() < 0.4
        extra = (0, 0)
        if transposed:
            extra = tuple(rng.randint(0, max(s, d) - 1) for s, d in zip(stride, dilation))
        args = {
            "input_size": size,
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "dilation": dilation,
            "transposed": transposed,
            "output_padding": extra,
        }
        try:
            diagram = draw_convolution(**args)
        except ValueError:
            continue  # a layer PyTorch refuses: no diagram to compare
        plt.close(diagram.ax.figure)
        text = {
            "i": size,
            "k": kernel,
            "s": stride,
            "p": padding,
            "d": dilation,
            "op": extra,
        }
        link = "&".join(f"{key}={value[0]}x{value[1]}" for key, value in text.items())
        return link + ("&t=1" if transposed else ""), args, diagram


CELL_CENTRE = """([group, r, c]) => {
    const g = document.querySelector(`.cd-explorer g.${group}`);
    g.scrollIntoView({block: "center"});
    const box = g.getBoundingClientRect();
    const [h, w] = g.dataset.shape.split("x").map(Number);
    return [box.left + (c + 0.5) * box.width / w, box.top + (r + 0.5) * box.height / h];
}"""
MARKS = (
    "(name) => [...document.querySelectorAll(`.cd-explorer [data-${name}]`)]"
    ".map((e) => e.dataset[name])"
)


def test_hover_highlights_the_taps_convdocs_plot_draws(open_page):
    rng = random.Random(12)
    tab = open_page("explorer.html")
    for _ in range(50):
        link, args, diagram = random_settings(rng)
        tab.goto(tab.url.split("?")[0] + "?" + link, wait_until="load")
        oh, ow = diagram.output_shape
        step = rng.randrange(oh * ow)
        row, col = divmod(step, ow)
        tab.mouse.move(*tab.evaluate(CELL_CENTRE, ["cd-output", row, col]))
        shown = sorted(tuple(map(int, t.split(","))) for t in tab.evaluate(MARKS, "tap"))
        drawn = draw_convolution(**args, step=step)
        plt.close(drawn.ax.figure)
        assert shown == sorted(drawn.taps), (link, step)

        # Pointing at a grid cell highlights every output cell whose taps include it.
        gh, gw = diagram.grid_shape
        cell = rng.randrange(gh), rng.randrange(gw)
        tab.mouse.move(*tab.evaluate(CELL_CENTRE, ["cd-grid", *cell]))
        fed = sorted(tuple(map(int, t.split(","))) for t in tab.evaluate(MARKS, "fed"))
        # The taps of every step, from the layout draw_convolution draws (without
        # drawing each one: that would be a figure per output cell).
        layout = _geometry(**args)
        expected = [divmod(s, ow) for s in range(oh * ow) if cell in layout.taps(s)]
        assert fed == expected, (link, cell)


def run_python(code):
    """Run a program the explorer printed; return what it printed and its variables."""
    out, namespace = io.StringIO(), {}
    with contextlib.redirect_stdout(out):
        exec(code, namespace)  # noqa: S102 (code the explorer printed for the reader)
    return out.getvalue().strip(), namespace


def conv_of(layer):
    """The convolution inside a layer the printed code built (it may pad or crop too)."""
    if "Conv" in type(layer).__name__:
        return layer
    parts = layer.layers if hasattr(layer, "layers") else layer.children()  # Keras, PyTorch
    return next(part for part in parts if "Conv" in type(part).__name__)


@pytest.mark.parametrize(
    "link",
    [
        "i=7&k=3&s=2&p=1",
        "i=8&k=4&p=same",
        "i=9x7&k=3x2&s=2&p=SAME",
        "i=10&k=4&s=3&p=SAME",
        "i=6&k=3&s=1&p=valid&d=2",
        "i=4&k=3&s=2&p=1&t=1&op=1",
        "i=5x3&k=4&s=2x3&p=1x0&t=1&op=0x2",
        "i=5&k=3&s=1&p=0&d=3&t=1&op=2",
    ],
)
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept:DeprecationWarning")
def test_the_printed_code_builds_the_layer_it_claims(open_page, link, monkeypatch):
    """Run the PyTorch, Keras and convdocs programs: the sizes they print are the
    explorer's, and Keras computes the same numbers as PyTorch with the same weights."""
    import torch

    monkeypatch.setenv("KERAS_BACKEND", "torch")
    tab = open_page(f"explorer.html?{link}")
    height, width = map(int, output(tab).split("x"))
    with torch.no_grad():
        printed, torch_program = run_python(tab.inner_text(f'{ROOT} pre[data-code="pytorch"]'))
    assert printed == str((1, 1, height, width))
    printed, _ = run_python(tab.inner_text(f'{ROOT} pre[data-code="convdocs"]'))
    assert printed in (str((height, width)), str(height) if height == width else "")

    keras_code = tab.inner_text(f'{ROOT} pre[data-code="keras"]')
    if not keras_code.startswith("import keras"):  # Keras has no such layer: it says why
        assert "no single Keras equivalent" in keras_code
        return
    printed, keras_program = run_python(keras_code)
    assert printed == str((1, height, width, 1))
    rng = np.random.default_rng(0)
    size = torch_program["x"].shape[2:]
    x = rng.standard_normal(size).astype(np.float32)
    conv = conv_of(torch_program["layer"])
    weights = rng.standard_normal(conv.weight.shape[2:]).astype(np.float32)
    with torch.no_grad():
        conv.weight[:] = torch.from_numpy(weights)
        conv.bias.zero_()
        expected = torch_program["layer"](torch.from_numpy(x)[None, None])[0, 0].numpy()
    conv_of(keras_program["layer"]).set_weights(
        [weights[:, :, None, None], np.zeros(1, np.float32)]
    )
    keras = keras_program["keras"]
    got = keras.ops.convert_to_numpy(keras_program["layer"](x[None, :, :, None]))[0, :, :, 0]
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_stack_mode_matches_the_command_line(open_page, capsys):
    from convdocs.__main__ import main

    layers, size = "conv7s2p3,pool3s2p1,conv3p1,convT2s2,up2", 224
    tab = open_page(f"explorer.html?mode=stack&layers={layers}&n={size}")
    assert main([layers, "--input-size", str(size)]) == 0
    printed = capsys.readouterr().out.split("\n\n")[1].splitlines()
    rows = tab.evaluate(
        "() => [...document.querySelectorAll('.cd-explorer .cd-layers tr')]"
        ".map((tr) => [...tr.children].map((c) => c.textContent))"
    )
    assert rows == [line.split() for line in printed]
    assert output(tab) == "224"

    tab = open_page("explorer.html?mode=stack&layers=resnet50&n=224")
    assert "convdocs resnet50 --input-size 224" in tab.inner_text(ROOT)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "link",
    ["i=32&k=3&s=2&p=1", "i=12x30&k=5&s=1x2&p=SAME&sq=0", "i=5&k=7", "mode=stack&n=224"],
)
def test_fits_a_phone_and_keeps_contrast(open_page, scheme, link):
    tab = open_page(
        f"explorer.html?{link}", viewport={"width": 390, "height": 844}, color_scheme=scheme
    )
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    widget = tab.evaluate(f"document.querySelector('{ROOT}').getBoundingClientRect().right")
    assert widget <= 390
    ratios = tab.evaluate(CONTRAST)
    low = [(text, ratio) for text, ratio in ratios if ratio < 4.5]
    assert ratios
    assert not low, low


# The WCAG contrast ratio of every visible text in the widget against the background
# it is drawn on (the first opaque background among its ancestors).
CONTRAST = """() => {
    const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
    const lum = ([r, g, b]) => {
        const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (e) => {
        for (; e; e = e.parentElement) {
            const c = rgb(getComputedStyle(e).backgroundColor);
            if (c.length < 4 || c[3] > 0.9) return c;
        }
        return [255, 255, 255];
    };
    const out = [];
    const walker = document.createTreeWalker(document.querySelector('.cd-explorer'), NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, e = node.parentElement;
        if (!node.textContent.trim() || !e.checkVisibility() || e.closest('svg')) continue;
        const a = lum(rgb(getComputedStyle(e).color)), b = lum(background(e));
        out.push([node.textContent.trim().slice(0, 40), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]);
    }
    return out;
}"""


def test_a_large_layer_gets_numbers_not_a_broken_diagram(open_page):
    tab = open_page("explorer.html?i=224&k=7&s=2&p=3")
    assert output(tab) == "112x112"
    assert tab.get_attribute(ROOT, "data-diagram") == "none"
    assert "every number below is exact" in tab.inner_text(ROOT)
    formula = "⌊(224 + 2·3 \N{MINUS SIGN} 1·(7 \N{MINUS SIGN} 1) \N{MINUS SIGN} 1) / 2⌋ + 1 = 112"
    assert formula in tab.inner_text(ROOT)


def test_the_embedded_widgets_open_at_their_pages_example(open_page):
    expected = {
        "index.html": "27x27",
        "guide/arithmetic.html": "14x14",
        "guide/padding.html": "10x10",
        "guide/dilation.html": "9x9",
        "guide/transposed.html": "8x8",
    }
    for page, size in expected.items():
        tab = open_page(page)
        assert output(tab) == size, page
        link = tab.get_attribute(f"{ROOT} .cd-open", "href")
        assert link.split("?")[0].endswith("explorer.html"), link
        assert np.all(tab.locator(f"{ROOT} svg.cd-diagram").count() == 1)
