"""Programs that load their data with ``torch.utils.data``: Dive into Deep Learning's concise
linear regression (``data.TensorDataset``, ``data.DataLoader``, ``nn.Sequential``,
``nn.MSELoss``, ``optim.SGD``) and PyTorch's Quickstart (a ``DataLoader`` of image-shaped
data, its shapes and dtypes, the train and test loops).

Where the originals draw random data or initial weights, or download a dataset, the programs
take arrays from ``data`` (built with NumPy) instead. A shuffled loader's order comes from each
library's own generator, so it differs between them: the compared training runs unshuffled,
and what is returned from a shuffled loader does not depend on the order.
"""

# ruff: noqa: E741, RET504  (the book's and the tutorial's code, kept as they write it)

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from . import program, rng
from .tutorials import _load, _uniform

Data = dict[str, np.ndarray]


# -- d2l (0.17) 3.3: concise implementation of linear regression ----------------------------


def _linreg_data() -> Data:
    g = rng(31)
    return {
        "X": g.standard_normal((1000, 2)).astype(np.float32),
        "noise": (0.01 * g.standard_normal(1000)).astype(np.float32),
        "weight": (0.01 * g.standard_normal((1, 2))).astype(np.float32),
    }


@program("d2l: concise implementation of linear regression", data=_linreg_data, rtol=1e-4)
def d2l_linear_regression_concise(torch: Any, arrays: Data, tmp: Path) -> dict[str, Any]:
    data = torch.utils.data  # the book's `from torch.utils import data`
    nn = torch.nn  # the book's `from torch import nn`

    def synthetic_data(w, b, num_examples):
        """Generate y = Xw + b + noise (the normal draws taken from `arrays`)."""
        X = torch.from_numpy(arrays["X"][:num_examples])
        y = torch.matmul(X, w) + b
        y += torch.from_numpy(arrays["noise"][:num_examples])
        return X, y.reshape((-1, 1))

    true_w = torch.tensor([2, -3.4])
    true_b = 4.2
    features, labels = synthetic_data(true_w, true_b, 1000)

    def load_array(data_arrays, batch_size, is_train=True):
        """Construct a PyTorch data iterator."""
        dataset = data.TensorDataset(*data_arrays)
        return data.DataLoader(dataset, batch_size, shuffle=is_train)

    batch_size = 10
    # (unshuffled, is_train=False: a shuffled order is each library's own)
    data_iter = load_array((features, labels), batch_size, is_train=False)
    first_batch = next(iter(data_iter))

    net = nn.Sequential(nn.Linear(2, 1))
    net[0].weight.data.copy_(torch.from_numpy(arrays["weight"]))  # the book's normal_(0, 0.01)
    net[0].bias.data.fill_(0)
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=0.03)

    num_epochs = 3
    losses, printed = [], []
    for epoch in range(num_epochs):
        for X, y in data_iter:
            l = loss(net(X), y)
            trainer.zero_grad()
            l.backward()
            trainer.step()
        l = loss(net(features), labels)
        printed.append(f"epoch {epoch + 1}, loss {l:f}")
        print(printed[-1])
        losses.append(l.item())
    w = net[0].weight.data
    print("error in estimating w:", true_w - w.reshape(true_w.shape))
    b = net[0].bias.data
    print("error in estimating b:", true_b - b)

    # the book's loader, shuffled: one epoch holds every label once, in some order
    shuffled = load_array((features, labels), batch_size)
    epoch_labels = torch.cat([y for _, y in shuffled]).reshape(-1)
    sorted_labels = labels.reshape(-1).sort().values
    shapes = {(tuple(X.shape), tuple(y.shape)) for X, y in shuffled}
    return {
        "first batch": first_batch,
        "batches": len(data_iter),
        "losses": losses,
        "printed starts": [p.split("loss ")[0] for p in printed],
        "w": w,
        "b": b,
        "shuffled epoch, sorted": epoch_labels.sort().values,
        "shuffled epoch holds every label once": bool(
            (epoch_labels.sort().values == sorted_labels).all()
        ),
        "shuffled batch shapes": sorted(shapes),
        "shuffled batches": len(shuffled),
    }


# -- PyTorch's Quickstart: the data, the model, the train and test loops ----------------------


def _quickstart_data() -> Data:
    g = rng(32)
    shapes = {
        "linear_relu_stack.0.weight": ((512, 784), 784),
        "linear_relu_stack.0.bias": ((512,), 784),
        "linear_relu_stack.2.weight": ((512, 512), 512),
        "linear_relu_stack.2.bias": ((512,), 512),
        "linear_relu_stack.4.weight": ((10, 512), 512),
        "linear_relu_stack.4.bias": ((10,), 512),
    }
    out = {"net." + k: _uniform(g, s, f) for k, (s, f) in shapes.items()}
    out["train images"] = g.random((200, 1, 28, 28), dtype=np.float32)
    out["train labels"] = g.integers(0, 10, 200)
    out["test images"] = g.random((100, 1, 28, 28), dtype=np.float32)
    out["test labels"] = g.integers(0, 10, 100)
    return out


@program("tutorial: Quickstart (data loading, training)", data=_quickstart_data, rtol=1e-4)
def tut_quickstart(torch: Any, arrays: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    DataLoader = torch.utils.data.DataLoader
    TensorDataset = torch.utils.data.TensorDataset
    out: dict[str, Any] = {}

    # FashionMNIST is not here: datasets of the same shapes and dtypes stand in for it
    training_data = TensorDataset(
        torch.from_numpy(arrays["train images"]), torch.from_numpy(arrays["train labels"])
    )
    test_data = TensorDataset(
        torch.from_numpy(arrays["test images"]), torch.from_numpy(arrays["test labels"])
    )

    batch_size = 64

    # Create data loaders.
    train_dataloader = DataLoader(training_data, batch_size=batch_size)
    test_dataloader = DataLoader(test_data, batch_size=batch_size)

    for X, y in test_dataloader:
        print(f"Shape of X [N, C, H, W]: {X.shape}")
        print(f"Shape of y: {y.shape} {y.dtype}")
        out["X shape"], out["y shape"] = tuple(X.shape), tuple(y.shape)
        out["X dtype"], out["y dtype"] = X.dtype, y.dtype
        out["first X"], out["first y"] = X, y
        break
    out["batches"] = [len(train_dataloader), len(test_dataloader)]

    device = "cuda" if torch.cuda.is_available() else "cpu"

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 512),
                nn.ReLU(),
                nn.Linear(512, 512),
                nn.ReLU(),
                nn.Linear(512, 10),
            )

        def forward(self, x):
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    model = NeuralNetwork().to(device)
    _load(torch, model, arrays, "net.")
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)

    train_losses = []

    def train(dataloader, model, loss_fn, optimizer):
        size = len(dataloader.dataset)
        model.train()
        for batch, (X, y) in enumerate(dataloader):
            X, y = X.to(device), y.to(device)

            # Compute prediction error
            pred = model(X)
            loss = loss_fn(pred, y)

            # Backpropagation
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()

            loss, current = loss.item(), (batch + 1) * len(X)
            train_losses.append(loss)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")

    def test(dataloader, model, loss_fn):
        size = len(dataloader.dataset)
        num_batches = len(dataloader)
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in dataloader:
                X, y = X.to(device), y.to(device)
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        test_loss /= num_batches
        correct /= size
        print(f"Test Error: \n Accuracy: {(100 * correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
        return test_loss, correct

    epochs = 2
    results = []
    for t in range(epochs):
        print(f"Epoch {t + 1}\n-------------------------------")
        train(train_dataloader, model, loss_fn, optimizer)
        results.append(test(test_dataloader, model, loss_fn))
    print("Done!")
    out["train losses"] = train_losses
    out["test results"] = results
    return out
