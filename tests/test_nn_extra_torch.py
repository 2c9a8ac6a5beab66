"""``rms_norm``/``RMSNorm`` and ``nn.Buffer`` give torch's values, float64 gradients, reprs,
warnings and argument errors on every available backend (random ones: torch's structure and
statistics)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor import nn

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")
TF = torch.nn.functional

from torch_compare import diff, host, run_both  # noqa: E402

# (torch's warning about the legacy size_average/reduce arguments, which polytensor takes silently)
pytestmark = pytest.mark.filterwarnings("ignore:size_average and reduce args:UserWarning")

g = np.random.default_rng(11)
X = g.standard_normal((3, 4, 5))
W5 = g.standard_normal(5)
W45 = g.standard_normal((4, 5))
SIGNS = np.sign(g.standard_normal((3, 4, 5)))
SCORES = g.standard_normal((5, 6))
LABELS = np.array(
    [
        [3, 0, -1, 1, 2, 2],
        [1, -1, 0, 2, 5, 5],
        [0, 1, 2, 3, 4, 5],
        [-1, 0, 0, 0, 0, 0],
        [5, 5, -1, 0, 4, 4],
    ]
)
A, P, N = (g.standard_normal((4, 3)) for _ in range(3))
ROWS = g.standard_normal((5, 3))
ROWS[3] = ROWS[1]  # (two equal rows: a zero distance)
TIES = np.array([[0.0, 0.0], [3.0, 4.0], [1.0, -1.0], [3.0, 4.0], [-4.0, 4.0]])
EDGE = np.array([[0.0, 1.0, 0.0]])  # (a margin of exactly 0)
IMG = g.standard_normal((2, 3, 4, 5))
VOL = g.standard_normal((2, 3, 4, 5, 6))


def _squared(u: Any, v: Any) -> Any:
    return ((u - v) ** 2).sum(-1)


def _raised(fn: Callable[[], Any]) -> BaseException:
    with pytest.raises(Exception) as info:  # noqa: PT011  (compared with torch's below)
        fn()
    return info.value


def _functions(cases: list[Any]) -> Any:
    """Parametrise a test over (id, function name, args, kwargs) cases."""
    return pytest.mark.parametrize(
        ("name", "args", "kw"), [c[1:] for c in cases], ids=[c[0] for c in cases]
    )


def _errors(cases: list[Any]) -> Any:
    """Parametrise a test over (id, call of (functional, namespace)) cases."""
    return pytest.mark.parametrize("call", [c[1] for c in cases], ids=[c[0] for c in cases])


def _layers(cases: list[Any]) -> Any:
    """Parametrise a test over (id, layer of nn, args) cases."""
    return pytest.mark.parametrize(
        ("make", "args"), [c[1:] for c in cases], ids=[c[0] for c in cases]
    )


def check_function(name: str, args: Any, kw: Any) -> None:
    run_both(getattr(F, name), getattr(TF, name), args, kw)


def check_error(call: Any) -> None:
    want = _raised(lambda: call(TF, torch))
    got = _raised(lambda: call(F, pt).tolist())  # (Dask checks values when it computes)
    # (an out-of-range class index is an IndexError here, as polytensor's other losses say it)
    expected = IndexError if "out of range" in str(want) else type(want)
    assert isinstance(got, expected), (got, want)


def check_layer(make: Any, args: Any) -> None:
    p_layer, t_layer = make(nn).double(), make(torch.nn).double()
    assert repr(p_layer) == repr(t_layer)
    assert list(p_layer.state_dict()) == list(t_layer.state_dict())
    run_both(p_layer, t_layer, args)
    for (name, p), (_, t) in zip(
        p_layer.named_parameters(), t_layer.named_parameters(), strict=True
    ):
        np.testing.assert_allclose(host(p.grad), host(t.grad), rtol=1e-10, err_msg=name)


# -- rms_norm and RMSNorm --------------------------------------------------------------------------
RMS_CASES: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = [
    ("rms", "rms_norm", (diff(X), (4, 5)), {}),
    ("rms_weight", "rms_norm", (diff(X), (5,), diff(W5)), {"eps": 1e-3}),
    ("rms_weight_2d", "rms_norm", (diff(X), [4, 5], diff(W45)), {}),
]


@_functions(RMS_CASES)
def test_rms_norm_matches_torch(backend: str, name: str, args: Any, kw: Any) -> None:
    check_function(name, args, kw)


def test_rms_norm_eps_defaults_to_the_dtype_s_machine_epsilon(backend: str) -> None:
    tiny = np.full((2, 3), 1e-5)  # (mean square 1e-10: eps matters)
    for dtype, tdtype in ((pt.float32, torch.float32), (pt.float64, torch.float64)):
        got = F.rms_norm(pt.asarray(tiny, dtype=dtype), (3,))
        want = TF.rms_norm(torch.tensor(tiny, dtype=tdtype), (3,))
        assert got.dtype == dtype
        np.testing.assert_allclose(host(got), host(want), rtol=1e-6)


def test_rms_norm_casts_a_weight_of_another_dtype_to_the_input_s(backend: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (torch's note that it cannot use its fused kernel)
        want = TF.rms_norm(torch.tensor(X, dtype=torch.float32), (5,), torch.tensor(W5))
    got = F.rms_norm(pt.asarray(X, dtype=pt.float32), (5,), pt.asarray(W5))
    assert got.dtype == pt.float32
    np.testing.assert_allclose(host(got), host(want), rtol=1e-6)


RMS_ERRORS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("rms_shape", lambda f, t: f.rms_norm(t.ones(2, 3), (2,))),
    ("rms_int_shape", lambda f, t: f.rms_norm(t.ones(2, 3), 3)),
    ("rms_weight", lambda f, t: f.rms_norm(t.ones(2, 3), (3,), t.ones(2))),
]


@_errors(RMS_ERRORS)
def test_rms_norm_refuses_what_torch_refuses(backend: str, call: Any) -> None:
    check_error(call)


RMS_LAYERS: list[tuple[str, Callable[[Any], Any], tuple[Any, ...]]] = [
    ("RMSNorm", lambda m: m.RMSNorm(5), (diff(X),)),
    ("RMSNorm_2d_eps", lambda m: m.RMSNorm([4, 5], eps=1e-3), (diff(X),)),
    ("RMSNorm_no_affine", lambda m: m.RMSNorm(5, elementwise_affine=False), (diff(X),)),
]


@_layers(RMS_LAYERS)
def test_rms_norm_layer_matches_torch(backend: str, make: Any, args: Any) -> None:
    check_layer(make, args)


# -- Buffer ---------------------------------------------------------------------------------------
def _module_with_buffers(m: Any, lib: Any) -> Any:
    class WithBuffers(m.Module):
        def __init__(self) -> None:
            super().__init__()
            self.kept = m.Buffer(lib.ones(2))
            self.scratch = m.Buffer(lib.zeros(2), persistent=False)

    return WithBuffers()


def test_buffer_registers_as_torch_does(backend: str) -> None:
    results = []
    for m, lib in ((nn, pt), (torch.nn, torch)):
        mod = _module_with_buffers(m, lib)
        row: list[Any] = [
            type(mod.kept).__name__,
            isinstance(mod.kept, m.Buffer),
            isinstance(lib.ones(1), m.Buffer),
            list(mod.state_dict()),
            [n for n, _ in mod.named_buffers()],
        ]
        mod.kept = lib.ones(3)  # (a plain tensor keeps the buffer persistent)
        mod.scratch = lib.ones(3)  # (and non-persistent)
        row += [list(mod.state_dict()), list(mod.kept.shape)]
        mod.scratch = m.Buffer(lib.ones(1))  # (a Buffer says again)
        mod.extra = m.Buffer(lib.ones(1), persistent=False)
        row += [list(mod.state_dict()), [n for n, _ in mod.named_buffers()]]
        results.append(row)
    assert results[0] == results[1]


def test_buffer_is_a_plain_tensor_keeping_requires_grad_as_torch(backend: str) -> None:
    for m, lib in ((nn, pt), (torch.nn, torch)):
        w = m.Parameter(lib.ones(2))
        b = m.Buffer(w)
        assert type(b).__name__ == "Tensor" and b.requires_grad and b.is_leaf
        assert not m.Buffer(lib.ones(2)).requires_grad
        assert tuple(m.Buffer().shape) == (0,)
        with pytest.raises(TypeError):
            m.Buffer(lib.ones(1), False)  # (persistent is keyword-only)


def test_buffer_cannot_replace_a_parameter_as_torch() -> None:
    for m, lib in ((nn, pt), (torch.nn, torch)):
        lin = m.Linear(2, 2)
        with pytest.raises(TypeError, match="cannot assign"):
            lin.weight = m.Buffer(lib.ones(2, 2))
