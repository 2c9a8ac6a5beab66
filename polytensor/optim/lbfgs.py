"""L-BFGS, as ``torch.optim.LBFGS``: a quasi-Newton method that re-evaluates the loss through
a closure, with PyTorch's strong-Wolfe line search (``_strong_wolfe``, ``_cubic_interpolate``,
after minFunc) as an option.

The direction and the line search work on all parameters flattened into one vector; their
scalars (dot products, losses, step lengths) are Python floats, as the algorithm branches on
them, so on Dask each iteration computes a few numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .. import _lazy_updates
from .._ops.creation import zeros
from .._ops.elementwise import abs as abs_
from .._ops.linear_algebra import vecdot
from .._ops.manipulation import concat, reshape
from .._ops.statistical import max as max_
from .._ops.statistical import sum as sum_
from ..autograd import enable_grad, no_grad
from ..nn.parameter import copy_tensor
from .optimizer import Optimizer

__all__ = ["LBFGS"]


def _cubic_interpolate(
    x1: float,
    f1: float,
    g1: float,
    x2: float,
    f2: float,
    g2: float,
    bounds: tuple[float, float] | None = None,
) -> float:
    """The minimiser, within ``bounds`` (default: between ``x1`` and ``x2``), of the cubic
    through values ``f1``, ``f2`` and slopes ``g1``, ``g2`` at ``x1``, ``x2`` (PyTorch's
    two-point case of minFunc's ``polyinterp``); the middle when the cubic has none.

    Examples
    --------
    >>> from polytensor.optim.lbfgs import _cubic_interpolate
    >>> _cubic_interpolate(0.0, 1.0, -2.0, 2.0, 1.0, 2.0)  # (x - 1) ** 2
    1.0
    """
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = math.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


# The numbers LBFGS reads are computed at once; on a lazy backend (Dask) the tensors they are
# read from are computed in the same pass (_lazy_updates.note), so that the next directions,
# built from them, do not compute the iterations' whole history again at each number.
def _dot(a: Any, b: Any) -> float:
    _lazy_updates.note(a)
    _lazy_updates.note(b)
    return float(vecdot(a, b))


def _abs_max(a: Any) -> float:
    _lazy_updates.note(a)
    return float(max_(abs_(a)))


def _strong_wolfe(
    obj_func: Callable[[Any, float, Any], tuple[float, Any]],
    x: Any,
    t: float,
    d: Any,
    f: float,
    g: Any,
    gtd: float,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, Any, float, int]:
    """A step ``t`` along ``d`` from ``x`` that satisfies the strong Wolfe conditions
    (sufficient decrease ``c1``, curvature ``c2``), by bracketing then zooming with cubic
    interpolation, as PyTorch's ``_strong_wolfe``; returns the loss, the flat gradient and
    the step there, and the number of evaluations of ``obj_func(x, t, d)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.optim.lbfgs import _strong_wolfe
    >>> def obj(x, t, d):  # f(y) = sum(y ** 2) at y = x + t * d
    ...     y = x + t * d
    ...     return float(pt.sum(y * y)), 2 * y
    >>> x, d = pt.asarray([2.0]), pt.asarray([-1.0])
    >>> f, g, t, evals = _strong_wolfe(obj, x, 1.0, d, 4.0, 2 * x, -4.0)
    >>> t, f
    (1.0, 1.0)
    """
    d_norm = _abs_max(d)
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = _dot(g_new, d)
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    ls_iter = 0
    bracket: list[float] = []
    bracket_f: list[float] = []
    bracket_g: list[Any] = []
    bracket_gtd: list[float] = []
    # bracket an interval containing a point satisfying the Wolfe criteria
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        # interpolate
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(
            t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step)
        )
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new, gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = _dot(g_new, d)
        ls_iter += 1
    # reached the maximum number of iterations?
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0.0, t], [f, f_new], [g, g_new]

    # zoom: refine the bracket until a point satisfies the criteria
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        # line-search bracket is so small
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        # a point too near a boundary makes too little progress: move it away, unless the
        # last one did too, or it is outside the bracket
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = _dot(g_new, d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # Armijo condition not satisfied or not lower than the lowest point
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new, gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True  # Wolfe conditions satisfied
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                # the old high becomes the new low
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            # the new point becomes the new low
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new, gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


class LBFGS(Optimizer):
    """L-BFGS (limited-memory BFGS), PyTorch's algorithm: each ``step(closure)`` runs up to
    ``max_iter`` iterations, each a direction from the last ``history_size`` curvature pairs
    and a step of ``lr`` along it (or the strong-Wolfe line search's step), stopping early when
    the gradient, the step or the loss change falls under its tolerance.

    One parameter group only, as PyTorch's; the closure clears the gradients, computes the
    loss, calls ``backward()`` and returns the loss.

    Parameters
    ----------
    params : iterable of Tensor
    lr : float, default 1
    max_iter : int, default 20
        Iterations per ``step()``.
    max_eval : int, optional
        Evaluations of the closure per ``step()`` (default ``max_iter * 5 // 4``).
    tolerance_grad : float, default 1e-7
        Stop when the largest gradient element is at most this.
    tolerance_change : float, default 1e-9
        Stop when the step or the loss changes by less than this.
    history_size : int, default 100
    line_search_fn : {None, "strong_wolfe"}, default None

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> w = pt.asarray([3.0, -1.0], dtype=pt.float64, requires_grad=True)
    >>> opt = optim.LBFGS([w], line_search_fn="strong_wolfe")
    >>> def closure():
    ...     opt.zero_grad()
    ...     loss = pt.sum((w - 1.0) ** 2)
    ...     loss.backward()
    ...     return loss
    >>> float(opt.step(closure))
    8.0
    >>> [round(v, 6) for v in w.tolist()]
    [1.0, 1.0]
    """

    # (state not shaped as the first parameter: flat vectors and 0-d tensors)
    _unshaped_state = frozenset({"d", "prev_flat_grad", "H_diag", "t"})

    _real_only = True  # (PyTorch's reads a complex number's parts as two reals)

    def __init__(
        self,
        params: Any,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _check_group(self, group: dict[str, Any]) -> None:
        if not group["lr"] >= 0.0:
            raise ValueError(f"Invalid learning rate: {group['lr']}")

    def _gather_flat_grad(self) -> Any:
        views = []
        for p in self._params:
            g = p.grad
            if g is None:
                views.append(zeros((math.prod(p.shape),), dtype=p.dtype, device=p.device))
            else:
                views.append(reshape(g, (-1,)))
        return concat(views, axis=0)

    def _add_grad(self, step_size: float, update: Any) -> None:
        offset = 0
        for p in self._params:
            n = math.prod(p.shape)
            p += step_size * reshape(update[offset : offset + n], tuple(p.shape))
            offset += n

    def _directional_evaluate(
        self, closure: Callable[[], Any], x: list[Any], t: float, d: Any
    ) -> tuple[float, Any]:
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        for p, pdata in zip(self._params, x, strict=True):
            p.copy_(pdata)
        return loss, flat_grad

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Run up to ``max_iter`` iterations; ``closure`` (required) re-evaluates the model
        and returns the loss. Returns the loss of the first evaluation.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> w = pt.asarray([0.0], dtype=pt.float64, requires_grad=True)
        >>> opt = optim.LBFGS([w], max_iter=5)
        >>> def closure():
        ...     opt.zero_grad(); loss = pt.sum((w - 2.0) ** 2); loss.backward(); return loss
        >>> _ = opt.step(closure)
        >>> round(w.item(), 6), opt.state[w]["n_iter"]
        (2.0, 2)
        """
        if closure is None:
            raise TypeError(
                "LBFGS.step() missing 1 required positional argument: 'closure' (a function "
                "that clears the gradients, computes the loss, calls backward() and returns it)"
            )
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

        def evaluate() -> Any:
            with enable_grad():
                return closure()

        with no_grad():
            return self._step(evaluate)

    def _step(self, closure: Callable[[], Any]) -> Any:
        group = self.param_groups[0]
        lr = float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        # the state lives under the first parameter, as PyTorch's
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if _abs_max(flat_grad) <= tolerance_grad:  # already optimal
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag = state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            # the direction
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                assert old_dirs is not None and old_stps is not None and ro is not None
                assert d is not None and t is not None
                # the update of the curvature history
                y = flat_grad - prev_flat_grad
                s = d * t
                # (ys, ro, H_diag and al are 0-d tensors, as PyTorch keeps them in the state)
                ys = vecdot(y, s)
                if ys > 1e-10:
                    if len(old_dirs) == history_size:  # forget the oldest pair
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / vecdot(y, y)
                # the two-loop recursion for -H @ g
                num_old = len(old_dirs)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                q = -flat_grad
                for i in range(num_old - 1, -1, -1):
                    al[i] = vecdot(old_stps[i], q) * ro[i]
                    q = q - al[i] * old_dirs[i]
                r = q * H_diag
                for i in range(num_old):
                    be_i = vecdot(old_dirs[i], r) * ro[i]
                    r = r + (al[i] - be_i) * old_stps[i]
                d = r
            prev_flat_grad = copy_tensor(flat_grad)
            prev_loss = loss

            # the step length
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / float(sum_(abs_(flat_grad)))) * lr
            else:
                t = lr
            gtd = _dot(flat_grad, d)
            if gtd > -tolerance_change:  # no descent along d
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = [copy_tensor(p) for p in self._params]

                def obj_func(x: Any, t: float, d: Any) -> tuple[float, Any]:
                    return self._directional_evaluate(closure, x, t, d)

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals
                )
                self._add_grad(t, d)
                opt_cond = _abs_max(flat_grad) <= tolerance_grad
            else:
                # a fixed step, and the gradient there unless this was the last iteration
                self._add_grad(t, d)
                if n_iter != max_iter:
                    loss = float(closure())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = _abs_max(flat_grad) <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            # the conditions to stop
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if _abs_max(d * t) <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state["d"], state["t"] = d, t
        state["old_dirs"], state["old_stps"], state["ro"] = old_dirs, old_stps, ro
        state["H_diag"] = H_diag
        state["prev_flat_grad"], state["prev_loss"] = prev_flat_grad, prev_loss
        return orig_loss
