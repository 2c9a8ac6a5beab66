"""JAX and torch as polytensor backends from their array-API namespaces alone.

Nothing here knows polytensor's internals: each backend is ``pt.backends.from_namespace(name,
loader)``, registered through the ``polytensor.backends`` entry-point group (see
``pyproject.toml`` beside this package; the ``.dist-info`` folder beside it registers the same
entry points when this folder is on ``sys.path``, with no installation).
"""

from __future__ import annotations

from types import ModuleType

from polytensor.backends import from_namespace


def _jax() -> ModuleType:
    import jax

    # float64 arrays, as on the other backends (JAX's default is float32 only)
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    return jnp


def _torch() -> ModuleType:
    import array_api_compat.torch as xp

    return xp


JAX = from_namespace("jax", _jax)
TORCH = from_namespace("torch", _torch)
