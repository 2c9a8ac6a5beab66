"""Function transforms (``torch.func``'s and JAX's spelling): ``grad``, ``value_and_grad``,
``vjp``, ``jvp``, ``jacobian`` (also ``jacrev``) and ``hessian``.

They take the caller's own arrays (NumPy, Dask, array-api-strict, or those of any library
registered as a backend, such as JAX or torch), run the function on polytensor tensors of the
matching backend, and hand back the caller's array type. A library written against the Array
API standard becomes differentiable for its users on whatever arrays they have.

Examples
--------
>>> import numpy as np
>>> import polytensor as pt
>>> def loss(w, x):  # array-API code: the namespace comes from the arguments
...     xp = w.__array_namespace__()
...     return xp.sum((x @ w) ** 2)
>>> pt.func.grad(loss)(np.array([1.0, -1.0]), np.array([[1.0, 2.0], [3.0, 4.0]]))
array([ -8., -12.])
"""

from __future__ import annotations

from .autograd._transforms import grad, hessian, jacobian, jacrev, jvp, value_and_grad, vjp

__all__ = ["grad", "hessian", "jacobian", "jacrev", "jvp", "value_and_grad", "vjp"]
