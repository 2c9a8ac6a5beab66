"""Two convolutional networks of the tutorials, one training step each, side by side in one
run.

"Training a classifier" (PyTorch's 60-minute blitz) trains this network on 32x32 colour
images: ``conv(3, 6, 5)``, ``max_pool(2, 2)``, ``conv(6, 16, 5)``, the pool again, then linear
layers 400-120-84-10 with ReLUs, ``nn.CrossEntropyLoss`` and ``optim.SGD(lr=0.001,
momentum=0.9)``; a step is ``zero_grad()``, forward, loss, ``backward()``, ``step()`` and
``loss.item()``. It is timed at the tutorial's batch of 4 images and at 64, in float32, for:

- ``polytensor``: the NumPy backend as it is (``conv2d`` and ``max_pool2d`` each one graph node,
  ``nn/_window_kernels.py``);
- ``polytensor (table ops)``: the same code with those two built from the table's ops, as on
  every other backend (the NumPy kernels switched off in this process);
- ``torch`` when it is importable (one thread; never a dependency of polytensor).

Also ``conv2`` (a (B, 6, 14, 14) input that requires grad: both gradients) and ``pool1`` (a
(B, 6, 28, 28) input) alone, forward and ``.sum().backward()``; and pytorch/examples' MNIST
network (``conv(1, 32, 3)``, ``conv(32, 64, 3)``, ``max_pool2d(2)``, dropout, linear
9216-128-10, ``log_softmax`` and ``F.nll_loss``; SGD with momentum 0.5) at its batch of 64
(``--no-mnist`` leaves it out). Every framework starts from the same weights; their losses
after three steps in eval mode (no dropout) must agree before any time is read; the timed
steps train. Medians
over rounds, the candidates interleaved in rotating order. Record figures with::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        .venv/bin/python bench/cnn.py

Examples
--------
>>> net = make_net(pt)
>>> [tuple(p.shape) for p in net.parameters()][:2]
[(6, 3, 5, 5), (6,)]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import platform
import statistics
import sys
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import polytensor as pt
import polytensor.nn.functional as pt_functional

from _common import Candidate, OtherLoad, cpu_model, dist_version, measure, revision

COMMAND = (
    "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 "
    ".venv/bin/python bench/cnn.py"
)


def make_net(lib: Any) -> Any:
    """The tutorial's ``Net`` in ``lib`` (polytensor or torch), weights from a fixed seed."""
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x: Any) -> Any:
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = lib.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    return _seeded(lib, Net())


def make_mnist_net(lib: Any) -> Any:
    """pytorch/examples' MNIST ``Net`` in ``lib``, weights from a fixed seed."""
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x: Any) -> Any:
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = lib.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = self.dropout2(x)
            return F.log_softmax(self.fc2(x), dim=1)

    return _seeded(lib, Net())


def _seeded(lib: Any, net: Any) -> Any:
    rng = np.random.default_rng(0)
    with lib.no_grad():
        for p in net.parameters():
            bound = 1 / np.sqrt(np.prod(p.shape[1:]) if len(p.shape) > 1 else 100)
            p.copy_(lib.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))
    return net


def batch(size: int, image: tuple[int, int, int] = (3, 32, 32)) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(size)
    return rng.standard_normal((size, *image)).astype(np.float32), rng.integers(0, 10, size)


def train_step(
    lib: Any, size: int, net_name: str = "cifar10", train: bool = True
) -> Callable[[], float]:
    """One training step of a fresh network on a fixed batch; returns the loss. ``cifar10``:
    the tutorial's network, ``nn.CrossEntropyLoss``, SGD with momentum 0.9; ``mnist``:
    pytorch/examples' network (dropout, ``log_softmax``), ``F.nll_loss``, SGD with momentum
    0.5. ``train=False``: the network in eval mode (no dropout: the losses can be compared)."""
    if net_name == "mnist":
        net = make_mnist_net(lib)
        criterion = lib.nn.functional.nll_loss
        optimizer = lib.optim.SGD(net.parameters(), lr=0.01, momentum=0.5)
        xn, yn = batch(size, (1, 28, 28))
    else:
        net = make_net(lib)
        criterion = lib.nn.CrossEntropyLoss()
        optimizer = lib.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
        xn, yn = batch(size)
    net.train(train)
    x, y = lib.from_numpy(xn), lib.from_numpy(yn)

    def step() -> float:
        optimizer.zero_grad()
        loss = criterion(net(x), y)
        loss.backward()
        optimizer.step()
        return float(loss.item())

    return step


def part(lib: Any, name: str, size: int) -> Callable[[], None]:
    """``conv2`` or ``pool1`` alone: forward, then ``.sum().backward()``."""
    rng = np.random.default_rng(1)
    F = lib.nn.functional
    if name == "conv2":
        x = lib.tensor(
            rng.standard_normal((size, 6, 14, 14)).astype(np.float32), requires_grad=True
        )
        w = lib.tensor(rng.standard_normal((16, 6, 5, 5)).astype(np.float32), requires_grad=True)
        return lambda: F.conv2d(x, w).sum().backward()
    x = lib.tensor(rng.standard_normal((size, 6, 28, 28)).astype(np.float32), requires_grad=True)
    return lambda: F.max_pool2d(x, 2, 2).sum().backward()


@contextlib.contextmanager
def table_ops() -> Iterator[None]:
    """polytensor's ``conv2d`` and ``max_pool2d`` built from the table's ops, as on the
    backends other than NumPy."""
    saved = getattr(pt_functional, "takes_window_kernels", None)  # (None: a checkout before them)
    pt_functional.takes_window_kernels = lambda *tensors: False
    try:
        yield
    finally:
        if saved is None:
            del pt_functional.takes_window_kernels
        else:
            pt_functional.takes_window_kernels = saved


def _switched(run: Callable[[], Any]) -> Callable[[], Any]:
    def wrapped() -> Any:
        with table_ops():
            return run()

    return wrapped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--target", type=float, default=0.3, help="seconds per measurement")
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 64])
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--no-mnist", action="store_true", help="leave out the MNIST example")
    args = parser.parse_args(argv)
    threadpool_limits(1)
    libs: dict[str, Any] = {}
    if not args.no_torch:
        try:
            import torch

            torch.set_num_threads(1)
            libs["torch"] = torch
        except ImportError:
            print("torch is not importable: its column is left out")
    # the losses after three steps agree before any time is read
    nets = [("cifar10", size) for size in args.sizes] + [("mnist", 64)] * (not args.no_mnist)
    for net_name, size in nets:
        runs = {
            "polytensor": train_step(pt, size, net_name, train=False),
            "polytensor (table ops)": _switched(train_step(pt, size, net_name, train=False)),
            **{n: train_step(lib, size, net_name, train=False) for n, lib in libs.items()},
        }
        losses = {n: [r() for _ in range(3)][-1] for n, r in runs.items()}
        ref = losses["polytensor (table ops)"]
        for n, v in losses.items():
            if not np.isclose(v, ref, rtol=1e-4):
                print(f"{net_name}, batch {size}: {n}'s loss after 3 steps is {v}, not {ref}")
                return 1
    load = OtherLoad()
    rows: dict[str, dict[str, Candidate]] = {}
    work = [(w, "cifar10", size) for size in args.sizes for w in ("step", "conv2", "pool1")]
    work += [("step", "mnist", 64)] * (not args.no_mnist)
    for what, net_name, size in work:
        label = (
            f"{what}, batch {size}"
            if net_name == "cifar10"
            else f"MNIST example step, batch {size}"
        )

        def make(
            lib: Any, what: str = what, size: int = size, net_name: str = net_name
        ) -> Callable[[], Any]:
            return train_step(lib, size, net_name) if what == "step" else part(lib, what, size)

        cands = {
            "polytensor": Candidate("polytensor", make(pt)),
            "polytensor (table ops)": Candidate("table ops", _switched(make(pt))),
        }
        for n, lib in libs.items():
            cands[n] = Candidate(n, make(lib))
        measure(list(cands.values()), rounds=args.rounds, target_s=args.target)
        rows[label] = cands
    print(f"# bench/cnn.py, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    blas = ", ".join(
        f"{i['internal_api']} {i.get('version')} {i.get('architecture')}"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    )
    print(
        f"# {revision()}; {cpu_model()}; Python {platform.python_version()}, NumPy "
        f"{np.__version__} ({blas}, 1 thread)"
        + (f", torch {dist_version('torch')} (1 thread)" if libs else "")
    )
    print(f"# command: {COMMAND} --rounds {args.rounds}")
    names = ["polytensor", "polytensor (table ops)", *libs]
    print(
        "\n| workload | "
        + " | ".join(f"{n} (ms)" for n in names)
        + " | table ops / polytensor |"
        + (" polytensor / torch |" if libs else "")
    )
    print("|---" * (len(names) + 2 + bool(libs)) + "|")
    for label, cands in rows.items():
        med = {n: statistics.median(c.times) * 1e3 for n, c in cands.items()}
        cells = " | ".join(f"{med[n]:.2f}" for n in names)
        extra = f" {med['polytensor'] / med['torch']:.2f}x |" if libs else ""
        print(
            f"| {label} | {cells} | {med['polytensor (table ops)'] / med['polytensor']:.2f}x |"
            + extra
        )
    load.print_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
