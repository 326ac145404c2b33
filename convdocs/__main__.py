"""The ``convdocs`` command line: output sizes and receptive fields of a network.

Commands (the first word; ``rf`` is the default, so ``convdocs vgg16 --input-size 224``
is short for ``convdocs rf vgg16 --input-size 224``)::

    convdocs rf MODEL-OR-LAYERS [--input-size N | HxW]
    convdocs models
    convdocs solve-padding INPUT OUTPUT -k K [-s S] [-d D]
    convdocs inverse INPUT -k K [-s S] [-p P] [-d D]
    convdocs sizes MODEL (SIZE | --range LOW HIGH)

Exit status: 0 on success; 1 when the work fails (``convdocs sizes MODEL SIZE`` for a
SIZE the model rejects, a full disk, a closed standard output, memory running out, any
unexpected failure); 2 for a usage error (an unknown option or model, a malformed or
out-of-range argument); 130 when interrupted. Every error is one line,
``convdocs: error: ...``, on stderr, never a traceback. When the reader of a pipe stops
early (``convdocs sizes unet --range 1 3000 | head -1``), convdocs ends quietly with
status 1. On a terminal that cannot show some characters (``PYTHONIOENCODING=ascii``),
arrows, floor brackets and the like are written in ASCII (``->``, ``floor(...)``).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import unicodedata

from convdocs.receptive import LAYER_GRAMMAR

COMMANDS = ("rf", "models", "solve-padding", "inverse", "sizes")
DEFAULT_COMMAND = "rf"


class _UsageError(Exception):
    pass


class _StdoutClosedError(Exception):
    pass


class _OutputError(Exception):
    """Writing the result failed: a full disk, an output closed while running..."""


# ASCII stand-ins for the non-ASCII characters of convdocs' reports, used only when the
# output's encoding cannot show them; anything else falls back to its compatibility
# decomposition (NFKD), then to "?".
_ASCII = str.maketrans(
    {
        "\N{RIGHTWARDS ARROW}": "->",
        "\N{LEFTWARDS ARROW}": "<-",
        "\N{EM DASH}": "-",
        "\N{EN DASH}": "-",
        "\N{MINUS SIGN}": "-",
        "\N{LEFT FLOOR}": "floor(",
        "\N{RIGHT FLOOR}": ")",
        "\N{LEFT CEILING}": "ceil(",
        "\N{RIGHT CEILING}": ")",
        "\N{MIDDLE DOT}": "*",
        "\N{MULTIPLICATION SIGN}": "x",
        "\N{IDENTICAL TO}": "=",
        "\N{LESS-THAN OR EQUAL TO}": "<=",
        "\N{GREATER-THAN OR EQUAL TO}": ">=",
        "\N{NOT EQUAL TO}": "!=",
        "\N{HORIZONTAL ELLIPSIS}": "...",
        "\N{LEFT SINGLE QUOTATION MARK}": "'",
        "\N{RIGHT SINGLE QUOTATION MARK}": "'",
        "\N{LEFT DOUBLE QUOTATION MARK}": '"',
        "\N{RIGHT DOUBLE QUOTATION MARK}": '"',
    }
)


def _encodable(text: str, stream) -> str:
    """``text`` as ``stream``'s encoding can write it: ASCII stand-ins where it cannot."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        text = unicodedata.normalize("NFKD", text.translate(_ASCII))
        text = "".join(c for c in text if not unicodedata.combining(c))  # é: e, not e?
        text = text.encode(encoding, errors="replace").decode(encoding)
    except LookupError:  # an encoding Python does not know: write ASCII
        return _encodable(text, None).encode("ascii", errors="replace").decode("ascii")
    return text


def _write(text: str, stream=None) -> None:
    """Write ``text`` and a newline to ``stream`` (standard output by default)."""
    stream = sys.stdout if stream is None else stream
    if stream is None:  # started with standard output closed (convdocs >&-)
        raise _StdoutClosedError
    try:
        stream.write(_encodable(text, stream) + "\n")
    except BrokenPipeError:
        raise
    except OSError as err:
        raise _OutputError(err.strerror or str(err)) from err


def _flush() -> None:
    """Flush standard output now: a full disk is then reported like any other error."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as err:
        raise _OutputError(err.strerror or str(err)) from err


class _Parser(argparse.ArgumentParser):
    """argparse, with errors raised (and printed by ``main`` on one line)."""

    def error(self, message):
        raise _UsageError(message)

    def _print_message(self, message, file=None):  # --help, --version
        if message:
            _write(message.rstrip("\n"), file)


def _shown(text: str, limit: int = 40) -> str:
    """``repr(text)``, shortened to ``limit`` characters for a one-line message."""
    return (
        repr(text) if len(text) <= limit else f"{text[: limit - 10]!r}... ({len(text)} characters)"
    )


def _digits(text: str) -> int | None:
    """The int written in ASCII digits by ``text``, or None (too long: over 4000 digits)."""
    if not re.fullmatch(r"[0-9]{1,4000}", text):
        return None
    return int(text)


def _input_size(text):
    match = re.fullmatch(r"([0-9]+)(?:x([0-9]+))?", text.strip())
    values = [] if match is None else [_digits(g) for g in match.groups() if g is not None]
    if not values or None in values or min(values) < 1:
        msg = f"must be a positive int N or HxW such as 224 or 480x640, got {_shown(text)}"
        raise argparse.ArgumentTypeError(msg)
    return values[0] if len(values) == 1 else tuple(values)


def _model_names():
    try:
        from convdocs.models import MODELS
    except ImportError:  # PyTorch is not installed: layer strings still work
        return {}
    return MODELS


def _parser():
    parser = _Parser(
        prog="convdocs",
        description=(
            "Output sizes and receptive fields of convolutional networks. The command "
            "defaults to 'rf': 'convdocs vgg16 --input-size 224' runs 'convdocs rf vgg16 "
            "--input-size 224'."
        ),
        epilog=LAYER_GRAMMAR,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from convdocs import __version__

    parser.add_argument("--version", action="version", version=f"convdocs {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    rf = commands.add_parser(
        "rf",
        help="print the output size and receptive field of every layer (default)",
        description=(
            "Print the output size, effective stride and receptive field of every layer "
            "of a built-in model or of a network written as a layer string.\n\n" + LAYER_GRAMMAR
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rf.add_argument(
        "network",
        metavar="MODEL-OR-LAYERS",
        help="a built-in model name (see 'convdocs models') or a layer string",
    )
    rf.add_argument(
        "--input-size",
        type=_input_size,
        metavar="N|HxW",
        help="spatial size of the input (required for a model; optional for layers)",
    )
    commands.add_parser(
        "models",
        help="list the built-in models",
        description="List the built-in model names that 'convdocs rf' accepts.",
    )
    solve = commands.add_parser(
        "solve-padding",
        help="the padding that maps an input size to an output size",
        description=(
            "The padding that maps INPUT to OUTPUT: symmetric (PyTorch's padding=) when "
            "one exists, otherwise the smallest (before, after) pair, odd pixel after. "
            "Example: convdocs solve-padding 112 56 -k 3 -s 2"
        ),
    )
    solve.add_argument("input", type=_input_size, metavar="INPUT", help="input size, N or HxW")
    solve.add_argument("output", type=_input_size, metavar="OUTPUT", help="output size")
    inverse = commands.add_parser(
        "inverse",
        help="the ConvTranspose2d that restores a Conv2d's input size",
        description=(
            "The ConvTranspose2d parameters, output_padding included, that take the output "
            "of a Conv2d on INPUT back to exactly INPUT. "
            "Example: convdocs inverse 28 -k 3 -s 2 -p 1"
        ),
    )
    inverse.add_argument("input", type=_input_size, metavar="INPUT", help="input size")
    inverse.add_argument("-p", "--padding", type=_input_size, default=0, metavar="P")
    sizes = commands.add_parser(
        "sizes",
        help="which input sizes a built-in model accepts, or why one fails",
        description=(
            "With --range: the valid input sizes of MODEL between LOW and HIGH and the rule "
            "they follow. With SIZE: the shape of every layer's output for that input, or "
            "where PyTorch would fail and why, with the nearest valid sizes (exit status 1 "
            "when SIZE is not valid). Examples: convdocs sizes unet --range 500 600; "
            "convdocs sizes unet-padded 500"
        ),
    )
    sizes.add_argument("model", metavar="MODEL", help="a built-in model name")
    sizes.add_argument("size", nargs="?", type=_input_size, metavar="SIZE", help="N or HxW")
    sizes.add_argument(
        "--range", nargs=2, type=_positive, metavar=("LOW", "HIGH"), help="sizes to check"
    )
    for command in (solve, inverse):
        command.add_argument("-k", "--kernel-size", type=_input_size, required=True, metavar="K")
        command.add_argument("-s", "--stride", type=_input_size, default=1, metavar="S")
        command.add_argument("-d", "--dilation", type=_input_size, default=1, metavar="D")
    return parser


def _run_solve_padding(args) -> None:
    from convdocs.solve import solve_padding

    pads = solve_padding(args.input, args.output, args.kernel_size, args.stride, args.dilation)
    pairs = [pads] if isinstance(pads[0], int) else list(pads)
    if all(before == after for before, after in pairs):
        amount = [before for before, _ in pairs]
        shown = amount[0] if len(amount) == 1 else tuple(amount)
        _write(f"padding={shown}  (symmetric: nn.Conv2d(..., padding={shown}))")
    else:
        shown = pairs[0] if len(pairs) == 1 else tuple(pairs)
        _write(f"padding (before, after) = {shown}  (asymmetric: pad with F.pad first)")


def _run_inverse(args) -> None:
    from convdocs.solve import inverse_conv

    values = (args.input, args.kernel_size, args.stride, args.padding, args.dilation)
    if any(isinstance(v, tuple) for v in values):  # HxW anywhere: one value per dimension
        values = [v if isinstance(v, tuple) else (v, v) for v in values]
    params = inverse_conv(*values)
    text = ", ".join(
        f"{name}={value[0] if len(set(value)) == 1 else value}"
        for name, value in params.kwargs.items()
    )
    _write(f"ConvTranspose2d(in_channels, out_channels, {text})")


def _unknown_model(name, models, hint="") -> _UsageError:
    allowed = ", ".join(models) or "none (PyTorch is not installed)"
    return _UsageError(f"unknown model {name!r}; built-in models: {allowed}{hint}")


def _positive(text):
    value = _digits(text.strip())
    if value is None or value < 1:
        msg = f"must be a positive int, got {_shown(text)}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _run_sizes(args) -> int:
    from convdocs.shapes import explain_shapes, valid_input_sizes

    models = _model_names()
    if args.model not in models:
        raise _unknown_model(args.model, models)
    if (args.size is None) == (args.range is None):
        msg = "give either SIZE or --range LOW HIGH, e.g. convdocs sizes unet --range 500 600"
        raise _UsageError(msg)
    if args.range is not None and args.range[0] > args.range[1]:
        msg = f"--range LOW HIGH needs LOW <= HIGH, got {args.range[0]} {args.range[1]}"
        raise _UsageError(msg)
    model = models[args.model]()  # after every check: building a model takes a while
    if args.size is not None:
        report = explain_shapes(model, args.size)
        _write(str(report))
        return 0 if report.ok else 1
    low, high = args.range
    _write(str(valid_input_sizes(model, range(low, high + 1))))
    return 0


def _run_rf(args) -> None:
    from convdocs.receptive import receptive_field

    models = _model_names()
    if args.network in models:
        if args.input_size is None:
            msg = (
                f"--input-size is required for the model {args.network!r} (e.g. --input-size 224)"
            )
            raise _UsageError(msg)
        model = models[args.network]()
        result = receptive_field(model, args.input_size)
    else:
        if re.fullmatch(r"[A-Za-z][\w-]*", args.network) and not re.match(
            r"(?i)(convt|conv|pool|up)\d", args.network
        ):
            raise _unknown_model(args.network, models, "; or give layers such as conv3p1,pool2")
        result = receptive_field(args.network, args.input_size)
    _write(str(result))


def main(argv=None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Examples
    --------
    >>> from convdocs.__main__ import main
    >>> main(["conv3,conv3", "--input-size", "8"])
    units of           conv3
    input size         8
    output size        4
    receptive field    5
    effective stride   1
    effective padding  0
    <BLANKLINE>
    layer  kind   output  stride  field  centre
    input  input       8       1      1       0
    conv3  Conv        6       1      3       1
    conv3  Conv        4       1      5       2
    0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in (*COMMANDS, "-h", "--help", "--version"):
        argv.insert(0, DEFAULT_COMMAND)
    try:
        try:
            code = _run(argv)
        except SystemExit as stop:  # --help and --version
            code = stop.code or 0
        _flush()
    except (Exception, KeyboardInterrupt) as err:  # noqa: BLE001 (one line, never a traceback)
        return _report(err)
    return code


# How main reports each failure: the message (None: the error's own; "": nothing) and
# the exit status, 2 for usage errors and 1 for failures. The first row that matches
# wins, so a subclass comes before its base (UnicodeError is a ValueError).
_FAILURES = (
    (_UsageError, None, 2),
    (UnicodeError, None, 1),  # not the caller's mistake
    ((TypeError, ValueError), None, 2),  # an argument convdocs refuses
    (BrokenPipeError, "", 1),  # the reader stopped early (| head): end quietly
    (_StdoutClosedError, "standard output is closed: nowhere to write the result", 1),
    (_OutputError, "cannot write the output: {err}", 1),  # a full disk, a closed output
    (MemoryError, "out of memory: the computation needs more memory than is available", 1),
    (RecursionError, "the network is too deep to analyse (Python's recursion limit)", 1),
    (KeyboardInterrupt, "interrupted", 130),
    (Exception, "unexpected {kind}: {err}", 1),  # the last resort
)


def _report(err) -> int:
    """Report ``err`` as ``_FAILURES`` says; return the exit status."""
    message, code = next((m, c) for types, m, c in _FAILURES if isinstance(err, types))
    if isinstance(err, (BrokenPipeError, _OutputError)):
        _silence_stdout()  # so the flush at exit cannot fail again
    if message == "":
        return code
    return _fail(
        err if message is None else message.format(err=err, kind=type(err).__name__), code
    )


def _run(argv) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        msg = "give a command or a network: convdocs rf MODEL-OR-LAYERS, convdocs models"
        raise _UsageError(msg)
    if args.command == "models":
        for name in _model_names():
            _write(name)
    elif args.command == "solve-padding":
        _run_solve_padding(args)
    elif args.command == "inverse":
        _run_inverse(args)
    elif args.command == "sizes":
        return _run_sizes(args)
    else:
        _run_rf(args)
    return 0


def _fail(err, code: int) -> int:
    """Print ``err`` on one line of stderr, as ``convdocs: error: ...``; return ``code``."""
    message = " ".join(str(err).split()) or type(err).__name__
    if len(message) > 2000:  # an argument echoed whole can be megabytes long
        message = message[:2000] + " ..."
    stream = sys.stderr
    if stream is not None:  # started with stderr closed: the exit status says it all
        try:
            _write(f"convdocs: error: {message}", stream)
            stream.flush()
        except (OSError, ValueError):
            pass
    return code


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so the flush at exit cannot fail again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (captured by a test)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
