r"""Classic CNN architectures as plain PyTorch modules: AlexNet, VGG-16, ResNet, U-Net.

Written here because the examples, the tests and the receptive-field code need real
networks and torchvision is not a dependency. AlexNet, VGG-16 and the ResNets follow
torchvision's layer layout and attribute names, so their ``state_dict`` keys are
torchvision's and a torchvision checkpoint loads into them unchanged; U-Net follows the
paper (Ronneberger et al. 2015), which torchvision does not have.

The architectures are the shapes convolution arithmetic is about: stride-4 and
stride-2 convolutions, 3x3 convolutions with padding 1 that keep the size, max-pools
that halve it, residual shortcuts whose stride-2 1x1 convolution must land on the same
grid as the 3x3 branch, and U-Net's unpadded convolutions and cropped skip connections.

This module imports PyTorch (an optional dependency, installed with the ``test`` and
``docs`` extras); ``import convdocs`` does not import it.
"""

from __future__ import annotations

import functools
import itertools

import torch
from torch import nn

from convdocs._validate import check_int

__all__ = [
    "MODELS",
    "VGG",
    "AlexNet",
    "BasicBlock",
    "Bottleneck",
    "ResNet",
    "UNet",
    "alexnet",
    "center_crop",
    "get_model",
    "resnet18",
    "resnet50",
    "unet",
    "vgg16",
]


# AlexNet -------------------------------------------------------------------------------


class AlexNet(nn.Module):
    """AlexNet in torchvision's layout: ``features``, ``avgpool``, ``classifier``.

    Parameters
    ----------
    num_classes : int, default 1000
        Number of outputs of the last linear layer.

    See Also
    --------
    convdocs.models.alexnet : Builds this model, with the references.

    Examples
    --------
    >>> from convdocs.models import AlexNet
    >>> AlexNet(num_classes=10).classifier[-1]
    Linear(in_features=4096, out_features=10, bias=True)
    """

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=0.5),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=0.5),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


def alexnet(num_classes=1000):
    r"""AlexNet, as torchvision defines it (the single-tower variant).

    Parameters
    ----------
    num_classes : int, default 1000
        Number of outputs of the last linear layer.

    Returns
    -------
    convdocs.models.AlexNet
        A randomly initialised model (PyTorch's default initialisation, as in
        torchvision) with 61,100,840 parameters for 1000 classes.

    Raises
    ------
    TypeError
        If ``num_classes`` is not an int.
    ValueError
        If ``num_classes`` is smaller than 1.

    See Also
    --------
    convdocs.models.vgg16, convdocs.models.resnet18 : The networks that replaced it.
    convdocs.conv_output_size : The size rule every layer below follows.

    Notes
    -----
    Five convolutions (kernels 11, 5, 3, 3, 3; the first with stride 4 and padding 2)
    and three 3x3 max-pools with stride 2 ("overlapping pooling"). On a 224x224 input
    the spatial sizes are

    .. math::

        224 \xrightarrow{\text{conv } 11, s4, p2} 55
        \xrightarrow{\text{pool } 3, s2} 27
        \xrightarrow{\text{conv } 5, p2} 27
        \xrightarrow{\text{pool}} 13
        \xrightarrow{3 \times \text{conv } 3, p1} 13
        \xrightarrow{\text{pool}} 6 ,

    from :math:`o = \lfloor (i + 2p - k)/s \rfloor + 1`; for example
    :math:`\lfloor (224 + 4 - 11)/4 \rfloor + 1 = 55`. An adaptive average pool then
    makes the map 6x6 for any input size of at least 63, so the classifier always
    sees :math:`256 \cdot 6 \cdot 6 = 9216` features.

    The channel widths (64, 192, 384, 256, 256) are those of Krizhevsky's 2014
    single-GPU network [2]_, which torchvision implements, not the two-tower
    96-256-384-384-256 network of the 2012 paper [1]_; the 2012 paper's local response
    normalisation is left out, as in torchvision.

    References
    ----------
    .. [1] A. Krizhevsky, I. Sutskever and G. E. Hinton, "ImageNet classification with
       deep convolutional neural networks", NeurIPS 2012.
    .. [2] A. Krizhevsky, "One weird trick for parallelizing convolutional neural
       networks", arXiv:1404.5997, 2014.

    Examples
    --------
    >>> import torch
    >>> from convdocs.models import alexnet
    >>> model = alexnet()
    >>> sum(p.numel() for p in model.parameters())
    61100840
    >>> with torch.no_grad():
    ...     model.features(torch.zeros(1, 3, 224, 224)).shape
    torch.Size([1, 256, 6, 6])
    >>> alexnet(num_classes=10).classifier[6]
    Linear(in_features=4096, out_features=10, bias=True)
    """
    return AlexNet(check_int("num_classes", num_classes))


# VGG -------------------------------------------------------------------------------------

# Configuration "D" of Simonyan & Zisserman's table 1: channels of each 3x3 convolution,
# "M" for a 2x2 max-pool with stride 2.
_VGG16 = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")


class VGG(nn.Module):
    """VGG in torchvision's layout: ``features``, ``avgpool``, ``classifier``.

    Parameters
    ----------
    features : torch.nn.Module
        The convolutional part, ending with 512 channels.
    num_classes : int, default 1000
        Number of outputs of the last linear layer.

    See Also
    --------
    convdocs.models.vgg16 : Builds the 16-layer model, with the references.

    Examples
    --------
    Any convolutional part ending with 512 channels; the adaptive pool makes its output
    7x7:

    >>> import torch
    >>> from convdocs.models import VGG
    >>> features = torch.nn.Sequential(
    ...     torch.nn.Conv2d(3, 512, kernel_size=3, padding=1), torch.nn.MaxPool2d(32)
    ... )
    >>> with torch.no_grad():
    ...     VGG(features, num_classes=10)(torch.zeros(1, 3, 64, 64)).shape
    torch.Size([1, 10])
    """

    def __init__(self, features: nn.Module, num_classes: int = 1000) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=0.5),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=0.5),
            nn.Linear(4096, num_classes),
        )
        # torchvision's initialisation.
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


def _vgg_features(config) -> nn.Sequential:
    layers = []
    channels = 3
    for item in config:
        if item == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(channels, item, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            channels = item
    return nn.Sequential(*layers)


def vgg16(num_classes=1000):
    r"""VGG-16 (configuration D, without batch normalisation), as torchvision defines it.

    Parameters
    ----------
    num_classes : int, default 1000
        Number of outputs of the last linear layer.

    Returns
    -------
    convdocs.models.VGG
        A randomly initialised model (torchvision's initialisation) with 138,357,544
        parameters for 1000 classes.

    Raises
    ------
    TypeError
        If ``num_classes`` is not an int.
    ValueError
        If ``num_classes`` is smaller than 1.

    See Also
    --------
    convdocs.models.alexnet : The network VGG deepened.
    convdocs.models.resnet18 : Deeper still, with shortcuts.
    convdocs.conv_output_size : The size rule every layer below follows.

    Notes
    -----
    Thirteen 3x3 convolutions with padding 1, which keep the size
    (:math:`o = i + 2 - 3 + 1 = i`), in five blocks, each ended by a 2x2 max-pool with
    stride 2, which halves it (:math:`o = \lfloor i/2 \rfloor`). The five pools divide
    the input size by 32: on 224x224 the blocks end at 112, 56, 28, 14 and 7. Three
    linear layers follow an adaptive average pool to 7x7 (an identity at 224x224).

    Two stacked 3x3 convolutions see a 5x5 window and three see 7x7, with fewer weights
    and more non-linearities than one large kernel: the paper's argument for small
    kernels [1]_.

    References
    ----------
    .. [1] K. Simonyan and A. Zisserman, "Very deep convolutional networks for
       large-scale image recognition", ICLR 2015, arXiv:1409.1556.

    Examples
    --------
    >>> import torch
    >>> from convdocs.models import vgg16
    >>> model = vgg16()
    >>> sum(p.numel() for p in model.parameters())
    138357544
    >>> sum(isinstance(m, torch.nn.Conv2d) for m in model.modules())
    13

    Five halvings divide the size by 32 (a small input keeps the example fast):

    >>> with torch.no_grad():
    ...     model.features(torch.zeros(1, 3, 64, 64)).shape
    torch.Size([1, 512, 2, 2])
    """
    num_classes = check_int("num_classes", num_classes)
    return VGG(_vgg_features(_VGG16), num_classes)


# ResNet ----------------------------------------------------------------------------------


def _conv3x3(in_channels: int, out_channels: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)


def _conv1x1(in_channels: int, out_channels: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """The two-convolution residual block of ResNet-18 and -34 (torchvision's names).

    Parameters
    ----------
    inplanes : int
        Input channels.
    planes : int
        Channels of both 3x3 convolutions and of the output.
    stride : int, default 1
        Stride of the first 3x3 convolution (and of ``downsample``).
    downsample : torch.nn.Module or None, default None
        The shortcut's 1x1 convolution and batch norm, where the shape changes.

    See Also
    --------
    convdocs.models.resnet18 : The network built from these blocks.

    Examples
    --------
    >>> import torch
    >>> from convdocs.models import BasicBlock
    >>> shortcut = torch.nn.Sequential(
    ...     torch.nn.Conv2d(64, 128, 1, stride=2, bias=False), torch.nn.BatchNorm2d(128)
    ... )
    >>> block = BasicBlock(64, 128, stride=2, downsample=shortcut)
    >>> with torch.no_grad():
    ...     block(torch.zeros(1, 64, 56, 56)).shape
    torch.Size([1, 128, 28, 28])
    """

    expansion = 1

    def __init__(
        self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None
    ) -> None:
        super().__init__()
        self.conv1 = _conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = _conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class Bottleneck(nn.Module):
    """The 1x1-3x3-1x1 residual block of ResNet-50 and deeper (torchvision's v1.5).

    The stride sits on the 3x3 convolution (``conv2``), as in torchvision, not on the
    first 1x1 convolution as in the paper's original ("v1") design.

    Parameters
    ----------
    inplanes : int
        Input channels.
    planes : int
        Channels of the inner convolutions; the block outputs ``4 * planes``.
    stride : int, default 1
        Stride of the 3x3 convolution (and of ``downsample``).
    downsample : torch.nn.Module or None, default None
        The shortcut's 1x1 convolution and batch norm, where the shape changes.

    See Also
    --------
    convdocs.models.resnet50 : The network built from these blocks.

    Examples
    --------
    >>> import torch
    >>> from convdocs.models import Bottleneck
    >>> block = Bottleneck(256, 64)
    >>> block.conv1.out_channels, block.conv2.out_channels, block.conv3.out_channels
    (64, 64, 256)
    >>> with torch.no_grad():
    ...     block(torch.zeros(1, 256, 14, 14)).shape
    torch.Size([1, 256, 14, 14])
    """

    expansion = 4

    def __init__(
        self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None
    ) -> None:
        super().__init__()
        self.conv1 = _conv1x1(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = _conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = _conv1x1(planes, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    """ResNet in torchvision's layout: a stem, ``layer1`` to ``layer4``, ``avgpool``, ``fc``.

    Parameters
    ----------
    block : type
        :class:`~convdocs.models.BasicBlock` or :class:`~convdocs.models.Bottleneck`.
    layers : tuple of int
        Number of blocks in each of the four stages.
    num_classes : int, default 1000
        Number of outputs of ``fc``.

    See Also
    --------
    convdocs.models.resnet18, convdocs.models.resnet50 : Build the two standard depths.

    Examples
    --------
    A ResNet-10, one block per stage:

    >>> import torch
    >>> from convdocs.models import BasicBlock, ResNet
    >>> model = ResNet(BasicBlock, (1, 1, 1, 1), num_classes=10)
    >>> with torch.no_grad():
    ...     model(torch.zeros(1, 3, 64, 64)).shape
    torch.Size([1, 10])
    """

    def __init__(self, block: type, layers, num_classes: int = 1000) -> None:
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        # torchvision's initialisation (linear layers keep PyTorch's default).
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def _make_layer(self, block: type, planes: int, blocks: int, stride: int = 1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                _conv1x1(self.inplanes, planes * block.expansion, stride),
                nn.BatchNorm2d(planes * block.expansion),
            )
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


def resnet18(num_classes=1000):
    r"""ResNet-18, as torchvision defines it.

    Parameters
    ----------
    num_classes : int, default 1000
        Number of outputs of ``fc``.

    Returns
    -------
    convdocs.models.ResNet
        A randomly initialised model (torchvision's initialisation) of
        :class:`~convdocs.models.BasicBlock` stages with 2, 2, 2, 2 blocks: 11,689,512 parameters for
        1000 classes.

    Raises
    ------
    TypeError
        If ``num_classes`` is not an int.
    ValueError
        If ``num_classes`` is smaller than 1.

    See Also
    --------
    convdocs.models.resnet50 : The deeper ResNet with bottleneck blocks.
    convdocs.models.vgg16 : The plain network ResNet's shortcuts let grow deeper.
    convdocs.conv_output_size : The size rule every layer below follows.

    Notes
    -----
    The stem is a 7x7 convolution with stride 2 and padding 3 and a 3x3 max-pool with
    stride 2 and padding 1; stages 2, 3 and 4 start with a stride-2 block. Every
    stride-2 layer here (7x7 with padding 3, 3x3 with padding 1, and the shortcut's 1x1
    with padding 0) maps size :math:`i` to

    .. math::

        o = \left\lfloor \frac{i + 2p - k}{2} \right\rfloor + 1
          = \left\lceil \frac{i}{2} \right\rceil \quad (k = 2p + 1),

    so a block's residual branch and its shortcut always produce the same size, and a
    224x224 input gives 112 after ``conv1``, 56 after ``maxpool`` and ``layer1``, then
    28, 14 and 7 after ``layer2``, ``layer3`` and ``layer4``: an effective stride of 32.
    An adaptive average pool to 1x1 and one linear layer follow.

    References
    ----------
    .. [1] K. He, X. Zhang, S. Ren and J. Sun, "Deep residual learning for image
       recognition", CVPR 2016, arXiv:1512.03385.

    Examples
    --------
    >>> import torch
    >>> from convdocs.models import resnet18
    >>> model = resnet18()
    >>> sum(p.numel() for p in model.parameters())
    11689512
    >>> with torch.no_grad():
    ...     model(torch.zeros(1, 3, 64, 64)).shape
    torch.Size([1, 1000])

    Only the first block of a stage changes the shape, so only it has a shortcut
    convolution:

    >>> model.layer2[0].downsample[0]
    Conv2d(64, 128, kernel_size=(1, 1), stride=(2, 2), bias=False)
    >>> model.layer2[1].downsample is None
    True
    """
    num_classes = check_int("num_classes", num_classes)
    return ResNet(BasicBlock, (2, 2, 2, 2), num_classes)


def resnet50(num_classes=1000):
    r"""ResNet-50, as torchvision defines it (v1.5: stride on the 3x3 convolution).

    Parameters
    ----------
    num_classes : int, default 1000
        Number of outputs of ``fc``.

    Returns
    -------
    convdocs.models.ResNet
        A randomly initialised model (torchvision's initialisation) of
        :class:`~convdocs.models.Bottleneck` stages with 3, 4, 6, 3 blocks: 25,557,032 parameters for
        1000 classes.

    Raises
    ------
    TypeError
        If ``num_classes`` is not an int.
    ValueError
        If ``num_classes`` is smaller than 1.

    See Also
    --------
    convdocs.models.resnet18 : The shallower ResNet with two-convolution blocks.
    convdocs.conv_output_size : The size rule every layer below follows.

    Notes
    -----
    The sizes are those of :func:`~convdocs.models.resnet18` (224 gives 112, 56, 56, 28, 14, 7): the
    stem and the stride of each stage are the same, only the blocks differ. Each
    block's first 1x1 convolution reduces the channels to ``planes`` and the last
    expands them to ``4 * planes`` (256, 512, 1024, 2048 after the four stages).

    In the first block of stages 2 to 4 the stride is on the 3x3 convolution
    (``conv2``), as in torchvision ("ResNet v1.5"); the paper's design puts it on the
    first 1x1 convolution, which then reads only every other pixel. The sizes are the
    same either way; the stride-2 1x1 convolution of the shortcut reads every other
    pixel in both.

    References
    ----------
    .. [1] K. He, X. Zhang, S. Ren and J. Sun, "Deep residual learning for image
       recognition", CVPR 2016, arXiv:1512.03385.

    Examples
    --------
    >>> import torch
    >>> from convdocs.models import resnet50
    >>> model = resnet50()
    >>> sum(p.numel() for p in model.parameters())
    25557032
    >>> model.layer2[0].conv1.stride, model.layer2[0].conv2.stride
    ((1, 1), (2, 2))
    >>> with torch.no_grad():
    ...     model.layer1(torch.zeros(1, 64, 56, 56)).shape
    torch.Size([1, 256, 56, 56])
    """
    num_classes = check_int("num_classes", num_classes)
    return ResNet(Bottleneck, (3, 4, 6, 3), num_classes)


# U-Net -----------------------------------------------------------------------------------


def center_crop(skip, like):
    """The central part of ``skip`` with the spatial size of ``like``.

    U-Net's crop of a skip connection before it is concatenated with the upsampled
    decoder map. The offsets are computed from the two tensors' shapes, so the crop
    is visible, as tensor slicing, to tools that trace the model (``torch.fx``).

    Parameters
    ----------
    skip : torch.Tensor
        Tensor of shape ``(..., H, W)`` to crop.
    like : torch.Tensor
        Tensor of shape ``(..., h, w)`` with ``h <= H`` and ``w <= W``; only its last
        two sizes are used.

    Returns
    -------
    torch.Tensor
        ``skip[..., top:top + h, left:left + w]``, a view, with ``top = (H - h) // 2``
        and ``left = (W - w) // 2``: when the difference is odd, the extra row (column)
        is dropped at the bottom (right).

    Raises
    ------
    ValueError
        If ``like`` is larger than ``skip`` in a spatial dimension.

    See Also
    --------
    convdocs.models.unet : The network that crops its skip connections.

    Examples
    --------
    >>> import torch
    >>> from convdocs.models import center_crop
    >>> skip = torch.arange(36).reshape(1, 1, 6, 6)
    >>> center_crop(skip, torch.zeros(1, 8, 2, 2))
    tensor([[[[14, 15],
              [20, 21]]]])
    >>> center_crop(skip, torch.zeros(1, 1, 7, 6))
    Traceback (most recent call last):
    ...
    ValueError: cannot crop skip of spatial size (6, 6) to (7, 6): like is larger
    """
    height, width = like.shape[-2], like.shape[-1]
    top = (skip.shape[-2] - height) // 2
    left = (skip.shape[-1] - width) // 2
    # Concrete sizes can be checked; under symbolic tracing they are proxies.
    if isinstance(top, int) and isinstance(left, int) and min(top, left) < 0:
        msg = (
            f"cannot crop skip of spatial size {tuple(skip.shape[-2:])} to "
            f"{tuple(like.shape[-2:])}: like is larger"
        )
        raise ValueError(msg)
    return skip[..., top : top + height, left : left + width]


def _double_conv(in_channels: int, out_channels: int, padding: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=padding),
        nn.ReLU(inplace=True),
        nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=padding),
        nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    r"""U-Net: an encoder of double convolutions and max-pools, a mirrored decoder.

    Submodules, in the order the forward pass runs them: ``encoder[i]`` and
    ``pools[i]`` for ``i = 0 .. depth - 1`` (top level first), ``bottleneck``,
    ``ups[j]`` and ``decoder[j]`` for ``j = 0 .. depth - 1`` (deepest level first),
    ``head``.

    Parameters
    ----------
    padded : bool, default False
        Pad every 3x3 convolution by 1 and skip the crops.
    in_channels, num_classes, depth, base_channels : int
        See :func:`~convdocs.models.unet`.

    See Also
    --------
    convdocs.models.unet : Builds this model, with the references.

    Examples
    --------
    A two-level U-Net. Each double convolution removes 4 pixels at its own scale,
    and a pixel one level down stands for two at the top, so the output is
    :math:`92 - (4 + 4) - 2 \cdot (4 + 4) - 4 \cdot 4 = 52` pixels wide.

    >>> import torch
    >>> from convdocs.models import UNet
    >>> with torch.no_grad():
    ...     UNet(depth=2, base_channels=4)(torch.zeros(1, 1, 92, 92)).shape
    torch.Size([1, 2, 52, 52])
    """

    def __init__(
        self,
        padded: bool = False,
        in_channels: int = 1,
        num_classes: int = 2,
        depth: int = 4,
        base_channels: int = 64,
    ) -> None:
        super().__init__()
        self.padded = padded
        self.depth = depth
        padding = 1 if padded else 0
        widths = [base_channels * 2**level for level in range(depth + 1)]
        self.encoder = nn.ModuleList(
            _double_conv(c_in, c_out, padding)
            for c_in, c_out in itertools.pairwise([in_channels, *widths[:-1]])
        )
        self.pools = nn.ModuleList(nn.MaxPool2d(kernel_size=2, stride=2) for _ in range(depth))
        self.bottleneck = _double_conv(widths[-2], widths[-1], padding)
        upward = widths[::-1]  # from the bottom: 1024, 512, ... for base_channels 64
        self.ups = nn.ModuleList(
            nn.ConvTranspose2d(c_in, c_out, kernel_size=2, stride=2)
            for c_in, c_out in itertools.pairwise(upward)
        )
        self.decoder = nn.ModuleList(
            _double_conv(2 * c_out, c_out, padding) for c_out in upward[1:]
        )
        self.head = nn.Conv2d(base_channels, num_classes, kernel_size=1)
        # The paper's initialisation: Gaussian with standard deviation sqrt(2 / N), N the
        # number of inputs of one unit (k * k * in_channels; in_channels for the 2x2
        # stride-2 up-convolution, whose windows do not overlap); zero biases.
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
            elif isinstance(m, nn.ConvTranspose2d):
                fan_in = m.in_channels
            else:
                continue
            nn.init.normal_(m.weight, 0.0, (2.0 / fan_in) ** 0.5)
            nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for block, pool in zip(self.encoder, self.pools):
            x = block(x)
            skips.append(x)
            x = pool(x)
        x = self.bottleneck(x)
        for up, block, skip in zip(self.ups, self.decoder, reversed(skips)):
            x = up(x)
            if not self.padded:
                skip = center_crop(skip, x)  # noqa: PLW2901 (the cropped skip)
            x = block(torch.cat([skip, x], dim=1))
        return self.head(x)


def unet(padded=False, in_channels=1, num_classes=2, depth=4, base_channels=64):
    r"""U-Net (Ronneberger et al. 2015), the original or the common padded variant.

    Parameters
    ----------
    padded : bool, default False
        False: the paper's network, with unpadded 3x3 convolutions and centre-cropped
        skip connections (572x572 in, 388x388 out). True: padding 1 everywhere and no
        crops, so the output has the input's size.
    in_channels : int, default 1
        Input channels (the paper's microscopy images are grayscale).
    num_classes : int, default 2
        Output channels of the final 1x1 convolution (the paper's two classes, cell and
        background, with a softmax over them in the loss).
    depth : int, default 4
        Number of max-pools (and of up-convolutions).
    base_channels : int, default 64
        Channels at the top level; each level down doubles them (1024 at the bottom
        for the defaults). The spatial sizes do not depend on it.

    Returns
    -------
    convdocs.models.UNet
        A model initialised as in the paper: Gaussian weights with standard deviation
        :math:`\sqrt{2/N}`, :math:`N` the number of inputs of one unit. With the
        defaults it has 23 convolutional layers and 31,030,658 parameters.

    Raises
    ------
    TypeError
        If ``padded`` is not a bool or another argument is not an int.
    ValueError
        If an int argument is smaller than 1, or ``depth`` and ``base_channels`` make
        a model of more than 2**31 parameters (8 GiB in float32; a depth of 40 would
        need more memory than exists), refused before PyTorch allocates anything.

    See Also
    --------
    convdocs.models.center_crop : The crop of each skip connection.
    convdocs.conv_output_size : Gives every size below.
    convdocs.conv_transpose_output_size : For the 2x2 up-convolutions.
    convdocs.valid_input_sizes : The input sizes each variant accepts.

    Notes
    -----
    Each level of the encoder is two unpadded 3x3 convolutions (each removes 2 pixels,
    :math:`o = i - 2`) and a 2x2 max-pool with stride 2 (:math:`o = \lfloor i/2
    \rfloor`); each level of the decoder is a 2x2 up-convolution with stride 2
    (:math:`o = 2i`), the concatenation with the encoder's map of the same level,
    centre-cropped to the same size, and two 3x3 convolutions. For the paper's input:

    .. math::

        \text{encoder: } 572 \to 568 \to 284 \to 280 \to 140 \to 136 \to 68 \to 64
        \to 32 \to 28 \text{ (bottom)}

        \text{decoder: } 28 \to 56 \to 52 \to 104 \to 100 \to 200 \to 196 \to 392
        \to 388

    so the skip connections are cropped from 64 to 56, 136 to 104, 280 to 200 and 568
    to 392. The output is 184 pixels smaller than the input: the paper tiles a large
    image with overlapping tiles, each seeing 92 pixels of context on every side of
    the 388x388 output it predicts. It picks input sizes for which every max-pool sees
    an even size, so that each crop is exactly centred; at depth 4 these are
    :math:`16b + 124` (:math:`b \ge 4` the size at the bottom): 188, 204, ..., 572.

    The padded variant, common in later work, keeps the size through every 3x3
    convolution, so with sizes divisible by :math:`2^{\text{depth}}` the skip
    connections need no crop and the output has the input's size. Other sizes make a
    max-pool drop a row, the upsampled map comes back one pixel short of its skip
    connection, and ``torch.cat`` fails; :func:`convdocs.explain_shapes` says where
    and why, and :func:`convdocs.valid_input_sizes` lists the sizes that work.

    The paper's drop-out at the end of the encoder is left out, as in most
    reimplementations: it has no parameters and does not change any size.

    References
    ----------
    .. [1] O. Ronneberger, P. Fischer and T. Brox, "U-Net: convolutional networks for
       biomedical image segmentation", MICCAI 2015, arXiv:1505.04597.

    Examples
    --------
    >>> import torch
    >>> from convdocs.models import unet
    >>> sum(p.numel() for p in unet().parameters())
    31030658

    Narrow channels give the same sizes, fast:

    >>> with torch.no_grad():
    ...     unet(base_channels=4)(torch.zeros(1, 1, 572, 572)).shape
    torch.Size([1, 2, 388, 388])
    >>> with torch.no_grad():
    ...     unet(padded=True, base_channels=4)(torch.zeros(1, 1, 96, 96)).shape
    torch.Size([1, 2, 96, 96])
    """
    if not isinstance(padded, bool):
        msg = f"padded must be a bool, got {padded!r} (type {type(padded).__name__})"
        raise TypeError(msg)
    sizes = {
        "in_channels": check_int("in_channels", in_channels),
        "num_classes": check_int("num_classes", num_classes),
        "depth": check_int("depth", depth),
        "base_channels": check_int("base_channels", base_channels),
    }
    # Past depth 62 the bottom level alone has 2**62 channels: refused without counting.
    count = _unet_parameters(**sizes) if sizes["depth"] <= 62 else 2**124
    if count > MAX_UNET_PARAMETERS:
        msg = (
            f"depth={sizes['depth']} with base_channels={sizes['base_channels']} gives a "
            f"U-Net of {'over 2**124' if sizes['depth'] > 62 else f'{count:,}'} parameters; "
            f"allowed: at most {MAX_UNET_PARAMETERS:,} (2**31, 8 GiB): lower depth or "
            "base_channels"
        )
        raise ValueError(msg)
    return UNet(padded, **sizes)


# unet refuses models beyond this many parameters (8 GiB in float32) before PyTorch
# tries to allocate them: the channels double with every level, so a depth of 40 asks
# for more memory than exists (PyTorch fails with an allocator or overflow error).
MAX_UNET_PARAMETERS = 2**31


def _unet_parameters(in_channels, num_classes, depth, base_channels) -> int:
    """The parameter count of ``UNet(...)``, computed without building it."""
    widths = [base_channels * 2**level for level in range(depth + 1)]

    def double(c_in, c_out):  # two 3x3 convolutions with biases
        return 9 * c_in * c_out + c_out + 9 * c_out * c_out + c_out

    encoder = sum(double(a, b) for a, b in itertools.pairwise([in_channels, *widths[:-1]]))
    bottleneck = double(widths[-2], widths[-1])
    ups = sum(4 * a * b + b for a, b in itertools.pairwise(widths[::-1]))
    decoder = sum(double(2 * c, c) for c in widths[-2::-1])
    return encoder + bottleneck + ups + decoder + base_channels * num_classes + num_classes


# Registry --------------------------------------------------------------------------------

MODELS = {
    "alexnet": alexnet,
    "vgg16": vgg16,
    "resnet18": resnet18,
    "resnet50": resnet50,
    "unet": unet,
    "unet-padded": functools.partial(unet, padded=True),
}
"""The built-in architectures by name: each value builds a fresh model.

Examples
--------
>>> from convdocs.models import MODELS
>>> list(MODELS)
['alexnet', 'vgg16', 'resnet18', 'resnet50', 'unet', 'unet-padded']
"""


def get_model(name, **kwargs):
    """Build a built-in architecture by name.

    Parameters
    ----------
    name : str
        A key of :data:`~convdocs.models.MODELS`: ``"alexnet"``, ``"vgg16"``, ``"resnet18"``,
        ``"resnet50"``, ``"unet"`` or ``"unet-padded"``.
    **kwargs
        Passed to the builder, e.g. ``num_classes`` or, for the U-Nets,
        ``base_channels``.

    Returns
    -------
    torch.nn.Module
        A new, randomly initialised model.

    Raises
    ------
    ValueError
        If ``name`` is not a known model name; the message lists the known names.

    See Also
    --------
    convdocs.models.MODELS : The builders by name.

    Examples
    --------
    >>> from convdocs.models import get_model
    >>> get_model("resnet18", num_classes=10).fc
    Linear(in_features=512, out_features=10, bias=True)
    >>> get_model("unet-padded", base_channels=8).padded
    True
    >>> get_model("resnet")
    Traceback (most recent call last):
    ...
    ValueError: unknown model name 'resnet'; allowed: 'alexnet', 'vgg16', 'resnet18', 'resnet50', 'unet', 'unet-padded'
    """
    if not isinstance(name, str) or name not in MODELS:
        allowed = ", ".join(map(repr, MODELS))
        msg = f"unknown model name {name!r}; allowed: {allowed}"
        raise ValueError(msg)
    return MODELS[name](**kwargs)
