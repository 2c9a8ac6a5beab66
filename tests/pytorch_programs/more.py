"""More tutorials and examples: PyTorch's "What is torch.nn really?" (MNIST logistic regression
from scratch, then ``nn.Module``, ``nn.Linear``, ``optim``, ``TensorDataset``, ``DataLoader``,
a CNN, ``nn.Sequential`` with a ``Lambda`` layer and ``nn.AdaptiveAvgPool2d``).

The tutorials' code is kept; sizes are cut so that a run takes a second or two, datasets are
replaced by random arrays of the same shapes and dtypes, and the numbers the libraries draw
(``torch.randn``, layers' initial weights) are replaced by the same NumPy numbers in both.
Shuffled loaders run unshuffled: a shuffled order is each library's own. Changes made for a
reason are marked with a comment.
"""

# ruff: noqa: B007, B905, ERA001  (the tutorials' code, kept as they write it)

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from . import program, rng
from .tutorials import _load, _uniform

Data = dict[str, np.ndarray]


# -- PyTorch tutorial: What is torch.nn really? ------------------------------------------------


def _nn_really_data() -> Data:
    g = rng(61)
    out: Data = {
        # MNIST's shapes and dtypes: flattened 28 x 28 images in [0, 1], int64 labels
        "x_train": g.random((160, 784), dtype=np.float32),
        "y_train": g.integers(0, 10, 160),
        "x_valid": g.random((80, 784), dtype=np.float32),
        "y_valid": g.integers(0, 10, 80),
        # the normal draws of the two torch.randn(784, 10) calls
        "randn": g.standard_normal((784, 10)).astype(np.float32),
        "randn 2": g.standard_normal((784, 10)).astype(np.float32),
        "logistic.lin.weight": _uniform(g, (10, 784), 784),
        "logistic.lin.bias": _uniform(g, (10,), 784),
    }
    for i, (cin, cout) in enumerate(((1, 16), (16, 16), (16, 10)), start=1):
        out[f"cnn.conv{i}.weight"] = _uniform(g, (cout, cin, 3, 3), cin * 9)
        out[f"cnn.conv{i}.bias"] = _uniform(g, (cout,), cin * 9)
    return out


@program(
    "tutorial: What is torch.nn really? (MNIST from scratch to a CNN)",
    data=_nn_really_data,
    rtol=1e-4,
    atol=1e-5,
)
def tut_nn_really(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}

    # MNIST is not here: arrays of its shapes and dtypes stand in for the pickled NumPy arrays
    x_train, y_train, x_valid, y_valid = (
        data["x_train"],
        data["y_train"],
        data["x_valid"],
        data["y_valid"],
    )

    x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
    n, c = x_train.shape
    print(x_train, y_train)
    print(x_train.shape)
    print(y_train.min(), y_train.max())
    out["shapes"] = [tuple(x_train.shape), tuple(y_train.shape), n, c]
    out["dtypes"] = [x_train.dtype, y_train.dtype]
    out["y_train min, max"] = [y_train.min(), y_train.max()]

    # (the tutorial's torch.randn(784, 10): the same normal draws in both libraries)
    weights = torch.from_numpy(data["randn"]) / math.sqrt(784)
    weights.requires_grad_()
    bias = torch.zeros(10, requires_grad=True)
    out["randn shape"] = tuple(torch.randn(784, 10).shape)

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    bs = 64  # batch size

    xb = x_train[0:bs]  # a mini-batch from x
    preds = model(xb)  # predictions
    preds[0], preds.shape
    print(preds[0], preds.shape)
    out["preds[0]"], out["preds.shape"] = preds[0], tuple(preds.shape)

    def nll(input, target):
        return -input[range(target.shape[0]), target].mean()

    loss_func = nll

    yb = y_train[0:bs]
    print(loss_func(preds, yb))
    out["nll"] = loss_func(preds, yb)

    def accuracy(out, yb):
        preds = torch.argmax(out, dim=1)
        return (preds == yb).float().mean()

    print(accuracy(preds, yb))
    out["accuracy"] = accuracy(preds, yb)

    lr = 0.5  # learning rate
    epochs = 2  # how many epochs to train for

    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            #         set_trace()
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            with torch.no_grad():
                weights -= weights.grad * lr
                bias -= bias.grad * lr
                weights.grad.zero_()
                bias.grad.zero_()

    print(loss_func(model(xb), yb), accuracy(model(xb), yb))
    out["from scratch"] = [loss_func(model(xb), yb), accuracy(model(xb), yb)]
    out["weights"], out["bias"] = weights, bias

    F = torch.nn.functional

    loss_func = F.cross_entropy

    def model(xb):
        return xb @ weights + bias

    print(loss_func(model(xb), yb), accuracy(model(xb), yb))
    out["F.cross_entropy"] = [loss_func(model(xb), yb), accuracy(model(xb), yb)]

    nn = torch.nn

    class Mnist_Logistic(nn.Module):
        def __init__(self):
            super().__init__()
            # (the tutorial's torch.randn(784, 10))
            self.weights = nn.Parameter(torch.from_numpy(data["randn 2"]) / math.sqrt(784))
            self.bias = nn.Parameter(torch.zeros(10))

        def forward(self, xb):
            return xb @ self.weights + self.bias

    model = Mnist_Logistic()
    print(loss_func(model(xb), yb))
    out["Mnist_Logistic before"] = loss_func(model(xb), yb)

    def fit():
        for epoch in range(epochs):
            for i in range((n - 1) // bs + 1):
                start_i = i * bs
                end_i = start_i + bs
                xb = x_train[start_i:end_i]
                yb = y_train[start_i:end_i]
                pred = model(xb)
                loss = loss_func(pred, yb)

                loss.backward()
                with torch.no_grad():
                    for p in model.parameters():
                        p -= p.grad * lr
                    model.zero_grad()

    fit()
    print(loss_func(model(xb), yb))
    out["Mnist_Logistic after"] = loss_func(model(xb), yb)

    class Mnist_Logistic(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(784, 10)
            _load(torch, self, data, "logistic.")  # (the same initial weights in both libraries)

        def forward(self, xb):
            return self.lin(xb)

    model = Mnist_Logistic()
    print(loss_func(model(xb), yb))
    out["nn.Linear before"] = loss_func(model(xb), yb)
    fit()
    print(loss_func(model(xb), yb))
    out["nn.Linear after"] = loss_func(model(xb), yb)

    optim = torch.optim

    def get_model():
        model = Mnist_Logistic()
        return model, optim.SGD(model.parameters(), lr=lr)

    model, opt = get_model()
    print(loss_func(model(xb), yb))

    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            opt.step()
            opt.zero_grad()

    print(loss_func(model(xb), yb))
    out["optim.SGD"] = loss_func(model(xb), yb)

    TensorDataset = torch.utils.data.TensorDataset

    train_ds = TensorDataset(x_train, y_train)

    model, opt = get_model()

    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            xb, yb = train_ds[i * bs : i * bs + bs]
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            opt.step()
            opt.zero_grad()

    print(loss_func(model(xb), yb))
    out["TensorDataset"] = loss_func(model(xb), yb)

    DataLoader = torch.utils.data.DataLoader

    train_ds = TensorDataset(x_train, y_train)
    train_dl = DataLoader(train_ds, batch_size=bs)

    model, opt = get_model()

    for epoch in range(epochs):
        for xb, yb in train_dl:
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            opt.step()
            opt.zero_grad()

    print(loss_func(model(xb), yb))
    out["DataLoader"] = loss_func(model(xb), yb)

    train_ds = TensorDataset(x_train, y_train)
    train_dl = DataLoader(train_ds, batch_size=bs, shuffle=False)  # (the tutorial's True)

    valid_ds = TensorDataset(x_valid, y_valid)
    valid_dl = DataLoader(valid_ds, batch_size=bs * 2)

    model, opt = get_model()

    valid_losses = []
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            opt.step()
            opt.zero_grad()

        model.eval()
        with torch.no_grad():
            valid_loss = sum(loss_func(model(xb), yb) for xb, yb in valid_dl)

        print(epoch, valid_loss / len(valid_dl))
        valid_losses.append(valid_loss / len(valid_dl))
    out["validation"] = valid_losses

    def loss_batch(model, loss_func, xb, yb, opt=None):
        loss = loss_func(model(xb), yb)

        if opt is not None:
            loss.backward()
            opt.step()
            opt.zero_grad()

        return loss.item(), len(xb)

    fitted = []

    def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
        for epoch in range(epochs):
            model.train()
            for xb, yb in train_dl:
                loss_batch(model, loss_func, xb, yb, opt)

            model.eval()
            with torch.no_grad():
                losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
            val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)

            print(epoch, val_loss)
            fitted.append(float(val_loss))

    def get_data(train_ds, valid_ds, bs):
        return (
            DataLoader(train_ds, batch_size=bs, shuffle=False),  # (the tutorial's True)
            DataLoader(valid_ds, batch_size=bs * 2),
        )

    train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
    model, opt = get_model()
    fit(epochs, model, loss_func, opt, train_dl, valid_dl)
    out["fit"] = fitted[:]

    class Mnist_CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)
            self.conv2 = nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1)
            self.conv3 = nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1)

        def forward(self, xb):
            xb = xb.view(-1, 1, 28, 28)
            xb = F.relu(self.conv1(xb))
            xb = F.relu(self.conv2(xb))
            xb = F.relu(self.conv3(xb))
            xb = F.avg_pool2d(xb, 4)
            return xb.view(-1, xb.size(1))

    lr = 0.1

    model = Mnist_CNN()
    _load(torch, model, data, "cnn.")
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)

    fitted.clear()
    fit(epochs, model, loss_func, opt, train_dl, valid_dl)
    out["Mnist_CNN fit"] = fitted[:]
    out["Mnist_CNN conv3.weight"] = model.conv3.weight

    class Lambda(nn.Module):
        def __init__(self, func):
            super().__init__()
            self.func = func

        def forward(self, x):
            return self.func(x)

    def preprocess(x):
        return x.view(-1, 1, 28, 28)

    def sequential_state():
        # (the CNN's initial weights under nn.Sequential's names, as the layers' own draws)
        return {
            f"{2 * i - 1}.{p}": torch.from_numpy(data[f"cnn.conv{i}.{p}"].copy())
            for i in (1, 2, 3)
            for p in ("weight", "bias")
        }

    model = nn.Sequential(
        Lambda(preprocess),
        nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.AvgPool2d(4),
        Lambda(lambda x: x.view(x.size(0), -1)),
    )
    model.load_state_dict(sequential_state())

    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)

    fitted.clear()
    fit(epochs, model, loss_func, opt, train_dl, valid_dl)
    out["Sequential fit"] = fitted[:]

    def preprocess(x, y):
        return x.view(-1, 1, 28, 28), y

    class WrappedDataLoader:
        def __init__(self, dl, func):
            self.dl = dl
            self.func = func

        def __len__(self):
            return len(self.dl)

        def __iter__(self):
            for b in self.dl:
                yield (self.func(*b))

    train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
    train_dl = WrappedDataLoader(train_dl, preprocess)
    valid_dl = WrappedDataLoader(valid_dl, preprocess)

    model = nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        Lambda(lambda x: x.view(x.size(0), -1)),
    )
    state = {
        f"{int(k.split('.')[0]) - 1}.{k.split('.')[1]}": v for k, v in sequential_state().items()
    }
    model.load_state_dict(state)

    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    fitted.clear()
    fit(epochs, model, loss_func, opt, train_dl, valid_dl)
    out["AdaptiveAvgPool2d fit"] = fitted[:]

    print(torch.cuda.is_available())
    dev = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")

    def preprocess(x, y):
        return x.view(-1, 1, 28, 28).to(dev), y.to(dev)

    train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
    train_dl = WrappedDataLoader(train_dl, preprocess)
    valid_dl = WrappedDataLoader(valid_dl, preprocess)

    model.to(dev)
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    fitted.clear()
    fit(epochs, model, loss_func, opt, train_dl, valid_dl)
    out["on dev fit"] = fitted[:]
    out["last conv weight"] = model[4].weight
    return out
