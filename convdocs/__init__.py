"""convdocs: the executable reference on convolution arithmetic for CNNs.

Reference implementations of the arithmetic of padding, stride, dilation and
transposed convolution, checked against PyTorch, OpenCV and numpy.
"""

from convdocs.arithmetic import (
    causal_padding,
    conv_output_size,
    conv_transpose_output_size,
    effective_kernel_size,
    same_padding,
)
from convdocs.border import padding_share
from convdocs.conv import conv2d, conv_matrix, conv_transpose2d
from convdocs.cost import conv_cost, conv_parameters, model_cost
from convdocs.effective import effective_receptive_field
from convdocs.padding import PADDING_MODES, canonical_mode, pad
from convdocs.pooling import avg_pool2d, max_pool2d
from convdocs.receptive import (
    Conv,
    ConvTranspose,
    Pool,
    Upsample,
    empirical_receptive_field,
    parse_layers,
    receptive_field,
)
from convdocs.shapes import explain_shapes, valid_input_sizes
from convdocs.solve import colliding_input_sizes, inverse_conv, solve_padding
from convdocs.unfold import unfold_nbytes, unfold_shape
from convdocs.upsampling import icnr, overlap_counts, subpixel_to_transposed

__version__ = "0.1.0"

__all__ = [
    "PADDING_MODES",
    "Conv",
    "ConvTranspose",
    "Pool",
    "Upsample",
    "__version__",
    "avg_pool2d",
    "canonical_mode",
    "causal_padding",
    "colliding_input_sizes",
    "conv2d",
    "conv_cost",
    "conv_matrix",
    "conv_output_size",
    "conv_parameters",
    "conv_transpose2d",
    "conv_transpose_output_size",
    "effective_kernel_size",
    "effective_receptive_field",
    "empirical_receptive_field",
    "explain_shapes",
    "icnr",
    "inverse_conv",
    "max_pool2d",
    "model_cost",
    "overlap_counts",
    "pad",
    "padding_share",
    "parse_layers",
    "receptive_field",
    "same_padding",
    "solve_padding",
    "subpixel_to_transposed",
    "unfold_nbytes",
    "unfold_shape",
    "valid_input_sizes",
]
