"""PyTorch's Tensor methods for its older linear-algebra spellings, ``TensorLinalgMethods`` (a
base of ``Tensor``): ``x.svd()``, ``x.qr()``, ``x.cholesky()``, ``x.ger(y)``, each the
namespace function of that name."""

from __future__ import annotations

from . import _pytorch_linalg

__all__ = ["TensorLinalgMethods"]


class TensorLinalgMethods:
    """PyTorch's ``x.svd(some, compute_uv)``, ``x.qr(some)``, ``x.cholesky(upper)`` and
    ``x.ger(y)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([[4.0, 2.0], [2.0, 5.0]]).cholesky(upper=True)
    tensor([[2., 1.],
            [0., 2.]], backend='numpy')
    """

    __slots__ = ()

    svd = _pytorch_linalg.svd
    qr = _pytorch_linalg.qr
    cholesky = _pytorch_linalg.cholesky
    ger = _pytorch_linalg.ger
    lu = _pytorch_linalg.lu
