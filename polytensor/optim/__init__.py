"""Optimizers in PyTorch's style: ``SGD``, ``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad``,
``Adadelta``, ``Adamax``, ``NAdam``, ``RAdam``, ``ASGD``, ``Rprop``, ``LBFGS``, and
learning-rate schedules (``optim.lr_scheduler``) and weight averaging (``optim.swa_utils``), on
every polytensor backend.

Updates run under ``pt.no_grad()`` with in-place operators (``p -= lr * g``), which write in
place on NumPy and CuPy and rebind on Dask.

Examples
--------
>>> import polytensor as pt
>>> from polytensor import nn, optim
>>> model = nn.Linear(2, 1)
>>> opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
>>> loss = nn.functional.mse_loss(model(pt.ones((4, 2))), pt.zeros((4, 1)))
>>> loss.backward()
>>> opt.step()
>>> opt.zero_grad()
"""

from __future__ import annotations

from typing import Any

from . import lr_scheduler, swa_utils
from .adam import Adam, AdamW
from .adam_variants import Adamax, NAdam, RAdam
from .lbfgs import LBFGS
from .optimizer import Optimizer
from .rmsprop import Adadelta, Adagrad, RMSprop
from .sgd import SGD
from .sgd_variants import ASGD, Rprop

__all__ = [
    "ASGD",
    "LBFGS",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "Rprop",
    "lr_scheduler",
    "swa_utils",
]


def __getattr__(name: str) -> Any:
    from ..nn._missing import missing_name

    raise missing_name("polytensor.optim", name)
