"""``nn.utils.parametrize``, ``nn.utils.parametrizations.{weight_norm, spectral_norm}`` and the
older hook-based ``nn.utils.weight_norm`` / ``spectral_norm`` give torch's state-dict keys,
values, power iterations (training and evaluation) and float64 gradients, on every available
backend."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import nn
from polytensor.nn.utils import parametrize

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import host, run_both  # noqa: E402

g = np.random.default_rng(7)
X2 = g.standard_normal((5, 4))
IMG = g.standard_normal((2, 3, 5, 5))


def _load(p_mod: Any, t_mod: Any) -> None:
    state = {k: pt.asarray(v.detach().numpy().copy()) for k, v in t_mod.state_dict().items()}
    p_mod.load_state_dict(state)


def _check_grads(p_mod: Any, t_mod: Any) -> None:
    p_named = dict(p_mod.named_parameters())
    t_named = dict(t_mod.named_parameters())
    assert list(p_named) == list(t_named)
    for k, t in t_named.items():
        np.testing.assert_allclose(host(p_named[k].grad), host(t.grad), rtol=1e-9, err_msg=k)


def _linear_pair() -> tuple[Any, Any]:
    return nn.Linear(4, 3, dtype=pt.float64), torch.nn.Linear(4, 3).double()


def _conv_pair() -> tuple[Any, Any]:
    return nn.Conv2d(3, 2, 3, dtype=pt.float64), torch.nn.Conv2d(3, 2, 3).double()


@pytest.mark.parametrize("dim", [0, 1, None])
def test_parametrized_weight_norm_matches_torch(backend: str, dim: Any) -> None:
    for (p_mod, t_mod), x in ((_linear_pair(), X2), (_conv_pair(), IMG)):
        t_mod = torch.nn.utils.parametrizations.weight_norm(t_mod, dim=dim)
        p_mod = nn.utils.parametrizations.weight_norm(p_mod, dim=dim)
        assert list(p_mod.state_dict()) == list(t_mod.state_dict())
        assert type(p_mod).__name__ == type(t_mod).__name__
        _load(p_mod, t_mod)
        run_both(p_mod, t_mod, (x,))
        _check_grads(p_mod, t_mod)
        np.testing.assert_allclose(host(p_mod.weight), host(t_mod.weight), rtol=1e-12)


def test_hooked_weight_norm_matches_torch(backend: str) -> None:
    p_mod, t_mod = _conv_pair()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        t_mod = torch.nn.utils.weight_norm(t_mod, dim=1)
    with pytest.warns(FutureWarning, match="parametrizations.weight_norm"):
        p_mod = nn.utils.weight_norm(p_mod, dim=1)
    assert list(p_mod.state_dict()) == list(t_mod.state_dict()) == ["bias", "weight_g", "weight_v"]
    _load(p_mod, t_mod)
    run_both(p_mod, t_mod, (IMG,))
    _check_grads(p_mod, t_mod)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(RuntimeError, match="two weight_norm hooks"):
            nn.utils.weight_norm(p_mod, dim=1)
    p_mod = nn.utils.remove_weight_norm(p_mod)
    t_mod = torch.nn.utils.remove_weight_norm(t_mod)
    assert list(p_mod.state_dict()) == list(t_mod.state_dict())
    np.testing.assert_allclose(host(p_mod.weight), host(t_mod.weight), rtol=1e-12)
    with pytest.raises(ValueError, match="not found"):
        nn.utils.remove_weight_norm(p_mod)


@pytest.mark.parametrize("kind", ["linear", "conv_transpose"])
def test_hooked_spectral_norm_iterates_as_torch(backend: str, kind: str) -> None:
    if kind == "linear":
        (p_mod, t_mod), x = _linear_pair(), X2
    else:
        p_mod = nn.ConvTranspose2d(3, 2, 3, dtype=pt.float64)
        t_mod, x = torch.nn.ConvTranspose2d(3, 2, 3).double(), IMG
    t_mod = torch.nn.utils.spectral_norm(t_mod, n_power_iterations=2)
    p_mod = nn.utils.spectral_norm(p_mod, n_power_iterations=2)
    assert list(p_mod.state_dict()) == list(t_mod.state_dict())
    _load(p_mod, t_mod)
    for _ in range(2):  # training: each forward iterates, in place
        run_both(p_mod, t_mod, (x,))
        for name in ("weight_u", "weight_v"):
            np.testing.assert_allclose(
                host(getattr(p_mod, name)), host(getattr(t_mod, name)), rtol=1e-10
            )
    _check_grads(p_mod, t_mod)
    p_mod.eval()
    t_mod.eval()
    u_before = host(p_mod.weight_u).copy()
    run_both(p_mod, t_mod, (x,))
    np.testing.assert_array_equal(host(p_mod.weight_u), u_before)
    p_mod = nn.utils.remove_spectral_norm(p_mod)
    t_mod = torch.nn.utils.remove_spectral_norm(t_mod)
    assert list(p_mod.state_dict()) == list(t_mod.state_dict())
    np.testing.assert_allclose(host(p_mod.weight), host(t_mod.weight), rtol=1e-10)


def test_parametrized_spectral_norm_iterates_as_torch(backend: str) -> None:
    p_mod, t_mod = _conv_pair()
    t_mod = torch.nn.utils.parametrizations.spectral_norm(t_mod)
    p_mod = nn.utils.parametrizations.spectral_norm(p_mod)
    assert list(p_mod.state_dict()) == list(t_mod.state_dict())
    _load(p_mod, t_mod)
    for _ in range(2):
        run_both(p_mod, t_mod, (IMG,))
    _check_grads(p_mod, t_mod)
    t_u = t_mod.parametrizations.weight[0]._u
    np.testing.assert_allclose(host(p_mod.parametrizations.weight[0]._u), host(t_u), rtol=1e-10)
    p_mod.eval()
    t_mod.eval()
    run_both(p_mod, t_mod, (IMG,))
    with pytest.raises(ValueError, match="n_power_iterations"):
        nn.utils.parametrizations.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    with pytest.raises(IndexError, match="out of range"):
        nn.utils.parametrizations.spectral_norm(nn.Linear(2, 2), dim=2)


class _Symmetric(torch.nn.Module):  # type: ignore[misc]
    def forward(self, x: Any) -> Any:
        return x.triu() + x.triu(1).mT

    def right_inverse(self, a: Any) -> Any:
        return a.triu()


class _PtSymmetric(nn.Module):
    def forward(self, x: Any) -> Any:
        return x.triu() + x.triu(1).mT

    def right_inverse(self, a: Any) -> Any:
        return a.triu()


class _Scale(nn.Module):
    def forward(self, x: Any) -> Any:
        return 3.0 * x


class _Rows(nn.Module):
    def forward(self, x: Any) -> Any:
        return x[:1]


def test_register_parametrization_matches_torch(backend: str) -> None:
    t_mod = torch.nn.Linear(4, 4).double()
    p_mod = nn.Linear(4, 4, dtype=pt.float64)
    torch.nn.utils.parametrize.register_parametrization(t_mod, "weight", _Symmetric())
    parametrize.register_parametrization(p_mod, "weight", _PtSymmetric())
    assert list(p_mod.state_dict()) == list(t_mod.state_dict())
    assert repr(p_mod) == repr(t_mod).replace("_Symmetric", "_PtSymmetric")
    _load(p_mod, t_mod)
    run_both(p_mod, t_mod, (X2,))
    _check_grads(p_mod, t_mod)
    assert parametrize.is_parametrized(p_mod) and parametrize.is_parametrized(p_mod, "weight")
    assert not parametrize.is_parametrized(p_mod, "bias")
    # assignment goes through right_inverse; a second parametrization applies after the first
    a = g.standard_normal((4, 4))
    with torch.no_grad():
        t_mod.weight = torch.tensor(a)
    p_mod.weight = pt.asarray(a)
    np.testing.assert_allclose(host(p_mod.weight), host(t_mod.weight), rtol=1e-12)
    parametrize.register_parametrization(p_mod, "weight", _Scale())
    np.testing.assert_allclose(host(p_mod.weight), 3 * host(t_mod.weight), rtol=1e-12)
    original = p_mod.parametrizations.weight.original
    parametrize.remove_parametrizations(p_mod, "weight", leave_parametrized=True)
    assert type(p_mod) is nn.Linear and list(p_mod.state_dict()) == ["bias", "weight"]
    assert p_mod.weight is original  # (the same parameter: optimizers holding it keep it)
    np.testing.assert_allclose(host(p_mod.weight), 3 * host(t_mod.weight), rtol=1e-12)
    torch.nn.utils.parametrize.remove_parametrizations(t_mod, "weight", leave_parametrized=False)
    assert list(t_mod.state_dict()) == list(p_mod.state_dict())


def test_register_parametrization_rejects_what_torch_rejects(backend: str) -> None:
    lin = nn.Linear(2, 3)
    with pytest.raises(ValueError, match="does not have a parameter, a buffer"):
        parametrize.register_parametrization(lin, "kernel", _Scale())
    with pytest.raises(ValueError, match="may not change the shape"):
        parametrize.register_parametrization(lin, "weight", _Rows())
    assert not parametrize.is_parametrized(lin)
    parametrize.register_parametrization(lin, "weight", _Rows(), unsafe=True)
    assert lin.weight.shape == (1, 2)
    with pytest.raises(RuntimeError, match="right_inverse"):
        lin.weight = pt.zeros((1, 2))
    with pytest.raises(ValueError, match="does not have a parametrization"):
        parametrize.remove_parametrizations(lin, "bias")
    wn = nn.utils.parametrizations.weight_norm(nn.Linear(2, 3))
    with pytest.raises(ValueError, match="sequence of tensors"):
        parametrize.remove_parametrizations(wn, "weight", leave_parametrized=False)
    parametrize.remove_parametrizations(wn, "weight")
    assert list(wn.state_dict()) == ["bias", "weight"]
