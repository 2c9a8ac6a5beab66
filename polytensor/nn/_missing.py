"""The errors for PyTorch names that polytensor's ``nn`` and ``optim`` do not have.

A program written for PyTorch that reaches for ``nn.FractionalMaxPool3d`` or
``optim.SparseAdam`` gets an
``AttributeError`` that says the name is PyTorch's, that polytensor lacks it, and, where
there is one, the polytensor way to get the same result.
"""

from __future__ import annotations

__all__ = ["missing_name"]

_NONE = ""

# Names that PyTorch has and polytensor does not, by the module they would live in; the value
# is the polytensor spelling of the same computation ("" when there is none).
_MISSING: dict[str, dict[str, str]] = {
    "polytensor.nn": {
        "FractionalMaxPool3d": _NONE,
        "NLLLoss2d": "nn.NLLLoss (it takes (N, C, H, W) inputs)",
    },
    "polytensor.nn.functional": {
        "fractional_max_pool3d": _NONE,
    },
    "polytensor.optim": {
        "SparseAdam": "optim.Adam",
    },
    "polytensor.utils.data": {
        "DistributedSampler": _NONE,
    },
}


def missing_name(module: str, name: str) -> AttributeError:
    """The ``AttributeError`` for ``module.name``: PyTorch's name and polytensor's way when
    ``name`` is one of PyTorch's, Python's usual message otherwise.

    Examples
    --------
    >>> from polytensor.nn._missing import missing_name
    >>> for part in str(missing_name("polytensor.optim", "SparseAdam")).split("; "):
    ...     print(part)
    polytensor.optim has no SparseAdam (PyTorch's torch.optim.SparseAdam is not implemented)
    use optim.Adam
    """
    table = _MISSING.get(module, {})
    if name not in table:
        return AttributeError(f"module {module!r} has no attribute {name!r}")
    torch_module = "torch" + module[len("polytensor") :]
    msg = f"{module} has no {name} (PyTorch's {torch_module}.{name} is not implemented)"
    alternative = table[name]
    if alternative:
        msg += f"; use {alternative}"
    else:
        msg += "; polytensor has no equivalent yet"
    return AttributeError(msg)
