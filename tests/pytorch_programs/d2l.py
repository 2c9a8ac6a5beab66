"""The from-scratch programs of *Dive into Deep Learning*'s linear networks and multilayer
perceptrons chapters, written as the book writes them: linear regression (3.2), softmax
regression (3.6), the multilayer perceptron (4.2) and dropout (4.6), each with its helper
functions (``synthetic_data``, ``data_iter``, ``Accumulator``, ``accuracy``, ``sgd``).

The book draws its data and initial weights with ``torch.normal``; these programs draw them
too (their shapes, dtypes and moments are compared), then train from the same NumPy numbers
in ``data`` so that polytensor and torch can be compared step for step. Fashion-MNIST is
replaced by random images of its shape (no download); ``d2l``'s plotting is left out.
"""

# ruff: noqa: B007, E741  (the book's code, kept as it writes it)

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np

from . import program, rng

Data = dict[str, np.ndarray]


def _linreg_data() -> Data:
    g = rng(31)
    features = g.standard_normal((1000, 2)).astype(np.float32)
    true_w, true_b = np.array([2, -3.4], np.float32), np.float32(4.2)
    labels = features @ true_w + true_b + 0.01 * g.standard_normal(1000).astype(np.float32)
    return {
        "features": features,
        "labels": labels.reshape(-1, 1).astype(np.float32),
        "w": (0.01 * g.standard_normal((2, 1))).astype(np.float32),
    }


@program(
    "Dive into Deep Learning 3.2: linear regression from scratch",
    data=_linreg_data,
    rtol=1e-4,
    atol=1e-5,
)
def d2l_linear_regression_scratch(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}

    def synthetic_data(w, b, num_examples):
        """Generate y = Xw + b + noise."""
        X = torch.normal(0, 1, (num_examples, len(w)))
        y = torch.matmul(X, w) + b
        y += torch.normal(0, 0.01, y.shape)
        return X, y.reshape((-1, 1))

    true_w = torch.tensor([2, -3.4])
    true_b = 4.2
    features, labels = synthetic_data(true_w, true_b, 1000)
    out["synthetic"] = (tuple(features.shape), tuple(labels.shape), features.dtype)
    resid = labels - (torch.matmul(features, true_w) + true_b).reshape((-1, 1))
    out["noise small"] = bool(resid.abs().max() < 0.1)
    out["features standard"] = bool(abs(features.mean()) < 0.1 and abs(features.std() - 1) < 0.1)
    # the same data in both libraries from here on
    features, labels = torch.from_numpy(data["features"]), torch.from_numpy(data["labels"])

    def data_iter(batch_size, features, labels):
        num_examples = len(features)
        indices = list(range(num_examples))
        # The examples are read at random, in no particular order
        random.shuffle(indices)
        for i in range(0, num_examples, batch_size):
            batch_indices = torch.tensor(indices[i : min(i + batch_size, num_examples)])
            yield features[batch_indices], labels[batch_indices]

    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    out["w drawn"] = (tuple(w.shape), w.requires_grad, w.is_leaf)
    w = torch.tensor(data["w"], requires_grad=True)
    b = torch.zeros(1, requires_grad=True)

    def linreg(X, w, b):
        """The linear regression model."""
        return torch.matmul(X, w) + b

    def squared_loss(y_hat, y):
        """Squared loss."""
        return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

    def sgd(params, lr, batch_size):
        """Minibatch stochastic gradient descent."""
        with torch.no_grad():
            for param in params:
                param -= lr * param.grad / batch_size
                param.grad.zero_()

    lr = 0.03
    num_epochs = 3
    net = linreg
    loss = squared_loss
    batch_size = 10
    random.seed(0)
    losses = []
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            l = loss(net(X, w, b), y)  # Minibatch loss in `X` and `y`
            # Compute gradient on `l` with respect to [`w`, `b`]
            l.sum().backward()
            sgd([w, b], lr, batch_size)  # Update parameters using their gradient
        with torch.no_grad():
            train_l = loss(net(features, w, b), labels)
            losses.append(float(train_l.mean()))
            print(f"epoch {epoch + 1}, loss {float(train_l.mean()):f}")
    out["losses"] = losses
    out["w"], out["b"] = w, b
    out["w error"] = (true_w - w.reshape(true_w.shape)).abs().max() < 0.01
    out["b error"] = abs(true_b - b.item()) < 0.01
    return out


def _images_data() -> Data:
    g = rng(32)
    return {
        "X": g.random((256, 1, 28, 28)).astype(np.float32),
        "y": g.integers(0, 10, 256),
        "W": (0.01 * g.standard_normal((784, 10))).astype(np.float32),
        "W1": (0.01 * g.standard_normal((784, 256))).astype(np.float32),
        "W2": (0.01 * g.standard_normal((256, 10))).astype(np.float32),
    }


class Accumulator:
    """For accumulating sums over `n` variables."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args, strict=True)]

    def reset(self):
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]


def _batches(torch: Any, data: Data, batch_size: int) -> list[tuple[Any, Any]]:
    """The images in minibatches, in order (the book's ``load_data_fashion_mnist`` without the
    download and the shuffle)."""
    X, y = torch.from_numpy(data["X"]), torch.from_numpy(data["y"])
    return [(X[i : i + batch_size], y[i : i + batch_size]) for i in range(0, len(X), batch_size)]


@program(
    "Dive into Deep Learning 3.6: softmax regression from scratch",
    data=_images_data,
    rtol=1e-4,
    atol=1e-6,
)
def d2l_softmax_regression_scratch(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    train_iter = test_iter = _batches(torch, data, 32)
    num_inputs = 784
    num_outputs = 10
    W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
    out["W drawn"] = (tuple(W.shape), bool(W.abs().max() < 0.1))
    W = torch.tensor(data["W"], requires_grad=True)
    b = torch.zeros(num_outputs, requires_grad=True)

    X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    out["sums"] = (X.sum(0, keepdim=True), X.sum(1, keepdim=True))

    def softmax(X):
        X_exp = torch.exp(X)
        partition = X_exp.sum(1, keepdim=True)
        return X_exp / partition  # The broadcasting mechanism is applied here

    X = torch.normal(0, 1, (2, 5))
    X_prob = softmax(X)
    out["softmax rows"] = (tuple(X_prob.shape), bool(abs(X_prob.sum(1) - 1).max() < 1e-6))

    def net(X):
        return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)

    y = torch.tensor([0, 2])
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    out["picked"] = y_hat[[0, 1], y]

    def cross_entropy(y_hat, y):
        return -torch.log(y_hat[range(len(y_hat)), y])

    out["cross entropy"] = cross_entropy(y_hat, y)

    def accuracy(y_hat, y):
        """Compute the number of correct predictions."""
        if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
            y_hat = y_hat.argmax(axis=1)
        cmp = y_hat.type(y.dtype) == y
        return float(cmp.type(y.dtype).sum())

    out["accuracy"] = accuracy(y_hat, y) / len(y)

    def evaluate_accuracy(net, data_iter):
        """Compute the accuracy for a model on a dataset."""
        if isinstance(net, torch.nn.Module):
            net.eval()  # Set the model to evaluation mode
        metric = Accumulator(2)  # No. of correct predictions, no. of predictions
        with torch.no_grad():
            for X, y in data_iter:
                metric.add(accuracy(net(X), y), y.numel())
        return metric[0] / metric[1]

    out["initial accuracy"] = evaluate_accuracy(net, test_iter)

    def train_epoch_ch3(net, train_iter, loss, updater):
        """The training loop defined in Chapter 3."""
        # Set the model to training mode
        if isinstance(net, torch.nn.Module):
            net.train()
        # Sum of training loss, sum of training accuracy, no. of examples
        metric = Accumulator(3)
        for X, y in train_iter:
            # Compute gradients and update parameters
            y_hat = net(X)
            l = loss(y_hat, y)
            if isinstance(updater, torch.optim.Optimizer):
                # Using PyTorch in-built optimizer & loss criterion
                updater.zero_grad()
                l.mean().backward()
                updater.step()
            else:
                # Using custom built optimizer & loss criterion
                l.sum().backward()
                updater(X.shape[0])
            metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
        # Return training loss and training accuracy
        return metric[0] / metric[2], metric[1] / metric[2]

    def sgd(params, lr, batch_size):
        """Minibatch stochastic gradient descent."""
        with torch.no_grad():
            for param in params:
                param -= lr * param.grad / batch_size
                param.grad.zero_()

    lr = 0.1

    def updater(batch_size):
        return sgd([W, b], lr, batch_size)

    history = []
    for epoch in range(3):
        train_metrics = train_epoch_ch3(net, train_iter, cross_entropy, updater)
        test_acc = evaluate_accuracy(net, test_iter)
        history.append((*train_metrics, test_acc))
    out["history"] = history
    out["W"], out["b"] = W, b
    out["predictions"] = net(_batches(torch, data, 6)[0][0]).argmax(axis=1)
    return out


@program(
    "Dive into Deep Learning 4.2: multilayer perceptron from scratch",
    data=_images_data,
    rtol=1e-4,
    atol=1e-6,
)
def d2l_mlp_scratch(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    out: dict[str, Any] = {}
    train_iter = test_iter = _batches(torch, data, 64)
    num_inputs, num_outputs, num_hiddens = 784, 10, 256

    W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens, requires_grad=True) * 0.01)
    out["W1 drawn"] = (type(W1).__name__, W1.requires_grad, W1.is_leaf, tuple(W1.shape))
    W1 = nn.Parameter(torch.from_numpy(data["W1"]))
    b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
    W2 = nn.Parameter(torch.from_numpy(data["W2"]))
    b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))

    params = [W1, b1, W2, b2]

    def relu(X):
        a = torch.zeros_like(X)
        return torch.max(X, a)

    def net(X):
        X = X.reshape((-1, num_inputs))
        H = relu(X @ W1 + b1)  # Here '@' stands for matrix multiplication
        return H @ W2 + b2

    loss = nn.CrossEntropyLoss(reduction="none")
    num_epochs, lr = 3, 0.1
    updater = torch.optim.SGD(params, lr=lr)
    history = []
    for epoch in range(num_epochs):
        metric = Accumulator(3)
        for X, y in train_iter:
            y_hat = net(X)
            l = loss(y_hat, y)
            updater.zero_grad()
            l.mean().backward()
            updater.step()
            correct = float((y_hat.argmax(axis=1).type(y.dtype) == y).type(y.dtype).sum())
            metric.add(float(l.sum()), correct, y.numel())
        history.append((metric[0] / metric[2], metric[1] / metric[2]))
    out["history"] = history
    out["params"] = [p.detach() for p in params]
    with torch.no_grad():
        out["test logits"] = net(test_iter[0][0][:4])
    return out


@program("Dive into Deep Learning 4.6: dropout from scratch")
def d2l_dropout_scratch(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}

    def dropout_layer(X, dropout):
        assert 0 <= dropout <= 1
        # In this case, all elements are dropped out
        if dropout == 1:
            return torch.zeros_like(X)
        # In this case, all elements are kept
        if dropout == 0:
            return X
        mask = (torch.rand(X.shape) > dropout).float()
        return mask * X / (1.0 - dropout)

    X = torch.arange(16, dtype=torch.float32).reshape((2, 8))
    out["p=0"] = dropout_layer(X, 0.0)
    out["p=1"] = dropout_layer(X, 1.0)
    torch.manual_seed(0)
    half = dropout_layer(X, 0.5)
    kept = half != 0
    out["kept doubled"] = bool(torch.all(half[kept] == 2 * X[kept]))
    out["shape"] = tuple(half.shape)
    big = dropout_layer(torch.ones(100_000), 0.5)
    out["about half kept"] = bool(abs(float((big != 0).float().mean()) - 0.5) < 0.01)
    out["mean kept"] = bool(abs(float(big.mean()) - 1.0) < 0.02)
    return out
