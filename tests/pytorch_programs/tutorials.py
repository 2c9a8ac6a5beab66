"""The programs of PyTorch's beginner tutorials, written from what each one does: tensors,
autograd, "Learning PyTorch with Examples" (fitting a cubic to sin(x) with tensors, autograd,
a custom ``Function``, ``nn``, ``optim``, a custom ``Module``, a ``Module`` with dynamic
control flow; the two-layer network), the 60-minute blitz's neural network and classifier,
saving and loading a ``state_dict``, and pytorch/examples' MNIST training script.

Sizes and step counts are small. Where a tutorial draws random inputs or initial weights, the
program takes them from ``data`` instead (built with NumPy), so that polytensor and torch start
from the same numbers; that is the only change to what the tutorial does.
"""

# ruff: noqa: B007, RET504  (tutorial code, kept as the tutorials write it)

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from . import program, rng

Data = dict[str, np.ndarray]


def _uniform(g: np.random.Generator, shape: tuple[int, ...], fan_in: int) -> np.ndarray:
    bound = 1 / math.sqrt(fan_in)
    return g.uniform(-bound, bound, shape).astype(np.float32)


def _load(torch: Any, model: Any, data: Data, prefix: str) -> None:
    """Give ``model`` the initial weights in ``data`` (keys ``prefix + name``)."""
    state = {
        k[len(prefix) :]: torch.from_numpy(v.copy())
        for k, v in data.items()
        if k.startswith(prefix)
    }
    model.load_state_dict(state)


# -- Tensors -------------------------------------------------------------------------------


def _tensors_data() -> Data:
    return {"x": rng(10).standard_normal((4, 4)).astype(np.float32)}


@program("tutorial: Tensors", data=_tensors_data)
def tut_tensors(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # Initialising a tensor: from data, from NumPy, from another tensor, from a shape
    d = [[1, 2], [3, 4]]
    x_data = torch.tensor(d)
    np_array = np.array(d)
    x_np = torch.from_numpy(np_array)
    x_ones = torch.ones_like(x_data)
    x_rand = torch.rand_like(x_data, dtype=torch.float)
    shape = (2, 3)
    out.update(
        x_data=x_data,
        x_np=x_np,
        x_ones=x_ones,
        x_rand=(tuple(x_rand.shape), x_rand.dtype),
        rand=tuple(torch.rand(shape).shape),
        ones=torch.ones(shape),
        zeros=torch.zeros(shape),
    )
    # Attributes
    tensor = torch.rand(3, 4)
    out["attributes"] = (tuple(tensor.shape), tensor.dtype)
    # Indexing and slicing
    tensor = torch.tensor(data["x"])
    row = tensor[0]
    # (the tutorial prints these; clone() keeps the values as printed)
    out.update(first_row=row.clone(), first_column=tensor[:, 0].clone())
    out["last_column"] = tensor[..., -1].clone()
    tensor[:, 1] = 0
    out["tensor"] = tensor.clone()
    # Joining
    out["t1"] = torch.cat([tensor, tensor, tensor], dim=1)
    # Arithmetic
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    z1 = tensor * tensor
    z2 = tensor.mul(tensor)
    out.update(y1=y1, y2=y2, z1=z1, z2=z2)
    # Single-element tensors
    agg = tensor.sum()
    agg_item = agg.item()
    out["agg_item"] = (agg_item, type(agg_item).__name__)
    # In place
    tensor.add_(5)
    out["added"] = tensor
    out["row, a view, after the in-place changes"] = row
    return out


@program(
    "tutorial: Tensors (device, out=)",
    data=_tensors_data,
)
def tut_tensors_device_and_out(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    tensor = torch.tensor(data["x"])
    if torch.cuda.is_available():
        tensor = tensor.to("cuda")
    print(f"Device tensor is stored on: {tensor.device}")
    y3 = torch.rand_like(tensor)
    torch.matmul(tensor, tensor.T, out=y3)
    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)
    return {"y3": y3.to("cpu"), "z3": z3.to("cpu")}


@program("tutorial: Tensors (NumPy bridge)", numpy_only=("n after t.add_(1)", "t after np.add"))
def tut_tensors_numpy_bridge(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    t = torch.ones(5)
    print(f"t: {t}")
    n = t.numpy()
    print(f"n: {n}")
    t.add_(1)
    out = {"t": t, "n after t.add_(1)": n.copy()}

    n = np.ones(5)
    t = torch.from_numpy(n)
    np.add(n, 1, out=n)
    out["t after np.add"] = t
    return out


# -- Autograd ------------------------------------------------------------------------------


def _autograd_data() -> Data:
    g = rng(11)
    return {
        "w": g.standard_normal((5, 3)).astype(np.float32),
        "b": g.standard_normal(3).astype(np.float32),
    }


@program("tutorial: Automatic differentiation with torch.autograd", data=_autograd_data)
def tut_autograd(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    x = torch.ones(5)  # input tensor
    y = torch.zeros(3)  # expected output
    w = torch.tensor(data["w"], requires_grad=True)
    b = torch.tensor(data["b"], requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    print(f"Gradient function for z = {z.grad_fn}")
    print(f"Gradient function for loss = {loss.grad_fn}")

    loss.backward()
    out: dict[str, Any] = {"loss": loss, "w.grad": w.grad, "b.grad": b.grad}

    z = torch.matmul(x, w) + b
    flags = [z.requires_grad]
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    flags.append(z.requires_grad)
    z = torch.matmul(x, w) + b
    z_det = z.detach()
    flags.append(z_det.requires_grad)
    out["flags"] = flags

    # Vector-Jacobian products; gradients accumulate until zeroed
    inp = torch.eye(4, 5, requires_grad=True)
    res = (inp + 1).pow(2).t()
    res.backward(torch.ones_like(res), retain_graph=True)
    out["first call"] = inp.grad.clone()
    res.backward(torch.ones_like(res), retain_graph=True)
    out["second call"] = inp.grad.clone()
    inp.grad.zero_()
    res.backward(torch.ones_like(res), retain_graph=True)
    out["call after zeroing"] = inp.grad
    return out


# -- Learning PyTorch with Examples: a cubic fitted to sin(x) ------------------------------

POINTS, STEPS = 200, 5


def _cubic_data() -> Data:
    return {
        k: np.array(v, dtype=np.float32)
        for k, v in zip("abcd", rng(12).standard_normal(4), strict=True)
    }


@program("tutorial: polynomial with tensors", data=_cubic_data, rtol=1e-4)
def lpe_polynomial_tensor(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    dtype = torch.float
    device = torch.device("cpu")

    x = torch.linspace(-math.pi, math.pi, POINTS, device=device, dtype=dtype)
    y = torch.sin(x)

    a = torch.full((), float(data["a"]), device=device, dtype=dtype)
    b = torch.full((), float(data["b"]), device=device, dtype=dtype)
    c = torch.full((), float(data["c"]), device=device, dtype=dtype)
    d = torch.full((), float(data["d"]), device=device, dtype=dtype)

    learning_rate = 1e-5
    losses = []
    for t in range(STEPS):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum().item()
        losses.append(loss)

        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x**2).sum()
        grad_d = (grad_y_pred * x**3).sum()

        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    result = f"y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3"
    print(result)
    return {"losses": losses, "coefficients": [a.item(), b.item(), c.item(), d.item()]}


@program("tutorial: polynomial with autograd", data=_cubic_data, rtol=1e-4)
def lpe_polynomial_autograd(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    dtype = torch.float
    device = torch.device("cpu")

    x = torch.linspace(-math.pi, math.pi, POINTS, dtype=dtype)
    y = torch.sin(x)

    a = torch.full((), float(data["a"]), dtype=dtype, requires_grad=True)
    b = torch.full((), float(data["b"]), dtype=dtype, requires_grad=True)
    c = torch.full((), float(data["c"]), device=device, dtype=dtype, requires_grad=True)
    d = torch.full((), float(data["d"]), device=device, dtype=dtype, requires_grad=True)

    learning_rate = 1e-5
    losses = []
    for t in range(STEPS):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return {"losses": losses, "coefficients": [a.item(), b.item(), c.item(), d.item()]}


@program("tutorial: polynomial with a custom Function", rtol=1e-4)
def lpe_polynomial_custom_function(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    dtype = torch.float
    device = torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, POINTS, device=device, dtype=dtype)
    y = torch.sin(x)

    # The tutorial's own starting point, close to the answer so that the fit converges.
    a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)

    learning_rate = 5e-5
    losses = []
    for t in range(STEPS):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return {"losses": losses, "coefficients": [a.item(), b.item(), c.item(), d.item()]}


def _linear3_data() -> Data:
    g = rng(13)
    return {"0.weight": _uniform(g, (1, 3), 3), "0.bias": _uniform(g, (1,), 3)}


@program("tutorial: polynomial with nn", data=_linear3_data, rtol=1e-4)
def lpe_polynomial_nn(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    x = torch.linspace(-math.pi, math.pi, POINTS)
    y = torch.sin(x)

    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)

    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    _load(torch, model, data, "")
    loss_fn = torch.nn.MSELoss(reduction="sum")

    learning_rate = 1e-5
    losses = []
    for t in range(STEPS):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad

    linear_layer = model[0]
    coefficients = [
        linear_layer.bias.item(),
        linear_layer.weight[:, 0].item(),
        linear_layer.weight[:, 1].item(),
        linear_layer.weight[:, 2].item(),
    ]
    return {"xx.dtype": xx.dtype, "losses": losses, "coefficients": coefficients}


@program("tutorial: polynomial with optim", data=_linear3_data, rtol=1e-4)
def lpe_polynomial_optim(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    x = torch.linspace(-math.pi, math.pi, POINTS)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)

    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    _load(torch, model, data, "")
    loss_fn = torch.nn.MSELoss(reduction="sum")

    learning_rate = 1e-3
    optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate)
    losses = []
    for t in range(STEPS):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    linear_layer = model[0]
    return {"losses": losses, "weight": linear_layer.weight, "bias": linear_layer.bias}


@program("tutorial: polynomial as a custom Module", data=_cubic_data, rtol=1e-4)
def lpe_polynomial_module(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    class Polynomial3(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.tensor(float(data["a"])))
            self.b = torch.nn.Parameter(torch.tensor(float(data["b"])))
            self.c = torch.nn.Parameter(torch.tensor(float(data["c"])))
            self.d = torch.nn.Parameter(torch.tensor(float(data["d"])))

        def forward(self, x):
            return self.a + self.b * x + self.c * x**2 + self.d * x**3

        def string(self):
            return (
                f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + "
                f"{self.d.item()} x^3"
            )

    x = torch.linspace(-math.pi, math.pi, POINTS)
    y = torch.sin(x)
    model = Polynomial3()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-5)
    losses = []
    for t in range(STEPS):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"Result: {model.string()}")
    names = [name for name, _ in model.named_parameters()]
    return {"losses": losses, "names": names, "parameters": [p.item() for p in model.parameters()]}


def _dynamic_data() -> Data:
    g = rng(14)
    return {
        "init": g.standard_normal(5).astype(np.float32),
        # The tutorial draws random.randint(4, 6) each forward pass; the draws are fixed here.
        "depths": g.integers(4, 7, STEPS),
    }


@program("tutorial: a Module with dynamic control flow", data=_dynamic_data, rtol=1e-4)
def lpe_dynamic_net(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    depths = iter(int(v) for v in data["depths"])

    class DynamicNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            a, b, c, d, e = (float(v) for v in data["init"])
            self.a = torch.nn.Parameter(torch.tensor(a))
            self.b = torch.nn.Parameter(torch.tensor(b))
            self.c = torch.nn.Parameter(torch.tensor(c))
            self.d = torch.nn.Parameter(torch.tensor(d))
            self.e = torch.nn.Parameter(torch.tensor(e))

        def forward(self, x):
            # A polynomial of degree 3, 4 or 5 chosen at random at each pass, the terms of
            # degree 4 and 5 sharing the parameter e.
            y = self.a + self.b * x + self.c * x**2 + self.d * x**3
            for exp in range(4, next(depths)):
                y = y + self.e * x**exp
            return y

    x = torch.linspace(-math.pi, math.pi, POINTS)
    y = torch.sin(x)
    model = DynamicNet()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
    losses = []
    for t in range(STEPS):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return {"losses": losses, "parameters": [p.item() for p in model.parameters()]}


# -- Learning PyTorch with Examples: the two-layer network (older edition) ------------------

N, D_IN, H, D_OUT = 16, 30, 20, 5


def _two_layer_data() -> Data:
    g = rng(15)
    return {
        "x": g.standard_normal((N, D_IN)).astype(np.float32),
        "y": g.standard_normal((N, D_OUT)).astype(np.float32),
        "w1": g.standard_normal((D_IN, H)).astype(np.float32),
        "w2": g.standard_normal((H, D_OUT)).astype(np.float32),
        "0.weight": _uniform(g, (H, D_IN), D_IN),
        "0.bias": _uniform(g, (H,), D_IN),
        "2.weight": _uniform(g, (D_OUT, H), H),
        "2.bias": _uniform(g, (D_OUT,), H),
    }


@program("tutorial: two-layer network with tensors", data=_two_layer_data)
def lpe_two_layer_tensors(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    dtype = torch.float
    device = torch.device("cpu")
    x = torch.tensor(data["x"], device=device, dtype=dtype)
    y = torch.tensor(data["y"], device=device, dtype=dtype)
    w1 = torch.tensor(data["w1"], device=device, dtype=dtype)
    w2 = torch.tensor(data["w2"], device=device, dtype=dtype)

    learning_rate = 1e-5
    losses = []
    for t in range(4):
        h = x.mm(w1)
        h_relu = h.clamp(min=0)
        y_pred = h_relu.mm(w2)

        loss = (y_pred - y).pow(2).sum().item()
        losses.append(loss)

        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.t().mm(grad_y_pred)
        grad_h_relu = grad_y_pred.mm(w2.t())
        grad_h = grad_h_relu.clone()
        grad_h[h < 0] = 0
        grad_w1 = x.t().mm(grad_h)

        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2
    return {"losses": losses, "w1": w1, "w2": w2}


@program("tutorial: two-layer network with nn and optim", data=_two_layer_data, rtol=1e-4)
def lpe_two_layer_nn_optim(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    x = torch.from_numpy(data["x"])
    y = torch.from_numpy(data["y"])
    model = torch.nn.Sequential(
        torch.nn.Linear(D_IN, H),
        torch.nn.ReLU(),
        torch.nn.Linear(H, D_OUT),
    )
    _load(torch, model, {k: v for k, v in data.items() if k[0].isdigit()}, "")
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    for t in range(4):
        y_pred = model(x)
        loss = loss_fn(y_pred, y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return {"losses": losses, "state": dict(model.state_dict())}


@program("tutorial: two-layer network as a custom Module", data=_two_layer_data, rtol=1e-4)
def lpe_two_layer_module(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    class TwoLayerNet(torch.nn.Module):
        def __init__(self, D_in, H, D_out):
            super().__init__()
            self.linear1 = torch.nn.Linear(D_in, H)
            self.linear2 = torch.nn.Linear(H, D_out)

        def forward(self, x):
            h_relu = self.linear1(x).clamp(min=0)
            return self.linear2(h_relu)

    x = torch.from_numpy(data["x"])
    y = torch.from_numpy(data["y"])
    model = TwoLayerNet(D_IN, H, D_OUT)
    renamed = {"0.": "linear1.", "2.": "linear2."}
    init = {renamed[k[:2]] + k[2:]: v for k, v in data.items() if k[0].isdigit()}
    _load(torch, model, init, "")
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-4)
    losses = []
    for t in range(4):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return {"losses": losses, "linear2.weight": model.linear2.weight}


# -- The 60-minute blitz: neural networks and the classifier --------------------------------


def _lenet_data(in_channels: int) -> Data:
    g = rng(16 + in_channels)
    shapes = {
        "conv1.weight": ((6, in_channels, 5, 5), in_channels * 25),
        "conv1.bias": ((6,), in_channels * 25),
        "conv2.weight": ((16, 6, 5, 5), 150),
        "conv2.bias": ((16,), 150),
        "fc1.weight": ((120, 400), 400),
        "fc1.bias": ((120,), 400),
        "fc2.weight": ((84, 120), 120),
        "fc2.bias": ((84,), 120),
        "fc3.weight": ((10, 84), 84),
        "fc3.bias": ((10,), 84),
    }
    out = {"net." + k: _uniform(g, s, f) for k, (s, f) in shapes.items()}
    out["input"] = g.standard_normal((1, in_channels, 32, 32)).astype(np.float32)
    out["grad"] = g.standard_normal((1, 10)).astype(np.float32)
    out["target"] = g.standard_normal(10).astype(np.float32)
    out["images"] = g.standard_normal((3, 4, in_channels, 32, 32)).astype(np.float32)
    out["labels"] = g.integers(0, 10, (3, 4))
    return out


@program(
    "tutorial: 60-minute blitz, neural networks",
    data=lambda: _lenet_data(1),
    rtol=1e-4,
    atol=1e-5,
)
def blitz_neural_network(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    F = torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            # 1 input image channel, 6 output channels, 5x5 square convolution kernel
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            # an affine operation: y = Wx + b
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            # Max pooling over a (2, 2) window
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            # If the size is a square, you can specify with a single number
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = torch.flatten(x, 1)  # flatten all dimensions except the batch dimension
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x

    net = Net()
    print(net)
    _load(torch, net, data, "net.")
    params = list(net.parameters())
    out: dict[str, Any] = {"len(params)": len(params), "params[0].size()": tuple(params[0].size())}

    input = torch.from_numpy(data["input"])
    output = net(input)
    out["output"] = output

    net.zero_grad()
    output.backward(torch.from_numpy(data["grad"]))
    out["conv1.weight.grad"] = net.conv1.weight.grad

    output = net(input)
    target = torch.from_numpy(data["target"])
    target = target.view(1, -1)  # make it the same shape as output
    criterion = nn.MSELoss()
    loss = criterion(output, target)
    out["loss"] = loss
    print(loss.grad_fn)  # MSELoss
    print(loss.grad_fn.next_functions[0][0])  # Linear
    print(loss.grad_fn.next_functions[0][0].next_functions[0][0])  # ReLU

    net.zero_grad()
    before = net.conv1.bias.grad
    loss.backward()
    out["conv1.bias.grad before"] = before is None
    out["conv1.bias.grad after"] = net.conv1.bias.grad

    learning_rate = 0.01
    for f in net.parameters():
        f.data.sub_(f.grad.data * learning_rate)

    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
    for _ in range(2):
        optimizer.zero_grad()
        output = net(input)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()
    out["final loss"] = criterion(net(input), target)
    out["fc3.weight"] = net.fc3.weight
    return out


@program(
    "tutorial: 60-minute blitz, training a classifier",
    data=lambda: _lenet_data(3),
    rtol=1e-4,
    atol=1e-5,
)
def blitz_classifier(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = torch.flatten(x, 1)  # flatten all dimensions except batch
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x

    net = Net()
    _load(torch, net, data, "net.")
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

    # CIFAR-10 is not available: a few batches of 4 random 3x32x32 images with labels
    trainloader = list(zip(data["images"], data["labels"], strict=True))
    losses = []
    for epoch in range(2):
        running_loss = 0.0
        for i, batch in enumerate(trainloader, 0):
            inputs, labels = torch.from_numpy(batch[0]), torch.from_numpy(batch[1])
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        losses.append(running_loss)

    PATH = str(tmp / "cifar_net.pth")
    torch.save(net.state_dict(), PATH)

    net = Net()
    net.load_state_dict(torch.load(PATH))
    images, labels = (torch.from_numpy(a) for a in trainloader[0])
    outputs = net(images)
    _, predicted = torch.max(outputs, 1)

    correct = 0
    total = 0
    with torch.no_grad():
        for batch in trainloader:
            images, labels = torch.from_numpy(batch[0]), torch.from_numpy(batch[1])
            outputs = net(images)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    return {
        "losses": losses,
        "outputs": outputs,
        "predicted": predicted,
        "correct": (correct, total),
    }


# -- Saving and loading models ---------------------------------------------------------------


def _saving_data() -> Data:
    out = _lenet_data(3)
    return {k: v for k, v in out.items() if k.startswith("net.") or k in ("images", "labels")}


@program(
    "tutorial: saving and loading a state_dict",
    data=_saving_data,
    rtol=1e-4,
    atol=1e-5,
)
def tut_save_load(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim

    class TheModelClass(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = x.view(-1, 16 * 5 * 5)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x

    model = TheModelClass()
    _load(torch, model, data, "net.")
    optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    images = [torch.from_numpy(a) for a in data["images"]]
    labels = [torch.from_numpy(a) for a in data["labels"]]

    def train_step(model, optimizer, i):
        optimizer.zero_grad()
        loss = criterion(model(images[i]), labels[i])
        loss.backward()
        optimizer.step()
        return loss

    loss = train_step(model, optimizer, 0)

    print("Model's state_dict:")
    for param_tensor in model.state_dict():
        print(param_tensor, "\t", model.state_dict()[param_tensor].size())
    print("Optimizer's state_dict:")
    for var_name in optimizer.state_dict():
        print(var_name, "\t", optimizer.state_dict()[var_name])
    out: dict[str, Any] = {
        "state keys": list(model.state_dict()),
        "shapes": [tuple(t.shape) for t in model.state_dict().values()],
        "optimizer keys": list(optimizer.state_dict()),
        "param_groups": [
            {k: v for k, v in g.items() if k in ("lr", "momentum", "params")}
            for g in optimizer.state_dict()["param_groups"]
        ],
    }

    # Save and load the state_dict for inference
    PATH = str(tmp / "model.pt")
    torch.save(model.state_dict(), PATH)
    model2 = TheModelClass()
    model2.load_state_dict(torch.load(PATH))
    model2.eval()
    out["inference"] = model2(images[1])
    out["same as saved"] = (model2(images[1]) - model(images[1])).abs().max().item() < 1e-6

    # A general checkpoint, to resume training
    CKPT = str(tmp / "checkpoint.tar")
    torch.save(
        {
            "epoch": 1,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
            "loss": loss,
        },
        CKPT,
    )
    model3 = TheModelClass()
    optimizer3 = optim.SGD(model3.parameters(), lr=0.5, momentum=0.1)
    checkpoint = torch.load(CKPT)
    model3.load_state_dict(checkpoint["model_state_dict"])
    optimizer3.load_state_dict(checkpoint["optimizer_state_dict"])
    epoch = checkpoint["epoch"]
    out["checkpoint"] = (epoch, checkpoint["loss"].item(), optimizer3.param_groups[0]["lr"])
    model3.train()

    # Resumed and original training continue identically (momentum buffers restored)
    train_step(model, optimizer, 1)
    train_step(model3, optimizer3, 1)
    out["resumed == original"] = (model3.fc3.weight - model.fc3.weight).abs().max().item() < 1e-6
    out["fc3.weight"] = model3.fc3.weight
    return out


# -- pytorch/examples: MNIST -------------------------------------------------------------------


def _mnist_data() -> Data:
    g = rng(28)
    shapes = {
        "conv1.weight": ((32, 1, 3, 3), 9),
        "conv1.bias": ((32,), 9),
        "conv2.weight": ((64, 32, 3, 3), 288),
        "conv2.bias": ((64,), 288),
        "fc1.weight": ((128, 9216), 9216),
        "fc1.bias": ((128,), 9216),
        "fc2.weight": ((10, 128), 128),
        "fc2.bias": ((10,), 128),
    }
    out = {"net." + k: _uniform(g, s, f) for k, (s, f) in shapes.items()}
    out["train images"] = g.standard_normal((2, 8, 1, 28, 28)).astype(np.float32)
    out["train labels"] = g.integers(0, 10, (2, 8))
    out["test images"] = g.standard_normal((1, 8, 1, 28, 28)).astype(np.float32)
    out["test labels"] = g.integers(0, 10, (1, 8))
    return out


@program("pytorch/examples: MNIST (main.py)", data=_mnist_data, rtol=1e-4, atol=1e-5)
def examples_mnist(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim
    from_numpy = torch.from_numpy
    StepLR = torch.optim.lr_scheduler.StepLR

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()  # noqa: UP008 (as the example writes it)
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = F.relu(x)
            x = self.conv2(x)
            x = F.relu(x)
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = self.fc1(x)
            x = F.relu(x)
            x = self.dropout2(x)
            x = self.fc2(x)
            output = F.log_softmax(x, dim=1)
            return output

    # the data loaders: a few batches of random 28x28 images with labels (MNIST is not here)
    train_loader = [
        (from_numpy(a), from_numpy(b))
        for a, b in zip(data["train images"], data["train labels"], strict=True)
    ]
    test_loader = [
        (from_numpy(a), from_numpy(b))
        for a, b in zip(data["test images"], data["test labels"], strict=True)
    ]
    dataset_size = sum(len(t) for _, t in test_loader)

    def train(model, device, train_loader, optimizer, epoch):
        model.train()
        for batch_idx, (data, target) in enumerate(train_loader):  # noqa: PLR1704
            data, target = data.to(device), target.to(device)
            optimizer.zero_grad()
            output = model(data)
            loss = F.nll_loss(output, target)
            loss.backward()
            optimizer.step()
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}]\tLoss: {loss.item():.6f}")

    def test(model, device, test_loader):
        model.eval()
        test_loss = 0
        correct = 0
        with torch.no_grad():
            for data, target in test_loader:  # noqa: PLR1704
                data, target = data.to(device), target.to(device)
                output = model(data)
                test_loss += F.nll_loss(output, target, reduction="sum").item()
                pred = output.argmax(dim=1, keepdim=True)
                correct += pred.eq(target.view_as(pred)).sum().item()
        test_loss /= dataset_size
        return test_loss, correct

    device = torch.device("cpu")
    model = Net().to(device)
    _load(torch, model, data, "net.")
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    before = test(model, device, test_loader)
    lrs = []
    for epoch in range(1, 3):
        train(model, device, train_loader, optimizer, epoch)
        after = test(model, device, test_loader)
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    torch.save(model.state_dict(), str(tmp / "mnist_cnn.pt"))
    # training draws dropout masks, which differ between libraries: what is compared is the
    # test before training, the schedule, and that training gave a finite test loss
    return {
        "test before": before,
        "lrs": lrs,
        "finite after": math.isfinite(after[0]),
        "saved keys": list(torch.load(str(tmp / "mnist_cnn.pt"))),
    }
