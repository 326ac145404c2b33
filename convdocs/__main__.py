"""The ``convdocs`` command line: output sizes and receptive fields of a network.

Commands (the first word; ``rf`` is the default, so ``convdocs vgg16 --input-size 224``
is short for ``convdocs rf vgg16 --input-size 224``)::

    convdocs rf MODEL-OR-LAYERS [--input-size N | HxW]
    convdocs models
    convdocs solve-padding INPUT OUTPUT -k K [-s S] [-d D]
    convdocs inverse INPUT -k K [-s S] [-p P] [-d D]
    convdocs sizes MODEL (SIZE | --range LOW HIGH)

Errors print one line, ``convdocs: error: ...``, to stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import re
import sys

from convdocs.receptive import LAYER_GRAMMAR

COMMANDS = ("rf", "models", "solve-padding", "inverse", "sizes")
DEFAULT_COMMAND = "rf"


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, with errors raised (and printed by ``main`` on one line)."""

    def error(self, message):
        raise _UsageError(message)


def _input_size(text):
    match = re.fullmatch(r"(\d+)(?:x(\d+))?", text.strip())
    if match is None or int(match.group(1)) < 1 or (match.group(2) and int(match.group(2)) < 1):
        msg = f"must be a positive int N or HxW such as 224 or 480x640, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    height = int(match.group(1))
    return height if match.group(2) is None else (height, int(match.group(2)))


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


def _run_solve_padding(args, out) -> None:
    from convdocs.solve import solve_padding

    pads = solve_padding(args.input, args.output, args.kernel_size, args.stride, args.dilation)
    pairs = [pads] if isinstance(pads[0], int) else list(pads)
    if all(before == after for before, after in pairs):
        amount = [before for before, _ in pairs]
        shown = amount[0] if len(amount) == 1 else tuple(amount)
        print(f"padding={shown}  (symmetric: nn.Conv2d(..., padding={shown}))", file=out)
    else:
        shown = pairs[0] if len(pairs) == 1 else tuple(pairs)
        print(f"padding (before, after) = {shown}  (asymmetric: pad with F.pad first)", file=out)


def _run_inverse(args, out) -> None:
    from convdocs.solve import inverse_conv

    params = inverse_conv(args.input, args.kernel_size, args.stride, args.padding, args.dilation)
    text = ", ".join(
        f"{name}={value[0] if len(set(value)) == 1 else value}"
        for name, value in params.kwargs.items()
    )
    print(f"ConvTranspose2d(in_channels, out_channels, {text})", file=out)


def _unknown_model(name, models, hint="") -> _UsageError:
    allowed = ", ".join(models) or "none (PyTorch is not installed)"
    return _UsageError(f"unknown model {name!r}; built-in models: {allowed}{hint}")


def _positive(text):
    if not text.isdigit() or int(text) < 1:
        msg = f"must be a positive int, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return int(text)


def _run_sizes(args, out) -> int:
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
        print(report, file=out)
        return 0 if report.ok else 1
    low, high = args.range
    print(valid_input_sizes(model, range(low, high + 1)), file=out)
    return 0


def _run_rf(args, out) -> None:
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
    print(result, file=out)


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
        args = _parser().parse_args(argv)
        if args.command is None:
            msg = "give a command or a network: convdocs rf MODEL-OR-LAYERS, convdocs models"
            raise _UsageError(msg)
        if args.command == "models":
            for name in _model_names():
                print(name)  # noqa: T201 (the command's output)
        elif args.command == "solve-padding":
            _run_solve_padding(args, sys.stdout)
        elif args.command == "inverse":
            _run_inverse(args, sys.stdout)
        elif args.command == "sizes":
            return _run_sizes(args, sys.stdout)
        else:
            _run_rf(args, sys.stdout)
    except SystemExit as stop:  # --help and --version
        return stop.code or 0
    except (_UsageError, TypeError, ValueError) as err:
        message = " ".join(str(err).split())
        print(f"convdocs: error: {message}", file=sys.stderr)  # noqa: T201
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
