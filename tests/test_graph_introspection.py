"""Graph introspection: ``grad_fn.next_functions`` in PyTorch's shape (compared with torch's
own graph where torch is installed), ``AccumulateGrad`` nodes of leaves, and the graph as
Graphviz DOT text that the ``dot`` program parses, on every backend without computing."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import polytensor as pt

# polytensor's node names are PyTorch's (MulBackward0), but for indexing, which has one node
# for every key (``x[0]`` is PyTorch's select)
TORCH_NAMES = {"index": "select"}


def structure(fn: Any, names: dict[int, str], torch_side: bool) -> Any:
    """A graph as nested tuples: ``(op, ((child, index), ...))``; leaves by their name."""
    if fn is None:
        return None
    if type(fn).__name__ == "AccumulateGrad":
        return ("leaf", names[id(fn.variable)])
    name = fn.name()
    op = re.sub(r"Backward\d*$", "", name).lower()
    if not torch_side:
        op = TORCH_NAMES.get(op, op)
    return (
        op,
        tuple((structure(child, names, torch_side), index) for child, index in fn.next_functions),
    )


def small_graph(lib: Any, x: Any, w: Any, c: Any) -> Any:
    h = lib.tanh(x @ w) * c
    rows = lib.unbind(h, 0) if hasattr(lib, "unbind") else lib.unstack(h)
    return (rows[1] * 2 + lib.exp(x)[0] - c).sum()


def test_next_functions_have_the_structure_of_torchs() -> None:
    x = pt.ones((2, 3), requires_grad=True, dtype=pt.float64)
    w = pt.ones((3, 3), requires_grad=True, dtype=pt.float64)
    c = pt.ones(3, dtype=pt.float64)
    ours = structure(small_graph(pt, x, w, c).grad_fn, {id(x): "x", id(w): "w"}, False)
    assert ours[0] == "sum"
    torch = pytest.importorskip("torch")
    tx = torch.ones((2, 3), requires_grad=True, dtype=torch.float64)
    tw = torch.ones((3, 3), requires_grad=True, dtype=torch.float64)
    tc = torch.ones(3, dtype=torch.float64)
    theirs = structure(small_graph(torch, tx, tw, tc).grad_fn, {id(tx): "x", id(tw): "w"}, True)
    assert ours == theirs


def test_a_leaf_has_one_accumulate_grad_node_whose_variable_is_the_leaf() -> None:
    x = pt.asarray([1.0, 2.0], requires_grad=True)
    first = (x * x).grad_fn.next_functions
    assert first[0][0] is first[1][0]  # one node per leaf, as in PyTorch
    acc = first[0][0]
    assert acc.variable is x
    assert acc.name() == "AccumulateGrad"
    assert acc.next_functions == ()
    assert (pt.exp(x)).grad_fn.next_functions[0][0] is acc


def test_a_leafs_accumulate_grad_node_makes_no_reference_cycle() -> None:
    """The leaf holds its AccumulateGrad weakly, as PyTorch's: a leaf whose node was asked for
    is freed by reference counting alone (the node holds the leaf's state)."""
    import gc
    import weakref

    was = gc.isenabled()
    gc.disable()
    try:
        x = pt.asarray([1.0, 2.0], requires_grad=True)
        y = x * x
        assert y.grad_fn.next_functions[0][0].variable is x
        state, data = weakref.ref(x._meta), weakref.ref(x._data)
        del x, y
        assert state() is None and data() is None, "the leaf waits for the cycle collector"
    finally:
        if was:
            gc.enable()


def test_a_dropped_leaf_is_still_the_graphs_leaf_and_is_drawn() -> None:
    """The graph keeps a leaf's state and data, not the tensor object: once the program
    dropped the leaf, ``variable`` is a tensor of that data and state (its ``.grad`` the
    leaf's, as torch's, whose graph keeps the leaf), and a drawing still describes it."""
    x = pt.asarray([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    state = x._meta
    del x
    acc = y.grad_fn.next_functions[0][0].next_functions[0][0]
    v = acc.variable
    assert v is acc.variable and v._meta is state
    assert v.tolist() == [1.0, 2.0] and v.requires_grad and v.is_leaf
    y.backward()
    assert v.grad.tolist() == [2.0, 4.0]
    dot = pt.autograd.to_dot((pt.ones(4, requires_grad=True) * 2).sum())
    assert "(4,) float32 numpy" in dot


def test_next_functions_mark_constants_with_none() -> None:
    x = pt.asarray([1.0, 2.0], requires_grad=True)
    nf = (x + pt.asarray([3.0, 4.0])).grad_fn.next_functions
    assert nf[1] == (None, 0)
    assert (x * 3).grad_fn.next_functions[1] == (None, 0)


def test_next_functions_of_a_custom_function() -> None:
    class Cube(pt.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            return 3 * x**2 * g

    x = pt.asarray([1.0, 2.0], requires_grad=True)
    y = Cube.apply(pt.sin(x))
    assert y.grad_fn.name() == "CubeBackward"
    ((node, index),) = y.grad_fn.next_functions
    assert (node.name(), index) == ("SinBackward0", 0)
    assert node.next_functions[0][0].variable is x


def test_next_functions_after_backward_says_the_graph_was_freed() -> None:
    x = pt.asarray([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    # (sum's node reads no value: it is left for another backward, as PyTorch's; the product's
    # node read x and released it)
    mul = y.grad_fn.next_functions[0][0]
    with pytest.raises(RuntimeError, match=r"graph was freed by backward\(\); pass retain_graph"):
        _ = mul.next_functions
    assert "(freed)" in pt.autograd.to_dot(y)
    z = (x * x).sum()
    z.backward(retain_graph=True)
    assert z.grad_fn.next_functions[0][0].name() == "MulBackward0"


# -- DOT -----------------------------------------------------------------------------------------
def _graph(backend: str) -> tuple[Any, Any, Any]:
    with pt.use_backend(backend):
        x = pt.asarray(np.arange(6.0).reshape(2, 3), requires_grad=True)
        w = pt.ones((3, 3), requires_grad=True, dtype=pt.float64)
        y = (pt.tanh(x @ w) * pt.exp(x)).sum()
    return x, w, y


def _dot_program() -> str:
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz's dot program is not installed")
    return dot


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_to_dot_names_every_node_and_parses_with_dot(backend: str, dask_computes: Any) -> None:
    if pt.backends.available().get(backend) != "available":
        pytest.skip(f"backend {backend} is unavailable: {pt.backends.available().get(backend)}")
    x, w, y = _graph(backend)
    dot = pt.autograd.to_dot(y, params={"x": x, "w": w})
    assert dask_computes.calls == 0  # shapes and dtypes only: Dask stays lazy
    assert isinstance(dot, str) and dot.startswith("digraph autograd {")
    for label in ("SumBackward0", "MulBackward0", "TanhBackward0", "MmBackward0"):
        assert f'label="{label}"' in dot
    assert f'"x\\n(2, 3) float64 {backend}"' in dot
    assert f'"w\\n(3, 3) float64 {backend}"' in dot
    nodes = set(re.findall(r"^  (n\d+) \[", dot, flags=re.MULTILINE))
    edges = re.findall(r"^  (n\d+) -> (n\d+);", dot, flags=re.MULTILINE)
    assert len(nodes) == 8  # output, 5 operations, 2 leaves
    assert len(edges) == 8  # x feeds matmul and exp
    assert {a for e in edges for a in e} == nodes
    svg = subprocess.run(
        [_dot_program(), "-Tsvg"], input=dot, capture_output=True, text=True, check=True
    ).stdout
    assert "<svg" in svg and "MatmulBackward" in svg


def test_to_dot_of_a_leaf_and_of_a_constant() -> None:
    x = pt.asarray([1.0], requires_grad=True)
    assert "fillcolor=lightblue" in pt.autograd.to_dot(x)
    constant = pt.autograd.to_dot(pt.asarray([1.0]))
    assert "->" not in constant and "output (1,) float32 numpy" in constant


def test_render_graph_writes_an_svg(tmp_path: Any) -> None:
    pytest.importorskip("graphviz")
    _dot_program()
    _, _, y = _graph("numpy")
    out = pt.autograd.render_graph(y, tmp_path / "graph.svg")
    assert out.read_text().lstrip().startswith("<?xml")
    assert "SumBackward0" in out.read_text()
    png = pt.autograd.to_dot(y).render(tmp_path / "graph.png", format="png")
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_render_without_the_graphviz_package_names_the_extra(monkeypatch: Any) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)  # `import graphviz` raises ImportError
    _, _, y = _graph("numpy")
    with pytest.raises(ImportError, match=r"pip install 'polytensor\[graphviz\]'"):
        pt.autograd.render_graph(y, "unused.svg")


def test_to_dot_rejects_what_is_not_a_tensor() -> None:
    with pytest.raises(TypeError, match=r"to_dot\(\) expects a polytensor Tensor; got ndarray"):
        pt.autograd.to_dot(np.ones(2))
