"""The error of ``nn``'s layer functions for arguments PyTorch refuses with a ``RuntimeError``."""

from __future__ import annotations

__all__ = ["LayerArgumentError", "ZeroGroupsError"]


class LayerArgumentError(ValueError, RuntimeError):
    """Arguments a layer function cannot take: shapes, channels, groups, padding, sizes.

    Note: both a ``ValueError`` (a bad value, the class the project's errors use) and the
    ``RuntimeError`` PyTorch raises for the same arguments, so code catching either keeps
    working.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> try:
    ...     F.conv_transpose2d(pt.ones((1, 2, 3, 3)), pt.ones((2, 1, 3, 3)), output_padding=1)
    ... except RuntimeError as e:
    ...     print(isinstance(e, ValueError), str(e).split(" or ")[0])
    True conv_transpose2d(): output_padding (1, 1) must be smaller than either stride (1, 1)
    """


class ZeroGroupsError(ValueError, ZeroDivisionError):
    """``num_groups=0`` given to group normalisation (``nn.GroupNorm``, ``F.group_norm``).

    Note: both a ``ValueError`` (a bad value, the class the project's errors use) and the
    ``ZeroDivisionError`` PyTorch raises there (from its ``num_channels % num_groups``), so
    code catching either keeps working.

    Examples
    --------
    >>> import polytensor as pt
    >>> try:
    ...     pt.nn.GroupNorm(0, 4)
    ... except ZeroDivisionError as e:
    ...     print(isinstance(e, ValueError), str(e).split(";")[0])
    True GroupNorm() got num_groups=0
    """
