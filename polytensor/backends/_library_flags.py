"""PyTorch's ``torch.backends.cudnn`` and ``torch.backends.mps``: programs set their flags
(``torch.backends.cudnn.deterministic = True``) and ask whether they are available. polytensor
uses neither library, so their flags are kept and change nothing, and neither is available."""

from __future__ import annotations

__all__ = ["cudnn", "mps"]


class _CuDNN:
    """``pt.backends.cudnn``: the flags a program sets for cuDNN, kept and unused (polytensor's
    CuPy backend does not call cuDNN; its results do not depend on them).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.backends.cudnn.deterministic = True
    >>> pt.backends.cudnn.benchmark = False
    >>> pt.backends.cudnn.is_available()
    False
    """

    def __init__(self) -> None:
        self.enabled = True
        self.benchmark = False
        self.deterministic = False
        self.allow_tf32 = True

    def is_available(self) -> bool:
        """False: polytensor does not use cuDNN."""
        return False

    def version(self) -> None:
        """None: no cuDNN is loaded."""
        return


class _MPS:
    """``pt.backends.mps``: Apple's Metal is not a polytensor backend.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.backends.mps.is_available(), pt.backends.mps.is_built()
    (False, False)
    """

    def is_available(self) -> bool:
        """False: polytensor has no Metal backend."""
        return False

    def is_built(self) -> bool:
        """False: polytensor has no Metal backend."""
        return False


cudnn = _CuDNN()
mps = _MPS()
