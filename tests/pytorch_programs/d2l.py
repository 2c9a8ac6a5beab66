"""The from-scratch programs of *Dive into Deep Learning*'s linear networks and multilayer
perceptrons chapters, written as the book writes them: linear regression (3.2), softmax
regression (3.6), the multilayer perceptron (4.2) and dropout (4.6), each with its helper
functions (``synthetic_data``, ``data_iter``, ``Accumulator``, ``accuracy``, ``sgd``).

The book draws its data and initial weights with ``torch.normal``; these programs draw them
too (their shapes, dtypes and moments are compared), then train from the same NumPy numbers
in ``data`` so that polytensor and torch can be compared step for step. Fashion-MNIST is
replaced by random images of its shape (no download); ``d2l``'s plotting is left out.
"""

# ruff: noqa: B007, B905, E721, E741, RET504, RET505, RUF015, UP008, UP034  (the book's code, kept as it writes it)

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


# -- Builders' guide (chapter 5), convolutional networks (chapters 6-8) -------------------------


def _random_state(torch: Any, net: Any, seed: int) -> dict[str, Any]:
    """Every floating tensor of ``net``'s state drawn anew from NumPy (the same numbers in both
    libraries): the program's one change to the book, whose weights torch draws itself."""
    g = rng(seed)
    state = {}
    for k, v in net.state_dict().items():
        if v.dtype in (torch.float32, torch.float64):
            scale = 1.0 if "running_var" in k else 0.1
            a = g.standard_normal(tuple(v.shape)) * scale
            state[k] = torch.from_numpy(np.abs(a) if "running_var" in k else a).to(v.dtype)
        else:
            state[k] = v
    return state


def _builders_data() -> Data:
    return {"X": rng(36).random((2, 4)).astype(np.float32)}


@program(
    "Dive into Deep Learning 5.1-5.6: layers, parameters, initialisation, custom layers, files",
    data=_builders_data,
    rtol=1e-5,
    atol=1e-6,
)
def d2l_builders_guide(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    F = torch.nn.functional
    out: dict[str, Any] = {}
    X = torch.rand(2, 20)

    class MLP(nn.Module):
        def __init__(self):
            # Call the constructor of the parent class nn.Module to perform
            # the necessary initialization
            super().__init__()
            self.hidden = nn.LazyLinear(256)
            self.out = nn.LazyLinear(10)

        # Define the forward propagation of the model, that is, how to return the
        # required model output based on the input X
        def forward(self, X):
            return self.out(F.relu(self.hidden(X)))

    net = MLP()
    out["mlp"] = tuple(net(X).shape)

    class MySequential(nn.Module):
        def __init__(self, *args):
            super().__init__()
            for idx, module in enumerate(args):
                self.add_module(str(idx), module)

        def forward(self, X):
            for module in self.children():
                X = module(X)
            return X

    net = MySequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))
    out["my sequential"] = tuple(net(X).shape)

    class FixedHiddenMLP(nn.Module):
        def __init__(self):
            super().__init__()
            # Random weight parameters that will not compute gradients and
            # therefore keep constant during training
            self.rand_weight = torch.rand((20, 20))
            self.linear = nn.LazyLinear(20)

        def forward(self, X):
            X = self.linear(X)
            X = F.relu(X @ self.rand_weight + 1)
            # Reuse the fully connected layer. This is equivalent to sharing
            # parameters with two fully connected layers
            X = self.linear(X)
            # Control flow
            while X.abs().sum() > 1:
                X /= 2
            return X.sum()

    out["fixed hidden"] = bool(abs(float(FixedHiddenMLP()(X))) <= 1)

    class NestMLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.LazyLinear(64), nn.ReLU(), nn.LazyLinear(32), nn.ReLU())
            self.linear = nn.LazyLinear(16)

        def forward(self, X):
            return self.linear(self.net(X))

    chimera = nn.Sequential(NestMLP(), nn.LazyLinear(20), FixedHiddenMLP())
    out["chimera"] = tuple(chimera(X).shape)

    # 5.2 parameter management
    net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1))
    X = torch.rand(size=(2, 4))
    X = torch.from_numpy(data["X"])  # (the same input in both libraries from here on)
    out["net"] = tuple(net(X).shape)
    out["state keys"] = list(net[2].state_dict())
    out["bias type"] = type(net[2].bias).__name__
    out["no grad yet"] = net[2].weight.grad == None  # noqa: E711  (the book's test)
    out["named"] = [(name, tuple(param.shape)) for name, param in net.named_parameters()]
    shared = nn.LazyLinear(8)
    net = nn.Sequential(
        nn.LazyLinear(8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), nn.LazyLinear(1)
    )
    net(X)
    out["shared"] = bool((net[2].weight.data[0] == net[4].weight.data[0]).all())
    net[2].weight.data[0, 0] = 100
    out["shared after a write"] = bool((net[2].weight.data[0] == net[4].weight.data[0]).all())
    out["shared value"] = float(net[4].weight.data[0, 0])

    # 5.3 parameter initialisation
    net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1))
    net(X)

    def init_normal(module):
        if type(module) == nn.Linear:
            nn.init.normal_(module.weight, mean=0, std=0.01)
            nn.init.zeros_(module.bias)

    net.apply(init_normal)
    out["normal"] = (bool(net[0].weight.data.abs().max() < 0.1), float(net[0].bias.data[0]))

    def init_constant(module):
        if type(module) == nn.Linear:
            nn.init.constant_(module.weight, 1)
            nn.init.zeros_(module.bias)

    net.apply(init_constant)
    # (copies: the parameters change below; on Dask a view of .data does not follow them)
    out["constant"] = (net[0].weight.data[0].clone(), net[0].bias.data[0].clone(), net(X))

    def init_xavier(module):
        if type(module) == nn.Linear:
            nn.init.xavier_uniform_(module.weight)

    def init_42(module):
        if type(module) == nn.Linear:
            nn.init.constant_(module.weight, 42)

    net[0].apply(init_xavier)
    net[2].apply(init_42)
    out["xavier"] = bool(net[0].weight.data.abs().max() <= (6 / (4 + 8)) ** 0.5)
    out["42"] = net[2].weight.data.clone()

    def my_init(module):
        if type(module) == nn.Linear:
            print("Init", *[(name, param.shape) for name, param in module.named_parameters()][0])
            nn.init.uniform_(module.weight, -10, 10)
            module.weight.data *= module.weight.data.abs() >= 5

    net.apply(my_init)
    w = net[0].weight.data
    out["my init"] = bool(((w == 0) | (w.abs() >= 5)).all())
    net[0].weight.data[:] += 1
    net[0].weight.data[0, 0] = 42
    out["edited"] = float(net[0].weight.data[0, 0])

    # 5.5 custom layers
    class CenteredLayer(nn.Module):
        def __init__(self):
            super().__init__()

        def forward(self, X):
            return X - X.mean()

    layer = CenteredLayer()
    out["centered"] = layer(torch.tensor([1.0, 2, 3, 4, 5]))
    net = nn.Sequential(nn.LazyLinear(128), CenteredLayer())
    Y = net(torch.rand(4, 8))
    out["centered mean"] = bool(abs(float(Y.mean())) < 1e-6)

    class MyLinear(nn.Module):
        def __init__(self, in_units, units):
            super().__init__()
            self.weight = nn.Parameter(torch.randn(in_units, units))
            self.bias = nn.Parameter(torch.randn(units))

        def forward(self, X):
            linear = torch.matmul(X, self.weight.data) + self.bias.data
            return F.relu(linear)

    linear = MyLinear(5, 3)
    out["my linear"] = (tuple(linear.weight.shape), bool((linear(torch.rand(2, 5)) >= 0).all()))
    net = nn.Sequential(MyLinear(64, 8), MyLinear(8, 1))
    out["my linear net"] = tuple(net(torch.rand(2, 64)).shape)

    # 5.6 file I/O
    x = torch.arange(4)
    torch.save(x, tmp / "x-file")
    out["loaded"] = torch.load(tmp / "x-file")
    y = torch.zeros(4)
    torch.save([x, y], tmp / "x-files")
    x2, y2 = torch.load(tmp / "x-files")
    out["loaded pair"] = (x2, y2)
    mydict = {"x": x, "y": y}
    torch.save(mydict, tmp / "mydict")
    out["loaded dict"] = torch.load(tmp / "mydict")

    class MLP2(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.LazyLinear(256)
            self.output = nn.LazyLinear(10)

        def forward(self, x):
            return self.output(F.relu(self.hidden(x)))

    net = MLP2()
    X = torch.randn(size=(2, 20))
    Y = net(X)
    torch.save(net.state_dict(), tmp / "mlp.params")
    clone = MLP2()
    clone.load_state_dict(torch.load(tmp / "mlp.params"))
    clone.eval()
    Y_clone = clone(X)
    out["clone"] = bool((Y_clone == Y).all())
    return out


def _cnn_data() -> Data:
    g = rng(33)
    return {"X": g.random((16, 1, 28, 28)).astype(np.float32), "y": g.integers(0, 10, 16)}


@program("Dive into Deep Learning 6.6: LeNet, trained", data=_cnn_data, rtol=2e-4, atol=1e-5)
def d2l_lenet(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    out: dict[str, Any] = {}

    def init_cnn(module):  # @save
        """Initialize weights for CNNs."""
        if type(module) == nn.Linear or type(module) == nn.Conv2d:
            nn.init.xavier_uniform_(module.weight)

    net = nn.Sequential(
        nn.LazyConv2d(6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.LazyConv2d(16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.LazyLinear(120), nn.Sigmoid(),
        nn.LazyLinear(84), nn.Sigmoid(),
        nn.LazyLinear(10))  # fmt: skip
    X = torch.rand(size=(1, 1, 28, 28), dtype=torch.float32)
    shapes = []
    for layer in net:
        X = layer(X)
        shapes.append((layer.__class__.__name__, tuple(X.shape)))
    out["shapes"] = shapes
    net.apply(init_cnn)
    net.load_state_dict(_random_state(torch, net, 34))
    X, y = torch.from_numpy(data["X"]), torch.from_numpy(data["y"])
    loss = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.9)
    losses = []
    for _ in range(3):
        l = loss(net(X), y)
        optimizer.zero_grad()
        l.backward()
        optimizer.step()
        losses.append(float(l))
    out["losses"] = losses
    out["conv1"] = net[0].weight.data.clone()
    return out


@program(
    "Dive into Deep Learning 8.6: a residual network, trained", data=_cnn_data, rtol=2e-4, atol=1e-5
)
def d2l_resnet(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    F = torch.nn.functional
    out: dict[str, Any] = {}

    class Residual(nn.Module):  # @save
        """The Residual block of ResNet models."""

        def __init__(self, num_channels, use_1x1conv=False, strides=1):
            super().__init__()
            self.conv1 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1, stride=strides)
            self.conv2 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1)
            if use_1x1conv:
                self.conv3 = nn.LazyConv2d(num_channels, kernel_size=1, stride=strides)
            else:
                self.conv3 = None
            self.bn1 = nn.LazyBatchNorm2d()
            self.bn2 = nn.LazyBatchNorm2d()

        def forward(self, X):
            Y = F.relu(self.bn1(self.conv1(X)))
            Y = self.bn2(self.conv2(Y))
            if self.conv3:
                X = self.conv3(X)
            Y += X
            return F.relu(Y)

    blk = Residual(3)
    X = torch.randn(4, 3, 6, 6)
    out["block"] = tuple(blk(X).shape)
    blk = Residual(6, use_1x1conv=True, strides=2)
    out["block 1x1"] = tuple(blk(X).shape)

    def block(num_residuals, num_channels, first_block=False):
        blk = []
        for i in range(num_residuals):
            if i == 0 and not first_block:
                blk.append(Residual(num_channels, use_1x1conv=True, strides=2))
            else:
                blk.append(Residual(num_channels))
        return nn.Sequential(*blk)

    b1 = nn.Sequential(
        nn.LazyConv2d(8, kernel_size=7, stride=2, padding=3),
        nn.LazyBatchNorm2d(), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))  # fmt: skip
    net = nn.Sequential(
        b1, block(1, 8, first_block=True), block(1, 16),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.LazyLinear(10))  # fmt: skip
    X = torch.from_numpy(data["X"])
    shapes = []
    Z = X
    for layer in net:
        Z = layer(Z)
        shapes.append((layer.__class__.__name__, tuple(Z.shape)))
    out["shapes"] = shapes
    net.load_state_dict(_random_state(torch, net, 35))
    y = torch.from_numpy(data["y"])
    loss = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05)
    losses = []
    for _ in range(3):
        l = loss(net(X), y)
        optimizer.zero_grad()
        l.backward()
        optimizer.step()
        losses.append(float(l))
    out["losses"] = losses
    net.eval()
    with torch.no_grad():
        out["eval logits"] = net(X[:4])
    out["running mean"] = net[0][1].running_mean
    return out


def _attention_data() -> Data:
    g = rng(37)
    return {
        "scores": g.random((2, 2, 4)).astype(np.float32),
        "queries": g.standard_normal((2, 1, 20)).astype(np.float32),
        "keys": g.standard_normal((2, 10, 2)).astype(np.float32),
        "values": g.standard_normal((2, 10, 4)).astype(np.float32),
        "X": g.standard_normal((2, 4, 100)).astype(np.float32),
        "Y": g.standard_normal((2, 6, 100)).astype(np.float32),
    }


@program(
    "Dive into Deep Learning 11.3-11.7: masked softmax, additive, scaled dot-product and "
    "multi-head attention, positional encoding",
    data=_attention_data,
    rtol=1e-4,
    atol=1e-6,
)
def d2l_attention(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    import math

    nn = torch.nn
    out: dict[str, Any] = {}

    def sequence_mask(X, valid_len, value=0):  # @save
        """Mask irrelevant entries in sequences."""
        maxlen = X.size(1)
        mask = (
            torch.arange((maxlen), dtype=torch.float32, device=X.device)[None, :]
            < valid_len[:, None]
        )
        X[~mask] = value
        return X

    def masked_softmax(X, valid_lens):  # @save
        """Perform softmax operation by masking elements on the last axis."""
        # X: 3D tensor, valid_lens: 1D or 2D tensor
        if valid_lens is None:
            return nn.functional.softmax(X, dim=-1)
        else:
            shape = X.shape
            if valid_lens.dim() == 1:
                valid_lens = torch.repeat_interleave(valid_lens, shape[1])
            else:
                valid_lens = valid_lens.reshape(-1)
            # On the last axis, replace masked elements with a very large negative
            # value, whose exponentiation outputs 0
            X = sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
            return nn.functional.softmax(X.reshape(shape), dim=-1)

    scores = torch.from_numpy(data["scores"])
    out["masked 1-D"] = masked_softmax(scores.clone(), torch.tensor([2, 3]))
    out["masked 2-D"] = masked_softmax(scores.clone(), torch.tensor([[1, 3], [2, 4]]))
    out["bmm"] = tuple(torch.bmm(torch.ones((2, 3, 4)), torch.ones((2, 4, 6))).shape)

    class AdditiveAttention(nn.Module):  # @save
        """Additive attention."""

        def __init__(self, num_hiddens, dropout, **kwargs):
            super(AdditiveAttention, self).__init__(**kwargs)
            self.W_k = nn.LazyLinear(num_hiddens, bias=False)
            self.W_q = nn.LazyLinear(num_hiddens, bias=False)
            self.w_v = nn.LazyLinear(1, bias=False)
            self.dropout = nn.Dropout(dropout)

        def forward(self, queries, keys, values, valid_lens):
            queries, keys = self.W_q(queries), self.W_k(keys)
            # After dimension expansion, shape of queries: (batch_size, no. of
            # queries, 1, num_hiddens) and shape of keys: (batch_size, 1, no. of
            # key-value pairs, num_hiddens). Sum them up with broadcasting
            features = queries.unsqueeze(2) + keys.unsqueeze(1)
            features = torch.tanh(features)
            # There is only one output of self.w_v, so we remove the last
            # one-dimensional entry from the shape. Shape of scores: (batch_size,
            # no. of queries, no. of key-value pairs)
            scores = self.w_v(features).squeeze(-1)
            self.attention_weights = masked_softmax(scores, valid_lens)
            # Shape of values: (batch_size, no. of key-value pairs, value
            # dimension)
            return torch.bmm(self.dropout(self.attention_weights), values)

    queries, keys = torch.from_numpy(data["queries"]), torch.from_numpy(data["keys"])
    values, valid_lens = torch.from_numpy(data["values"]), torch.tensor([2, 6])
    attention = AdditiveAttention(num_hiddens=8, dropout=0.1)
    attention.eval()
    attention(queries, keys, values, valid_lens)
    attention.load_state_dict(_random_state(torch, attention, 38))
    out["additive"] = attention(queries, keys, values, valid_lens)
    out["additive weights"] = attention.attention_weights

    class DotProductAttention(nn.Module):  # @save
        """Scaled dot product attention."""

        def __init__(self, dropout):
            super().__init__()
            self.dropout = nn.Dropout(dropout)

        # Shape of queries: (batch_size, no. of queries, d)
        # Shape of keys: (batch_size, no. of key-value pairs, d)
        # Shape of values: (batch_size, no. of key-value pairs, value dimension)
        # Shape of valid_lens: (batch_size,) or (batch_size, no. of queries)
        def forward(self, queries, keys, values, valid_lens=None):
            d = queries.shape[-1]
            # Swap the last two dimensions of keys with keys.transpose(1, 2)
            scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)
            self.attention_weights = masked_softmax(scores, valid_lens)
            return torch.bmm(self.dropout(self.attention_weights), values)

    attention = DotProductAttention(dropout=0.5)
    attention.eval()
    out["dot"] = attention(queries[:, :, :2], keys, values, valid_lens)

    class MultiHeadAttention(nn.Module):  # @save
        """Multi-head attention."""

        def __init__(self, num_hiddens, num_heads, dropout, bias=False, **kwargs):
            super().__init__()
            self.num_heads = num_heads
            self.attention = DotProductAttention(dropout)
            self.W_q = nn.LazyLinear(num_hiddens, bias=bias)
            self.W_k = nn.LazyLinear(num_hiddens, bias=bias)
            self.W_v = nn.LazyLinear(num_hiddens, bias=bias)
            self.W_o = nn.LazyLinear(num_hiddens, bias=bias)

        def forward(self, queries, keys, values, valid_lens):
            queries = self.transpose_qkv(self.W_q(queries))
            keys = self.transpose_qkv(self.W_k(keys))
            values = self.transpose_qkv(self.W_v(values))
            if valid_lens is not None:
                # On axis 0, copy the first item (scalar or vector) for num_heads
                # times, then copy the next item, and so on
                valid_lens = torch.repeat_interleave(valid_lens, repeats=self.num_heads, dim=0)
            output = self.attention(queries, keys, values, valid_lens)
            output_concat = self.transpose_output(output)
            return self.W_o(output_concat)

        def transpose_qkv(self, X):
            """Transposition for parallel computation of multiple attention heads."""
            X = X.reshape(X.shape[0], X.shape[1], self.num_heads, -1)
            X = X.permute(0, 2, 1, 3)
            return X.reshape(-1, X.shape[2], X.shape[3])

        def transpose_output(self, X):
            """Reverse the operation of transpose_qkv."""
            X = X.reshape(-1, self.num_heads, X.shape[1], X.shape[2])
            X = X.permute(0, 2, 1, 3)
            return X.reshape(X.shape[0], X.shape[1], -1)

    num_hiddens, num_heads = 100, 5
    attention = MultiHeadAttention(num_hiddens, num_heads, 0.5)
    attention.eval()
    X, Y = torch.from_numpy(data["X"]), torch.from_numpy(data["Y"])
    attention(X, Y, Y, torch.tensor([3, 2]))
    attention.load_state_dict(_random_state(torch, attention, 39))
    out["multi-head"] = attention(X, Y, Y, torch.tensor([3, 2]))

    class PositionalEncoding(nn.Module):  # @save
        """Positional encoding."""

        def __init__(self, num_hiddens, dropout, max_len=1000):
            super().__init__()
            self.dropout = nn.Dropout(dropout)
            # Create a long enough P
            self.P = torch.zeros((1, max_len, num_hiddens))
            X = torch.arange(max_len, dtype=torch.float32).reshape(-1, 1) / torch.pow(
                10000, torch.arange(0, num_hiddens, 2, dtype=torch.float32) / num_hiddens
            )
            self.P[:, :, 0::2] = torch.sin(X)
            self.P[:, :, 1::2] = torch.cos(X)

        def forward(self, X):
            X = X + self.P[:, : X.shape[1], :].to(X.device)
            return self.dropout(X)

    pos_encoding = PositionalEncoding(32, 0)
    out["positional"] = pos_encoding(torch.zeros((1, 60, 32)))[0, :, 6:10]
    return out


def _seq2seq_data() -> Data:
    g = rng(40)
    return {
        "src": g.integers(0, 10, (4, 9)),
        "tgt": g.integers(0, 10, (4, 9)),
        "valid": np.array([9, 6, 4, 7]),
    }


@program(
    "Dive into Deep Learning 9.5, 10.7: RNN from scratch, and a GRU encoder-decoder trained "
    "with a masked loss and gradient clipping",
    data=_seq2seq_data,
    rtol=2e-4,
    atol=1e-5,
)
def d2l_seq2seq(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    F = torch.nn.functional
    out: dict[str, Any] = {}

    # 9.5: one-hot inputs, an RNN step by hand, gradient clipping by hand
    X = torch.arange(10).reshape((2, 5))
    out["one hot"] = tuple(F.one_hot(X.T, 28).shape)
    W_xh = torch.from_numpy(rng(41).standard_normal((28, 32)).astype(np.float32) * 0.01)
    W_xh.requires_grad_(True)
    state = torch.zeros((2, 32))
    outputs = []
    for x in F.one_hot(X.T, 28).type(torch.float32):
        state = torch.tanh(torch.matmul(x, W_xh) + state)
        outputs.append(state)
    torch.stack(outputs).sum().backward()
    norm = torch.sqrt(sum(torch.sum((p.grad**2)) for p in [W_xh]))
    if norm > 1:
        for param in [W_xh]:
            param.grad[:] *= 1 / norm
    out["clipped"] = W_xh.grad

    class Seq2SeqEncoder(nn.Module):  # @save
        """The RNN encoder for sequence-to-sequence learning."""

        def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embed_size)
            self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

        def forward(self, X, *args):
            # X shape: (batch_size, num_steps)
            embs = self.embedding(X.t().type(torch.int64))
            # embs shape: (num_steps, batch_size, embed_size)
            outputs, state = self.rnn(embs)
            # outputs shape: (num_steps, batch_size, num_hiddens)
            # state shape: (num_layers, batch_size, num_hiddens)
            return outputs, state

    class Seq2SeqDecoder(nn.Module):
        """The RNN decoder for sequence to sequence learning."""

        def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embed_size)
            self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
            self.dense = nn.LazyLinear(vocab_size)

        def init_state(self, enc_all_outputs, *args):
            return enc_all_outputs

        def forward(self, X, state):
            # X shape: (batch_size, num_steps)
            # embs shape: (num_steps, batch_size, embed_size)
            embs = self.embedding(X.t().type(torch.int32))
            enc_output, hidden_state = state
            # context shape: (batch_size, num_hiddens)
            context = enc_output[-1]
            # Broadcast context to (num_steps, batch_size, num_hiddens)
            context = context.repeat(embs.shape[0], 1, 1)
            # Concat at the feature dimension
            embs_and_context = torch.cat((embs, context), -1)
            outputs, hidden_state = self.rnn(embs_and_context, hidden_state)
            outputs = self.dense(outputs).swapaxes(0, 1)
            # outputs shape: (batch_size, num_steps, vocab_size)
            # hidden_state shape: (num_layers, batch_size, num_hiddens)
            return outputs, [enc_output, hidden_state]

    vocab_size, embed_size, num_hiddens, num_layers = 10, 8, 16, 2
    encoder = Seq2SeqEncoder(vocab_size, embed_size, num_hiddens, num_layers)
    decoder = Seq2SeqDecoder(vocab_size, embed_size, num_hiddens, num_layers)
    src, tgt = torch.from_numpy(data["src"]), torch.from_numpy(data["tgt"])
    enc_outputs, enc_state = encoder(src)
    out["encoder"] = (tuple(enc_outputs.shape), tuple(enc_state.shape))
    dec_outputs, state = decoder(tgt, decoder.init_state(encoder(src)))
    out["decoder"] = (tuple(dec_outputs.shape), tuple(state[1].shape))
    encoder.load_state_dict(_random_state(torch, encoder, 42))
    decoder.load_state_dict(_random_state(torch, decoder, 43))

    valid = torch.from_numpy(data["valid"])

    def loss_fn(Y_hat, Y):
        l = F.cross_entropy(
            Y_hat.reshape((-1, Y_hat.shape[-1])), Y.reshape((-1,)), reduction="none"
        )
        steps = torch.arange(Y.shape[1])[None, :]
        mask = (steps < valid[:, None]).type(torch.float32).reshape(-1)
        return (l * mask).sum() / mask.sum()

    params = list(encoder.parameters()) + list(decoder.parameters())
    optimizer = torch.optim.Adam(params, lr=0.005)
    losses, norms = [], []
    for _ in range(3):
        optimizer.zero_grad()
        Y_hat, _ = decoder(tgt, decoder.init_state(encoder(src)))
        l = loss_fn(Y_hat, tgt)
        l.backward()
        norms.append(float(nn.utils.clip_grad_norm_(params, 1)))
        optimizer.step()
        losses.append(float(l))
    out["losses"], out["norms"] = losses, norms
    out["per token"] = nn.CrossEntropyLoss(reduction="none")(Y_hat.permute(0, 2, 1), tgt)
    return out


def _nlp_data() -> Data:
    g = rng(44)
    return {
        "tokens": g.integers(0, 100, (2, 20)),
        "encoded": g.standard_normal((2, 8, 24)).astype(np.float32),
    }


@program(
    "Dive into Deep Learning 15-16: word2vec's loss and similarity, BERT's masked language "
    "model, TextCNN and a bidirectional LSTM for sentiment",
    data=_nlp_data,
    rtol=1e-4,
    atol=1e-6,
)
def d2l_nlp(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    out: dict[str, Any] = {}

    class SigmoidBCELoss(nn.Module):
        # Binary cross-entropy loss with masking
        def __init__(self):
            super().__init__()

        def forward(self, inputs, target, mask=None):
            out = nn.functional.binary_cross_entropy_with_logits(
                inputs, target, weight=mask, reduction="none"
            )
            return out.mean(dim=1)

    loss = SigmoidBCELoss()
    pred = torch.tensor([[1.1, -2.2, 3.3, -4.4]] * 2)
    label = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]])
    out["masked BCE"] = loss(pred, label, mask) * mask.shape[1] / mask.sum(axis=1)

    embed = nn.Embedding(num_embeddings=20, embedding_dim=4)
    embed.load_state_dict(_random_state(torch, embed, 45))
    W = embed.weight.data
    x = W[3]
    # Compute the cosine similarity. Add 1e-9 for numerical stability
    cos = torch.mv(W, x) / torch.sqrt(torch.sum(W * W, dim=1) * torch.sum(x * x) + 1e-9)
    out["similar"] = torch.topk(cos, k=4)[1].cpu().numpy().astype("int32")
    out["cosine_similarity"] = nn.functional.cosine_similarity(W, x[None], dim=1)

    class MaskLM(nn.Module):
        """The masked language model task of BERT."""

        def __init__(self, vocab_size, num_hiddens, **kwargs):
            super(MaskLM, self).__init__(**kwargs)
            self.mlp = nn.Sequential(
                nn.LazyLinear(num_hiddens), nn.ReLU(), nn.LayerNorm(num_hiddens),
                nn.LazyLinear(vocab_size))  # fmt: skip

        def forward(self, X, pred_positions):
            num_pred_positions = pred_positions.shape[1]
            pred_positions = pred_positions.reshape(-1)
            batch_size = X.shape[0]
            batch_idx = torch.arange(0, batch_size)
            # Suppose that `batch_size` = 2, `num_pred_positions` = 3, then
            # `batch_idx` is `torch.tensor([0, 0, 0, 1, 1, 1])`
            batch_idx = torch.repeat_interleave(batch_idx, num_pred_positions)
            masked_X = X[batch_idx, pred_positions]
            masked_X = masked_X.reshape((batch_size, num_pred_positions, -1))
            mlm_Y_hat = self.mlp(masked_X)
            return mlm_Y_hat

    encoded_X = torch.from_numpy(data["encoded"])
    mlm = MaskLM(50, 24)
    mlm_positions = torch.tensor([[1, 5, 2], [6, 1, 5]])
    mlm(encoded_X, mlm_positions)
    mlm.load_state_dict(_random_state(torch, mlm, 46))
    mlm_Y_hat = mlm(encoded_X, mlm_positions)
    mlm_Y = torch.tensor([[7, 8, 9], [10, 20, 30]])
    loss = nn.CrossEntropyLoss(reduction="none")
    out["masked LM loss"] = loss(mlm_Y_hat.reshape((-1, 50)), mlm_Y.reshape(-1))
    out["next sentence"] = tuple(torch.flatten(encoded_X, start_dim=1).shape)

    class TextCNN(nn.Module):
        def __init__(self, vocab_size, embed_size, kernel_sizes, num_channels, **kwargs):
            super(TextCNN, self).__init__(**kwargs)
            self.embedding = nn.Embedding(vocab_size, embed_size)
            # The embedding layer not to be trained
            self.constant_embedding = nn.Embedding(vocab_size, embed_size)
            self.dropout = nn.Dropout(0.5)
            self.decoder = nn.Linear(sum(num_channels), 2)
            # The max-over-time pooling layer has no parameters, so this instance
            # can be shared
            self.pool = nn.AdaptiveAvgPool1d(1)
            self.relu = nn.ReLU()
            # Create multiple one-dimensional convolutional layers
            self.convs = nn.ModuleList()
            for c, k in zip(num_channels, kernel_sizes):
                self.convs.append(nn.Conv1d(2 * embed_size, c, k))

        def forward(self, inputs):
            # Concatenate two embedding layer outputs with shape (batch size, no.
            # of tokens, token vector dimension) along vectors
            embeddings = torch.cat((self.embedding(inputs), self.constant_embedding(inputs)), dim=2)
            # Per the input format of one-dimensional convolutional layers,
            # rearrange the tensor so that the second dimension stores channels
            embeddings = embeddings.permute(0, 2, 1)
            # For each one-dimensional convolutional layer, after max-over-time
            # pooling, a tensor of shape (batch size, no. of channels, 1) is
            # obtained. Remove the last dimension and concatenate along channels
            encoding = torch.cat(
                [
                    torch.squeeze(self.relu(self.pool(conv(embeddings))), dim=-1)
                    for conv in self.convs
                ],
                dim=1,
            )
            outputs = self.decoder(self.dropout(encoding))
            return outputs

    tokens = torch.from_numpy(data["tokens"])
    net = TextCNN(100, 8, [3, 4, 5], [10, 10, 10])
    net.load_state_dict(_random_state(torch, net, 47))
    net.eval()
    out["TextCNN"] = net(tokens)

    class BiRNN(nn.Module):
        def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, **kwargs):
            super(BiRNN, self).__init__(**kwargs)
            self.embedding = nn.Embedding(vocab_size, embed_size)
            # Set `bidirectional` to True to get a bidirectional RNN
            self.encoder = nn.LSTM(
                embed_size, num_hiddens, num_layers=num_layers, bidirectional=True
            )
            self.decoder = nn.Linear(4 * num_hiddens, 2)

        def forward(self, inputs):
            # The shape of `inputs` is (batch size, no. of time steps). Because
            # LSTM requires its input's first dimension to be the temporal
            # dimension, the input is transposed before obtaining token
            # representations. The output shape is (no. of time steps, batch size,
            # word vector dimension)
            embeddings = self.embedding(inputs.T)
            self.encoder.flatten_parameters()
            # Returns hidden states of the last hidden layer at different time
            # steps. The shape of `outputs` is (no. of time steps, batch size,
            # 2 * no. of hidden units)
            outputs, _ = self.encoder(embeddings)
            # Concatenate the hidden states at the initial and final time steps as
            # the input of the fully connected layer. Its shape is (batch size,
            # 4 * no. of hidden units)
            encoding = torch.cat((outputs[0], outputs[-1]), dim=1)
            outs = self.decoder(encoding)
            return outs

    net = BiRNN(100, 8, 16, 2)

    def init_weights(module):
        if type(module) == nn.Linear:
            nn.init.xavier_uniform_(module.weight)
        if type(module) == nn.LSTM:
            for param in module._flat_weights_names:
                if "weight" in param:
                    nn.init.xavier_uniform_(module._parameters[param])

    net.apply(init_weights)
    net.load_state_dict(_random_state(torch, net, 48))
    out["BiRNN"] = net(tokens)
    return out
