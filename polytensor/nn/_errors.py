"""The error of ``nn``'s layer functions for arguments PyTorch refuses with a ``RuntimeError``
(defined with the shared argument checks, which Tensor methods of layer functions raise too)."""

from __future__ import annotations

from .._checks import LayerArgumentError, ZeroGroupsError

__all__ = ["LayerArgumentError", "ZeroGroupsError"]
