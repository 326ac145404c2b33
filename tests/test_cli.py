"""The convdocs command line: tables, exit codes and one-line errors."""

import os
import subprocess
import sys

import pytest

from convdocs.__main__ import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_layer_string_prints_the_table(capsys):
    code, out, err = run(capsys, "conv7s2p3,pool3s2p1,conv3p1,conv3p1", "--input-size", "224")
    assert (code, err) == (0, "")
    assert "receptive field    27" in out
    assert "effective stride   4" in out
    assert "effective padding  13" in out
    assert "pool3s2p1  Pool       56       4     11       0" in out


def test_rf_is_the_default_command(capsys):
    explicit = run(capsys, "rf", "conv3,conv3")
    implicit = run(capsys, "conv3,conv3")
    assert explicit == implicit
    assert explicit[0] == 0
    assert "receptive field    5" in explicit[1]
    assert "-" in explicit[1].splitlines()[-1]  # no input size: no output sizes


def test_options_may_come_first(capsys):
    code, out, _ = run(capsys, "--input-size", "32x48", "conv3s2")
    assert code == 0
    assert "output size        15x23" in out


def test_builtin_model(capsys):
    code, out, err = run(capsys, "vgg16", "--input-size", "224")
    assert (code, err) == (0, "")
    assert "units of           features.30" in out
    assert "receptive field    212" in out
    assert "'avgpool' (AdaptiveAvgPool2d) ends the spatial structure" in out


def test_unet_reports_a_range(capsys):
    code, out, _ = run(capsys, "unet", "--input-size", "220")
    assert code == 0
    assert "188..204 (differs between output units" in out


def test_models_command_lists_the_builtin_models(capsys):
    code, out, _ = run(capsys, "models")
    assert code == 0
    assert out.split() == ["alexnet", "vgg16", "resnet18", "resnet50", "unet", "unet-padded"]


def test_help_documents_the_grammar(capsys):
    code, out, _ = run(capsys, "rf", "--help")
    assert code == 0
    assert "convT (transposed convolution)" in out
    assert "o<n>: output padding" in out
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "defaults to 'rf'" in out


ERRORS = [
    (["vgg16"], r"--input-size is required for the model 'vgg16'"),
    (["resnet"], r"unknown model 'resnet'; built-in models: alexnet, vgg16"),
    (["conv3,dense4"], r"cannot read layer 2, 'dense4'"),
    (["conv3", "--input-size", "0"], r"argument --input-size: must be a positive int"),
    (["conv3", "--input-size", "2x"], r"must be a positive int N or HxW .*got '2x'"),
    (["conv5", "--input-size", "3"], r"layer 0 \(conv5\): kernel_size 5 .* more than the padded"),
    (["rf"], r"the following arguments are required: MODEL-OR-LAYERS"),
    (["rf", "conv3", "--bogus"], r"unrecognized arguments: --bogus"),
    ([], r"give a command or a network"),
]


@pytest.mark.parametrize(("argv", "message"), ERRORS, ids=[" ".join(a) or "-" for a, _ in ERRORS])
def test_errors_are_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.endswith("\n")
    assert err.count("\n") == 1
    assert err.startswith("convdocs: error: ")
    assert pytest.importorskip("re").search(message, err), err


def test_python_dash_m_convdocs(tmp_path):
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    result = subprocess.run(
        [sys.executable, "-m", "convdocs", "conv3p1,pool2", "--input-size", "8x6"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "output size        4x3" in result.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "convdocs", "conv0"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("convdocs: error: cannot read layer 1, 'conv0'")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["solve-padding", "112", "56", "-k", "3", "-s", "2"], "padding=1  (symmetric"),
        (["solve-padding", "112", "112", "-k", "3", "-s", "2"], "padding=57  (symmetric"),
        (["solve-padding", "8", "8", "-k", "4"], "padding (before, after) = (1, 2)"),
        (["solve-padding", "224x225", "112x113", "-k", "3", "-s", "2"], "padding=(1, 1)"),
        (["inverse", "28", "-k", "3", "-s", "2", "-p", "1"], "output_padding=1,"),
        (["inverse", "28x27", "-k", "3", "-s", "2", "-p", "1"], "output_padding=(1, 0)"),
        (["inverse", "28", "-k", "3", "-s", "2", "-p", "1x2"], "padding=(1, 2), output_padding=1"),
    ],
)
def test_working_backwards_commands(capsys, argv, expected):
    assert main(argv) == 0
    assert expected in capsys.readouterr().out


def test_solved_padding_runs_in_pytorch(capsys):
    import torch

    main(["solve-padding", "112", "112", "-k", "3", "-s", "2"])
    padding = int(capsys.readouterr().out.split()[0].removeprefix("padding="))
    layer = torch.nn.Conv2d(1, 1, 3, stride=2, padding=padding)
    assert layer(torch.zeros(1, 1, 112, 112)).shape[-1] == 112


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["solve-padding", "112", "40", "-k", "3", "-s", "2"], "reachable output sizes are 55"),
        (["solve-padding", "112", "56"], "the following arguments are required: -k"),
        (["inverse", "28", "-k", "0"], "argument -k/--kernel-size: must be a positive int"),
        (["inverse", "2", "-k", "5"], "kernel_size 5 with dilation 1 spans 5 pixels"),
    ],
)
def test_working_backwards_errors(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err


def test_sizes_range_prints_the_rule_and_the_valid_sizes(capsys):
    assert main(["sizes", "unet", "--range", "500", "600"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("UNet: 16k + 12 from 188 on")
    assert "valid candidates: 508, 524, 540, 556, 572, 588" in out


def test_sizes_explains_a_failing_size_and_exits_1(capsys):
    assert main(["sizes", "unet-padded", "500"]) == 1
    out = capsys.readouterr().out
    assert "PyTorch fails at 'cat_1'" in out
    assert "nearest valid input sizes: 496 and 512" in out
    assert main(["sizes", "unet-padded", "512x496"]) == 0
    assert "every layer accepts its input" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sizes", "unet"], "give either SIZE or --range LOW HIGH"),
        (["sizes", "unet", "500", "--range", "1", "2"], "give either SIZE or --range LOW HIGH"),
        (["sizes", "resnet", "224"], "unknown model 'resnet'; built-in models: alexnet"),
        (["sizes", "unet", "--range", "600", "500"], "needs LOW <= HIGH, got 600 500"),
        (["sizes", "unet", "--range", "0", "5"], "argument --range: must be a positive int"),
        (["sizes", "unet", "5x"], "argument SIZE: must be a positive int N or HxW"),
    ],
)
def test_sizes_errors(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err


# The command line as a shell runs it: real processes, real pipes and files -------------


def convdocs_process(*argv, env=None, **kwargs):
    """Start ``python -m convdocs ARGV`` with text stderr (stdout as ``kwargs`` say)."""
    return subprocess.Popen(
        [sys.executable, "-m", "convdocs", *argv],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


def assert_one_line_error(stderr, message):
    assert stderr.startswith("convdocs: error: "), stderr
    assert stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    assert message in stderr, stderr


def test_a_pipe_closed_by_the_reader_ends_quietly():
    # As `convdocs ... | head -1` when head exits first: the read end is closed before
    # convdocs writes anything, so every write meets a broken pipe.
    process = convdocs_process("conv3,conv3,conv3", "--input-size", "64", stdout=subprocess.PIPE)
    process.stdout.close()
    _, stderr = process.communicate(timeout=120)
    assert (process.returncode, stderr) == (1, "")


def test_a_full_disk_is_a_one_line_error():
    with open("/dev/full", "w") as full:
        process = convdocs_process("conv3,conv3", "--input-size", "8", stdout=full)
        _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1
    assert_one_line_error(stderr, "cannot write the output: No space left on device")


def test_help_on_a_full_disk_is_a_one_line_error():
    with open("/dev/full", "w") as full:
        process = convdocs_process("--help", stdout=full)
        _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1
    assert_one_line_error(stderr, "No space left on device")


def test_a_closed_stdout_is_a_one_line_error():
    # `convdocs ... >&-`: file descriptor 1 is closed before Python starts.
    process = convdocs_process("conv3,conv3", "--input-size", "8", preexec_fn=lambda: os.close(1))
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1
    assert_one_line_error(stderr, "standard output is closed")


ASCII_TERMINALS = [
    {"PYTHONIOENCODING": "ascii"},
    {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"},
]


@pytest.mark.parametrize("env", ASCII_TERMINALS, ids=["PYTHONIOENCODING=ascii", "LC_ALL=C"])
def test_an_ascii_terminal_gets_the_whole_report_in_ascii(env):
    process = convdocs_process("sizes", "unet", "500", env=env, stdout=subprocess.PIPE)
    stdout, stderr = process.communicate(timeout=300)
    # 500 is not a valid size for the U-Net: the report explains why, with exit status 1.
    assert (process.returncode, stderr) == (1, "")
    stdout.encode("ascii")
    assert "the crop is not centred (55 -> 46: drops 4 before, 5 after)" in stdout
    assert "floor((55 - 2)/2) + 1 = 27" in stdout
    assert "nearest valid input sizes:" in stdout


@pytest.mark.parametrize("env", ASCII_TERMINALS, ids=["PYTHONIOENCODING=ascii", "LC_ALL=C"])
def test_an_ascii_terminal_gets_help_and_errors(env):
    process = convdocs_process("rf", "--help", env=env, stdout=subprocess.PIPE)
    stdout, stderr = process.communicate(timeout=120)
    assert (process.returncode, stderr) == (0, "")
    assert "o<n>: output padding" in stdout
    process = convdocs_process("conv3", "--input-size", "2→3", env=env, stdout=subprocess.PIPE)
    stdout, stderr = process.communicate(timeout=120)
    assert (process.returncode, stdout) == (2, "")
    assert_one_line_error(stderr, "must be a positive int N or HxW")


def test_ascii_fallbacks():
    from convdocs.__main__ import _encodable

    class Ascii:
        encoding = "ascii"

    assert _encodable("⌊(7 - 3)/2⌋ + 1 = 3 · 55 → 46 — ≡ ⌈x⌉ é", Ascii()) == (
        "floor((7 - 3)/2) + 1 = 3 * 55 -> 46 - = ceil(x) e"
    )
    assert _encodable("日本", Ascii()) == "??"


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (MemoryError(), "out of memory"),
        (RecursionError("maximum recursion depth exceeded"), "too deep"),
        (RuntimeError("a bug\nover two lines"), "unexpected RuntimeError: a bug over two lines"),
        (KeyError("x"), "unexpected KeyError: 'x'"),
        (OSError(5, "Input/output error"), "unexpected OSError"),
    ],
)
def test_every_failure_while_working_is_one_line_and_exit_1(monkeypatch, capsys, failure, message):
    import convdocs.receptive

    def fail(*_args, **_kwargs):
        raise failure

    monkeypatch.setattr(convdocs.receptive, "receptive_field", fail)
    code, out, err = run(capsys, "conv3", "--input-size", "8")
    assert (code, out) == (1, "")
    assert_one_line_error(err, message)


def test_an_encoding_failure_is_not_a_usage_error(monkeypatch, capsys):
    import convdocs.receptive

    def fail(*_args, **_kwargs):
        encoding, reason = "ascii", "ordinal not in range(128)"
        raise UnicodeEncodeError(encoding, "→", 0, 1, reason)

    monkeypatch.setattr(convdocs.receptive, "receptive_field", fail)
    code, _, err = run(capsys, "conv3", "--input-size", "8")
    assert code == 1
    assert_one_line_error(err, "'ascii' codec can't encode")


def test_interrupted_is_one_line_and_exit_130(monkeypatch, capsys):
    import convdocs.receptive

    def interrupt(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(convdocs.receptive, "receptive_field", interrupt)
    code, _, err = run(capsys, "conv3")
    assert code == 130
    assert_one_line_error(err, "interrupted")


def test_a_real_memory_error_in_a_process_is_one_line():
    # A subprocess whose model builder asks for more memory than exists; the process
    # must still end with one line, not a traceback.
    code = (
        "import sys, convdocs.models\n"
        "def huge(**kwargs):\n"
        "    return bytearray(1 << 62)\n"
        "convdocs.models.MODELS['unet'] = huge\n"
        "from convdocs.__main__ import main\n"
        "sys.exit(main(['sizes', 'unet', '--range', '1', '3']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert_one_line_error(result.stderr, "out of memory")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["sizes", "unet", "--range", "1", "²"],
            "argument --range: must be a positive int, got '²'",
        ),
        (["conv3", "--input-size", "٣"], "must be a positive int N or HxW"),
        (["conv3", "--input-size", "9" * 5000], "(5000 characters)"),
        (["sizes", "unet", "--range", "1", "9" * 5000], "(5000 characters)"),
    ],
)
def test_odd_numbers_are_usage_errors_with_short_messages(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert_one_line_error(err, message)
    assert len(err) < 300
    assert "invalid" not in err  # argparse's "invalid _positive value" names a function
