"""The demo behind ``make run`` and ``polytensor demo``: a small convolutional network learns
scikit-learn's bundled 8x8 handwritten digits with ``polytensor.nn`` and ``polytensor.optim``.

The same code runs on every backend (``--backend dask``); nothing in it names one.

Examples
--------
>>> from polytensor.demo import build_model
>>> build_model().conv1
Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polytensor as pt
from polytensor import nn, optim
from polytensor.nn import functional as F

__all__ = ["DigitsNet", "Result", "build_model", "load_digits", "main", "train"]


class DigitsNet(nn.Module):
    """Two convolution blocks and two linear layers for 1x8x8 images.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.demo import DigitsNet
    >>> DigitsNet()(pt.zeros(2, 1, 8, 8)).shape
    (2, 10)
    """

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(32 * 2 * 2, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x: Any) -> Any:
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = pt.reshape(x, (x.shape[0], -1))
        return self.fc2(F.relu(self.fc1(x)))


def build_model(seed: int = 0) -> DigitsNet:
    """A freshly initialised ``DigitsNet`` (seeded).

    Examples
    --------
    >>> from polytensor.demo import build_model
    >>> sum(p.size for p in build_model().parameters())
    13706
    """
    pt.manual_seed(seed)
    return DigitsNet()


def load_digits(seed: int = 0, test_fraction: float = 0.2) -> tuple[Any, Any, Any, Any]:
    """scikit-learn's 8x8 digits (bundled with it, no download) as host arrays, scaled to
    [0, 1] and split into train and test sets: ``(x_train, y_train, x_test, y_test)``.

    Examples
    --------
    >>> from polytensor.demo import load_digits
    >>> x_train, y_train, x_test, y_test = load_digits()
    >>> x_train.shape, x_test.shape
    ((1438, 1, 8, 8), (359, 1, 8, 8))
    """
    try:
        from sklearn.datasets import load_digits as _load
    except ImportError as e:
        raise ImportError(
            "the demo needs scikit-learn's bundled digits data set: "
            "pip install 'polytensor[examples]'"
        ) from e
    data = _load()
    images = (data.images / 16.0).astype("float32").reshape(-1, 1, 8, 8)
    labels = data.target.astype("int64")
    order = pt.randperm(len(labels), generator=pt.Generator().manual_seed(seed)).numpy()
    n_test = round(len(labels) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return images[train], labels[train], images[test], labels[test]


@dataclass
class Result:
    """What ``train`` measured: per-epoch loss and accuracies, time, backend."""

    backend: str
    losses: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    seconds: float = 0.0


def _bar(done: int, total: int, width: int = 24) -> str:
    filled = int(width * done / max(total, 1))
    return "[" + "#" * filled + "." * (width - filled) + f"] {done}/{total}"


def _accuracy(model: DigitsNet, x: Any, y: Any) -> float:
    with pt.no_grad():
        predicted = pt.argmax(model(x), axis=1)
        return float(pt.mean(pt.astype(predicted == y, pt.float32)))


def train(
    epochs: int = 12,
    batch_size: int = 64,
    lr: float = 5e-3,
    seed: int = 0,
    backend: str | None = None,
    quiet: bool = False,
    out: Any = None,
) -> Result:
    """Train ``DigitsNet`` on the digits; print a progress bar and per-epoch figures.

    Examples
    --------
    >>> from polytensor.demo import train
    >>> r = train(epochs=1, quiet=True)
    >>> 0.0 <= r.test_accuracy[-1] <= 1.0
    True
    """
    out = out or sys.stdout
    say: Callable[..., None] = (
        (lambda *a, **k: None) if quiet else (lambda *a, **k: print(*a, file=out, **k))
    )
    with pt.use_backend(backend or pt.get_backend().name):
        b = pt.get_backend()
        x_train_h, y_train_h, x_test_h, y_test_h = load_digits(seed)
        x_train, y_train = pt.asarray(x_train_h), pt.asarray(y_train_h)
        x_test, y_test = pt.asarray(x_test_h), pt.asarray(y_test_h)
        model = build_model(seed)
        opt = optim.Adam(model.parameters(), lr=lr)
        result = Result(b.name)
        n = len(y_train_h)
        steps = (n + batch_size - 1) // batch_size
        shuffle = pt.Generator().manual_seed(seed + 1)
        say(
            f"training DigitsNet on {n} digits ({len(y_test_h)} held out), backend "
            f"{b.name}, {epochs} epochs"
        )
        start = time.perf_counter()
        for epoch in range(1, epochs + 1):
            model.train()
            order = pt.randperm(n, generator=shuffle).numpy()
            total = 0.0
            for step in range(steps):
                idx = order[step * batch_size : (step + 1) * batch_size]
                xb = pt.asarray(x_train_h[idx])
                yb = pt.asarray(y_train_h[idx])
                loss = F.cross_entropy(model(xb), yb)
                opt.zero_grad()
                loss.backward()
                opt.step()
                if b.lazy:  # keep the parameters' task graphs from growing step after step
                    # (and the loss: computed in the same pass, float(loss) then reads it)
                    pt.persist(*model.parameters(), *_optimizer_state(opt), loss)
                total += float(loss) * len(idx)
                if not quiet and (step % 4 == 0 or step == steps - 1):
                    say(f"\r  epoch {epoch:2d} {_bar(step + 1, steps)}", end="")
            model.eval()
            result.losses.append(total / n)
            result.train_accuracy.append(_accuracy(model, x_train, y_train))
            result.test_accuracy.append(_accuracy(model, x_test, y_test))
            say(
                f"\r  epoch {epoch:2d} {_bar(steps, steps)}  loss {result.losses[-1]:.4f}  "
                f"train acc {result.train_accuracy[-1]:.3f}  "
                f"test acc {result.test_accuracy[-1]:.3f}"
            )
        result.seconds = time.perf_counter() - start
        say(f"done in {result.seconds:.1f} s: test accuracy {result.test_accuracy[-1]:.3f}")
    return result


def _optimizer_state(opt: Any) -> list[Any]:
    tensors: list[pt.Tensor] = []
    for state in opt.state.values():
        tensors.extend(v for v in state.values() if isinstance(v, pt.Tensor))
    return tensors


def plot(result: Result, path: str) -> str:
    """Save the loss and accuracy curves of ``result`` as a PNG at ``path``.

    Examples
    --------
    >>> import tempfile, os
    >>> from polytensor.demo import Result, plot
    >>> p = plot(Result("numpy", [1.0, 0.5], [0.5, 0.9], [0.5, 0.8]),
    ...          os.path.join(tempfile.mkdtemp(), "c.png"))
    >>> p.endswith("c.png")
    True
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = range(1, len(result.losses) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
    ax1.plot(epochs, result.losses, marker="o")
    ax1.set(title="training loss", xlabel="epoch", ylabel="cross-entropy")
    ax2.plot(epochs, result.train_accuracy, marker="o", label="train")
    ax2.plot(epochs, result.test_accuracy, marker="o", label="test")
    ax2.set(title="accuracy", xlabel="epoch", ylim=(0, 1.02))
    ax2.legend()
    fig.suptitle(f"DigitsNet on the {result.backend} backend ({result.seconds:.1f} s)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line of the demo: ``python -m polytensor.demo [--backend B] [--epochs N]``.

    Examples
    --------
    >>> from polytensor.demo import main
    >>> callable(main)
    True
    """
    import argparse

    p = argparse.ArgumentParser(prog="polytensor demo", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--backend",
        default=None,
        help="backend to train on (default: POLYTENSOR_BACKEND, else numpy)",
    )
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=5e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--plot",
        default="digits_training.png",
        help="where to save the loss/accuracy curves (PNG); '' to skip",
    )
    args = p.parse_args(argv)
    result = train(args.epochs, args.batch_size, args.lr, args.seed, args.backend)
    if args.plot:
        try:
            print(f"curves saved to {plot(result, args.plot)}")
        except ImportError:
            print("matplotlib is not installed: no plot (pip install 'polytensor[examples]')")
    return 0 if result.test_accuracy[-1] >= 0.95 else 1


if __name__ == "__main__":
    raise SystemExit(main())
