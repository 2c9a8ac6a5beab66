"""PyTorch programs, written as PyTorch code, that polytensor must run unchanged.

Each program is a function ``program(torch, data, tmp)``: its body is the PyTorch program, and
``torch`` is whichever library runs it: ``polytensor`` (``import polytensor as torch``) or real
PyTorch, for reference. ``data`` holds the inputs, NumPy arrays built once on the host so that
both libraries start from the same numbers; ``tmp`` is a folder for files the program saves.
A program returns a dict of named results (tensors, numbers, flags, shapes) that the test
compares between the two libraries.

``seeds.py`` holds the code blocks of the tutorial notes users learned from (obvious typos
fixed); ``tutorials.py`` the programs of PyTorch's beginner tutorials, written from what they do;
``dataloading.py`` programs that load their data with ``torch.utils.data`` (d2l's concise linear
regression, PyTorch's Quickstart); ``recurrent.py`` programs with recurrent layers (the LSTM
part-of-speech tagger of PyTorch's sequence-models tutorial); ``transformer.py`` programs with
attention layers (the ``TransformerModel`` of PyTorch's language-modeling tutorial); ``gan.py``
PyTorch's DCGAN tutorial (transposed convolutions, a generator and a discriminator trained
against each other); ``more.py`` more tutorials and examples (PyTorch's "What is
torch.nn really?", the character-level RNNs of "NLP From Scratch", pytorch/examples' ``vae`` and
``time_sequence_prediction``, FGSM adversarial examples, an N-gram language model).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ProgramFn = Callable[[Any, dict[str, np.ndarray], Path], dict[str, Any]]


@dataclass(frozen=True)
class Program:
    name: str
    fn: ProgramFn
    origin: str
    needs: str | None = None
    numpy_only: tuple[str, ...] = ()
    data: Callable[[], dict[str, np.ndarray]] = dict
    rtol: float = 1e-5
    atol: float = 1e-6
    slow_on: tuple[str, ...] = ()


PROGRAMS: dict[str, Program] = {}


def program(
    origin: str,
    *,
    needs: str | None = None,
    numpy_only: tuple[str, ...] = (),
    data: Callable[[], dict[str, np.ndarray]] = dict,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    slow_on: tuple[str, ...] = (),
) -> Callable[[ProgramFn], ProgramFn]:
    """Register a program.

    origin: where it comes from (a seed file or a tutorial). needs: the polytensor feature it
    uses that this checkout lacks (the test then expects it to fail). numpy_only: result keys
    that hold only where a tensor and its ``numpy()`` share memory, i.e. on the NumPy backend.
    data: makes the program's inputs. rtol/atol: tolerance of the comparison with torch.
    slow_on: backends on which the program takes minutes (run only with ``-m slow``).
    """

    def register(fn: ProgramFn) -> ProgramFn:
        name = fn.__name__
        assert name not in PROGRAMS, name
        PROGRAMS[name] = Program(name, fn, origin, needs, numpy_only, data, rtol, atol, slow_on)
        return fn

    return register


def rng(seed: int = 2024) -> np.random.Generator:
    return np.random.default_rng(seed)


from . import (  # noqa: E402,F401  (registers the programs)
    d2l,
    dataloading,
    gan,
    more,
    recurrent,
    seeds,
    transformer,
    tutorials,
    vision,
)
