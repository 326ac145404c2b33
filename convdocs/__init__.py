"""convdocs: the executable reference on convolution arithmetic for CNNs.

Reference implementations of the arithmetic of padding, stride, dilation and
transposed convolution, checked against PyTorch, OpenCV and numpy.
"""

from convdocs.arithmetic import (
    conv_output_size,
    conv_transpose_output_size,
    effective_kernel_size,
    same_padding,
)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "conv_output_size",
    "conv_transpose_output_size",
    "effective_kernel_size",
    "same_padding",
]
