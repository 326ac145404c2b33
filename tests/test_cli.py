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
