"""The code blocks of the tutorial notes in ``shared/seeds`` (one program per topic).

The blocks are kept as the notes write them, with only their obvious typos fixed (a full-width
parenthesis, a missing one, two statements on one line, ``requirs_grad``, ``return_garph``).
Blocks that the notes run one after the other in a session are one program here. Where a
block draws random numbers, the results compared with torch are the ones that do not depend
on them (shapes, dtypes, flags, and gradients of expressions whose value is fixed).
"""

# ruff: noqa: B007, B018, ERA001, RUF003  (the notes' code, kept as users wrote it)

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from . import program, rng

Data = dict[str, np.ndarray]

# -- 000: tensors, the NumPy bridge, autograd (English notes) --------------------------------


@program("seeds/000 (tensors)")
def seed000_tensors(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    x = torch.rand(6, 3)
    y = torch.zeros(5, 3, dtype=torch.long)
    z = torch.tensor([5.5, 3])

    x = torch.ones(3, 3, dtype=torch.float)
    y2 = torch.rand_like(x)

    x1 = torch.rand(1)
    v = x1.item()
    return {
        "y": y,
        "z": z,
        "x": x,
        "y2.shape": tuple(y2.shape),
        "y2.dtype": y2.dtype,
        "in [0, 1)": bool(((y2 >= 0) & (y2 < 1)).all()),
        "item is float": isinstance(v, float),
    }


@program("seeds/000 (NumPy bridge)")
def seed000_numpy_bridge(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    a = torch.rand(5)
    b = a.numpy()
    out = {"b is ndarray": isinstance(b, np.ndarray), "b.shape": b.shape, "b.dtype": str(b.dtype)}

    a = np.ones(5)
    b = torch.from_numpy(a)
    out.update({"b": b, "b.dtype": b.dtype})
    return out


@program("seeds/000 (autograd)")
def seed000_autograd(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2

    # do more operations on y
    z = y * 3 * 3

    # Figure out the mean
    out = z.mean()

    # It is that z is just a scalar so we can use backward() to figure out derivative.
    out.backward()
    x.grad
    return {"out": out, "x.grad": x.grad}


# -- 001: tensors, operations, the NumPy bridge, CUDA, autograd (Chinese notes) ---------------


@program("seeds/001 (creation)")
def seed001_creation(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    # 创建一个没有初始化的矩阵
    x = torch.empty(5, 3)
    print(x)
    # 创建一个有初始化的矩阵 (the notes have a full-width parenthesis here)
    x = torch.rand(5, 3)
    print(x)
    # 创建一个全零矩阵并可指定数据元素的类型为long
    x = torch.zeros(5, 3, dtype=torch.long)
    zeros = x
    # 直接通过数据创建张量
    x = torch.tensor([2.5, 3.5])
    print(x)
    made = x
    # 通过已有的一个张量创建相同尺寸的新张量
    x = x.new_ones(5, 3, dtype=torch.double)
    print(x)
    # 利用randn_like方法得到相同张量尺寸的一个新张量
    y = torch.randn_like(x, dtype=torch.float)
    print(y)
    # 得到张量的尺寸
    print(x.size())
    return {
        "zeros": zeros,
        "made": made,
        "x": x,
        "y.dtype": y.dtype,
        "y.shape": tuple(y.shape),
        "x.size()": tuple(x.size()),
    }


@program("seeds/001 (addition)")
def seed001_addition(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    x = torch.tensor([2.5, 3.5])  # the x of the block before
    x = x.new_ones(5, 3, dtype=torch.double)
    y = torch.rand(5, 3)
    s1 = x + y
    print(s1)
    # 第二种方式
    s2 = torch.add(x, y)
    print(s2)
    # 第三种方式
    result = torch.empty(5, 3)
    torch.add(x, y, out=result)
    print(result)
    # 第四种方式 in-place
    y0 = y.clone()
    y.add_(x)
    print(y)
    return {
        "s1 - y": s1 - y0,
        "s1.dtype": s1.dtype,
        "s2 == s1": bool((s2 == s1).all()),
        "result.dtype": result.dtype,
        "result - y0": result - y0,
        "y - y0": y - y0,
        "y.dtype": y.dtype,
    }


def _square_data() -> Data:
    return {"x": rng(1).standard_normal((4, 4)).astype(np.float32)}


@program("seeds/001 (indexing and view)", data=_square_data)
def seed001_view(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    x = torch.tensor(data["x"])
    print(x[:, 1])  # the notes lack the closing parenthesis
    col = x[:, 1]

    # tensor.view()操作需要保证数据元素的总数量不变
    y = x.view(16)
    # -1代表自动匹配个数
    z = x.view(-1, 8)
    print(x.size(), y.size(), z.size())

    x1 = torch.randn(1)
    print(x1)
    print(x1.item())
    return {
        "col": col,
        "y": y,
        "z": z,
        "sizes": (tuple(x.size()), tuple(y.size()), tuple(z.size())),
        "item": type(x1.item()).__name__,
    }


@program("seeds/001 (NumPy bridge)", numpy_only=("b after a.add_(1)", "b2 after np.add"))
def seed001_numpy_bridge(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    a = torch.ones(5)
    print(a)
    # 将torch tensor转换成numpy array
    b = a.numpy()
    print(b)
    # 对其中一个进行加法操作，另一个也随之被改变
    a.add_(1)
    print(a)
    print(b)
    out = {"a": a, "b after a.add_(1)": b.copy()}

    a = np.ones(5)
    b = torch.from_numpy(a)
    np.add(a, 1, out=a)
    print(a)
    print(b)
    out["b2 after np.add"] = b
    return out


@program("seeds/001 (CUDA)", data=_square_data)
def seed001_cuda(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    x = torch.tensor(data["x"])
    z = None
    # 如果服务器上已经安装了GPU和CUDA
    if torch.cuda.is_available():
        # 定义一个设备对象, 这里指定成CUDA, 即使用GPU
        device = torch.device("cuda")
        # 直接在GPU上创建一个Tensor
        y = torch.ones_like(x, device=device)
        # 将在CPU上面的x张量移动到GPU上面
        x = x.to(device)
        # x和y都在GPU上面, 才能支持加法运算
        z = x + y
        print(z)
        # 也可以将z转移到CPU上面, 并同时指定张量元素的数据类型
        print(z.to("cpu", torch.double))
        z = z.to("cpu", torch.double)
    cpu = torch.device("cpu")
    return {"z": z if z is not None else x + 1, "x on cpu": x.to(cpu)}


@program("seeds/001 (autograd)")
def seed001_autograd(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    x1 = torch.ones(3, 3)
    print(x1)
    x = torch.ones(2, 2, requires_grad=True)
    print(x)

    y = x + 2
    print(y)

    print(x.grad_fn)
    print(y.grad_fn)
    grad_fns = (x.grad_fn is None, y.grad_fn is not None)

    z = y * y * 3
    out = z.mean()
    print(z, out)

    # two statements on one line in the notes
    a = torch.randn(2, 2)
    a = (a * 3) / (a - 1)
    print(a.requires_grad)
    flags = [a.requires_grad]
    a.requires_grad_(True)
    print(a.requires_grad)
    b = (a * a).sum()
    print(b.grad_fn)
    flags += [a.requires_grad, b.grad_fn is not None]

    z = y * y * 3
    out = z.mean()
    out.backward()
    print(x.grad)

    print(x.requires_grad)
    print((x**2).requires_grad)
    with torch.no_grad():
        print((x**2).requires_grad)
        in_no_grad = (x**2).requires_grad

    print(x.requires_grad)
    y = x.detach()
    print(y.requires_grad)
    print(x.eq(y).all())
    return {
        "z": z,
        "out": out,
        "x.grad": x.grad,
        "grad_fns": grad_fns,
        "flags": flags,
        "in no_grad": in_no_grad,
        "detached": (y.requires_grad, bool(x.eq(y).all())),
    }


# -- 002: creation, requires_grad, backward, custom Function (Chinese notes) -----------------


@program("seeds/002 (creation)")
def seed002_creation(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    # 第一种
    gemfield = torch.empty(7, 19)
    gemfield = torch.rand(7, 19)
    gemfield = torch.zeros(7, 19, dtype=torch.long)
    zeros = gemfield
    gemfield = torch.tensor([7.0, 19])
    made = gemfield

    # 第二种
    gemfield = torch.Tensor([1, 2])
    return {"zeros": zeros, "made": made, "Tensor": gemfield}


@program("seeds/002 (requires_grad)")
def seed002_requires_grad(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    a = torch.randn(2, 2)
    a = (a * 3) / (a - 1)
    print(a.requires_grad)  # False
    flags = [a.requires_grad]
    a.requires_grad_(True)
    print(a.requires_grad)  # True
    flags.append(a.requires_grad)
    b = (a * a).sum()
    print(b.requires_grad)  # True
    flags.append(b.requires_grad)
    try:
        b.requires_grad_(False)
        raised = None
    except RuntimeError as e:  # the notes: "runtime err"
        raised = type(e).__name__
    print(b.requires_grad)
    flags.append(b.requires_grad)
    return {"flags": flags, "raised": raised}


def _vector_data() -> Data:
    return {"x": rng(3).standard_normal(3).astype(np.float32)}


@program("seeds/002 (backward with a vector)", data=_vector_data)
def seed002_backward_vector(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    # The x and y of the tutorial these notes follow: y = x * 2, doubled until its norm is
    # at least 1000.
    x = torch.tensor(data["x"], requires_grad=True)
    y = x * 2
    while y.data.norm() < 1000:
        y = y * 2

    v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
    y.backward(v)
    print(x.grad)
    return {"y": y, "x.grad": x.grad}


def _two_layer_data() -> Data:
    g = rng(5)
    n, d_in, h, d_out = 8, 20, 10, 3
    return {
        "x": g.standard_normal((n, d_in)).astype(np.float32),
        "y": g.standard_normal((n, d_out)).astype(np.float32),
        "w1": g.standard_normal((d_in, h)).astype(np.float32),
        "w2": g.standard_normal((h, d_out)).astype(np.float32),
    }


@program("seeds/002 (custom Function MyReLU)", data=_two_layer_data)
def seed002_my_relu(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    class MyReLU(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    dtype = torch.float
    device = torch.device("cpu")

    # Sizes and steps made small; the random tensors are the data passed in.
    x = torch.tensor(data["x"], device=device, dtype=dtype)
    y = torch.tensor(data["y"], device=device, dtype=dtype)
    w1 = torch.tensor(data["w1"], device=device, dtype=dtype, requires_grad=True)
    w2 = torch.tensor(data["w2"], device=device, dtype=dtype, requires_grad=True)

    learning_rate = 1e-4
    losses = []
    for t in range(10):
        relu = MyReLU.apply
        y_pred = relu(x.mm(w1)).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w1 -= learning_rate * w1.grad
            w2 -= learning_rate * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
    return {"losses": losses, "w1": w1, "w2": w2}


# -- 003: the 60-minute blitz's tensors (Chinese notes) --------------------------------------


@program("seeds/003 (tensors)")
def seed003_tensors(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    # 1.Create a tensor directly
    data_ = [[1, 2], [3, 4]]
    x_data = torch.tensor(data_)
    # 2.Create a tensor With Numpy
    np_array = np.array(data_)
    x_np = torch.from_numpy(np_array)

    tensor = torch.rand(3, 4)
    print(f"Shape of tensor: {tensor.shape}")
    print(f"Datatype of tensor: {tensor.dtype}")
    print(f"Device tensor is stored on: {tensor.device}")
    attrs = (tuple(tensor.shape), tensor.dtype)

    tensor = torch.ones(4, 4)
    tensor[:, 1] = 0  # 将第1列(从0开始)的数据全部赋值为0
    print(tensor)

    t1 = torch.cat([tensor, tensor, tensor], dim=1)
    print(t1)
    return {"x_data": x_data, "x_np": x_np, "attrs": attrs, "tensor": tensor, "t1": t1}


# -- 004: d2l's preliminaries (Chinese notes) -------------------------------------------------


def _d2l_data() -> Data:
    return {"X": np.arange(30, dtype=np.float32).reshape(2, 3, 5) / 10}


@program("seeds/004 (d2l: tensors and linear algebra)", data=_d2l_data)
def seed004_linear_algebra(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    X = torch.tensor(data["X"])
    arr = X.numpy()
    back = torch.tensor(arr)
    Y = X.clone()
    s = X.sum(axis=(1, 2))
    sk = X.sum(axis=0, keepdims=True)
    x = torch.arange(4.0)
    A = torch.arange(20.0).reshape(5, 4)
    B = torch.ones(4, 3)
    return {
        "type(arr)": type(arr).__name__,
        "back": back,
        "clone is new": Y is not X,
        "X.sum(axis=(1,2)).shape": tuple(s.shape),
        "s": s,
        "X.sum(axis=0).shape": tuple(X.sum(axis=0).shape),
        "keepdims": sk,
        "dot": torch.dot(x, x),
        "mv": torch.mv(A, x),
        "mm": torch.mm(A, B),
        "norm": torch.norm(x),
        "l1": torch.abs(x).sum(),
        "norm(A)": torch.norm(A),
    }


@program("seeds/004 (d2l: norms)")
def seed004_norms(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    A = torch.arange(20.0).reshape(5, 4)
    u = torch.tensor([3.0, -4.0])
    return {
        "norm": torch.norm(A),
        "matrix_norm": torch.linalg.matrix_norm(A),
        "vector_norm": torch.linalg.vector_norm(u),
        "linalg.norm": torch.linalg.norm(A),
        "linalg.norm nuc": torch.linalg.norm(A, "nuc"),
        "linalg.norm 1": torch.linalg.norm(u, 1),
    }


@program("seeds/004 (d2l: automatic differentiation)")
def seed004_autograd(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    x = torch.arange(4.0, requires_grad=True)  # `requirs_grad` in the notes
    x2 = torch.arange(4.0)
    x2.requires_grad_(True)
    y = 2 * torch.dot(x, x)
    y.backward()
    g1 = x.grad.clone()
    is4x = bool((x.grad == 4 * x).all())

    # 对非标量调用backward需要传入一个gradient参数
    x.grad.zero_()
    y = x * x
    # 等价于y.backward(torch.ones(len(x)))
    y.sum().backward()
    g2 = x.grad.clone()

    # a second backward through a freed graph is an error; retain_graph=True keeps it
    z = (x * x).sum()
    z.backward(retain_graph=True)  # `return_garph` in the notes
    z.backward()
    z2 = (x * x).sum()
    z2.backward()
    try:
        z2.backward()
        second = None
    except RuntimeError as e:
        second = "retain_graph" in str(e)

    # 8. 分离计算
    x.grad.zero_()
    y = x * x
    u = y.detach()
    z = u * x
    z.sum().backward()
    detached = bool((x.grad == u).all())

    x.grad.zero_()
    y.sum().backward()
    dy = bool((x.grad == 2 * x).all())
    x.grad = None

    r1 = torch.randn(1)
    r2 = torch.randn(size=(1,))
    return {
        "g1": g1,
        "4x": is4x,
        "g2": g2,
        "second backward error names retain_graph": second,
        "x.grad == u": detached,
        "x.grad == 2x": dy,
        "grad cleared": x.grad is None,
        "x2.requires_grad": x2.requires_grad,
        "randn shapes": (tuple(r1.shape), tuple(r2.shape)),
    }


@program("seeds/004 (d2l: control flow)")
def seed004_control_flow(torch: Any, data: Data, tmp: Path) -> dict[str, Any]:
    def f(a):
        b = a * 2
        while b.norm() < 1000:
            b = b * 2
        if b.sum() > 0:
            c = b
        else:
            c = 100 * b
        return c

    a = torch.randn(size=(), requires_grad=True)
    d = f(a)
    d.backward()
    ok = bool(torch.abs(a.grad - d / a) <= 1e-5 * torch.abs(d / a))
    for value in (0.3, -0.002):
        a = torch.tensor(value, requires_grad=True)
        d = f(a)
        d.backward()
        ok = ok and bool(torch.abs(a.grad - d / a) <= 1e-5 * torch.abs(d / a))
    return {"a.grad == d / a": ok, "last d": d, "last a.grad": a.grad}
