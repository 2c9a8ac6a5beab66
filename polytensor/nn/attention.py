"""Attention and Transformer layers, as in ``torch.nn``: ``F.scaled_dot_product_attention``,
``MultiheadAttention``, ``TransformerEncoderLayer``, ``TransformerEncoder``,
``TransformerDecoderLayer``, ``TransformerDecoder`` and ``Transformer``.

PyTorch's signatures, parameter names, shapes and initialisation (``in_proj_weight`` drawn by
``xavier_uniform_``, zero biases; ``layers.0.self_attn.in_proj_weight`` and so on in a
``state_dict``), so a ``state_dict`` moves between the two libraries and gives the same numbers.
Everything is written with polytensor ops, so it differentiates on every backend.

Masks follow PyTorch's two conventions: in ``scaled_dot_product_attention`` a boolean
``attn_mask`` is True where a query *may* attend; in the layers (``key_padding_mask``,
``attn_mask``, ``src_mask``, ...) a boolean mask is True where attention is *not* allowed. A
floating-point mask is added to the scores in both (``-inf`` removes a position).

Examples
--------
>>> import polytensor as pt
>>> from polytensor import nn
>>> layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16)
>>> encoder = nn.TransformerEncoder(layer, num_layers=2)
>>> mask = nn.Transformer.generate_square_subsequent_mask(5)
>>> encoder(pt.ones((5, 3, 8)), mask).shape
(5, 3, 8)
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable
from typing import Any, cast

from .. import _dtypes as _dt
from .._ops.creation import full, ones, tril, triu, zeros, zeros_like
from .._ops.data_types import astype
from .._ops.linear_algebra import matmul, matrix_transpose
from .._ops.manipulation import broadcast_to, concat, expand_dims, permute_dims, reshape, squeeze
from .._ops.searching import where
from .._ops.statistical import _softmax
from .._ops.statistical import all as _all
from .._ops.statistical import mean as _mean
from .._pytorch import repeat_interleave
from .._shapes import broadcast_shapes
from .._tensor import Tensor
from . import functional as F
from . import init
from .module import Module
from .modules import Dropout, LayerNorm, Linear, ModuleList
from .parameter import Parameter

__all__ = [
    "MultiheadAttention",
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
    "scaled_dot_product_attention",
]


def _known(n: Any, where_: str) -> int:
    if n is None:
        raise ValueError(
            f"{where_}() of a tensor with unknown (lazy) shape; call pt.compute(x) first"
        )
    return int(n)


def _causal(n_rows: int, n_cols: int, device: Any) -> Tensor:
    """True on and below the diagonal of an (n_rows, n_cols) matrix (top-left aligned)."""
    return tril(ones((n_rows, n_cols), dtype=_dt.bool, device=device))


def _softmax_last(s: Tensor) -> Tensor:
    """Softmax over the last axis; scores with no element (no key, S = 0) as they are, as
    PyTorch's (the reduction inside ``_softmax`` has nothing to reduce there)."""
    return s * 1 if s.size == 0 else _softmax(s, axis=-1)


def _softmax_or_zero(s: Tensor) -> Tensor:
    """Softmax over the last axis; a row with every score -inf (no position to attend to) gives
    zeros, as PyTorch's scaled_dot_product_attention, and no NaN in the gradient."""
    if s.size == 0:
        return s * 1
    dead = _all(s == -math.inf, axis=-1, keepdims=True)
    p = _softmax(where(dead, 0.0, s), axis=-1)
    return where(dead, 0.0, p)


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """PyTorch's ``F.scaled_dot_product_attention``:
    ``softmax(query @ key.mT * scale + bias) @ value``, over the last two dimensions
    (``query`` (..., L, E), ``key`` (..., S, E), ``value`` (..., S, Ev); the leading
    dimensions broadcast).

    Parameters
    ----------
    attn_mask : Tensor, optional
        Broadcasts to the scores' shape (..., L, S), with no more dimensions than they have
        (and, as PyTorch's CPU kernel, at least 2 with 4-D inputs and no dropout). Boolean:
        True where a query may attend to a key (False positions are removed); floating (float32
        or the query's dtype): added to the scores.
    dropout_p : float
        Dropout of the attention weights (always applied when > 0, as PyTorch's; pass 0.0
        outside training; above 1 refused, 0 or less is none). The draws come from
        polytensor's generator.
    is_causal : bool
        Query i attends to keys 0..i (top-left aligned for L != S); not with ``attn_mask``.
    scale : float, optional
        Default ``1 / sqrt(E)``.
    enable_gqa : bool
        Grouped-query attention: ``key``/``value`` with fewer heads (dimension -3) than
        ``query``, each repeated to the query's head count.

    A query row with no position left to attend to gives zeros, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> q = pt.ones((2, 3, 4)); k = pt.ones((2, 5, 4)); v = pt.ones((2, 5, 6))
    >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
    (2, 3, 6)
    """
    where_ = "scaled_dot_product_attention"
    q = F._tensor(query, where_, "query")
    k = F._tensor(key, where_, "key")
    v = F._tensor(value, where_, "value")
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise RuntimeError(
            f"Expected query, key, and value to all be at least 2 dimensional, but got "
            f"query.dim: {q.ndim} key.dim: {k.ndim} and value.dim: {v.ndim} instead."
        )
    if not q.dtype == k.dtype == v.dtype:
        raise RuntimeError(
            f"Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{q.dtype.name} key.dtype: {k.dtype.name} and value.dtype: {v.dtype.name} "
            f"instead; cast them with pt.astype(x, dtype)"
        )
    F._floating(q, where_, "query", real=True)
    if q.shape[-1] != k.shape[-1]:
        raise RuntimeError(
            f"{where_}(): query's last dimension ({q.shape[-1]}) must equal key's "
            f"({k.shape[-1]}); got query {tuple(q.shape)} and key {tuple(k.shape)}"
        )
    if k.shape[-2] != v.shape[-2]:
        raise RuntimeError(
            f"{where_}(): key and value must have the same sequence length (dimension -2); "
            f"got key {tuple(k.shape)} and value {tuple(v.shape)}"
        )
    # PyTorch's: only p > 1 is refused; p <= 0 (or NaN) is no dropout, True is p = 1
    if dropout_p > 1.0:
        raise RuntimeError(
            f"dropout probability has to be between 0 and 1, but got {dropout_p}; pass "
            f"dropout_p in [0, 1]"
        )
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
            "is_causal=True; pass one of them (a causal attn_mask, or is_causal=True)"
        )
    if enable_gqa:
        if q.ndim < 3 or k.ndim < 3 or v.ndim < 3:
            raise RuntimeError(f"{where_}(enable_gqa=True) expects 3-D or more (..., H, L, E)")
        hq, hk, hv = (_known(t.shape[-3], where_) for t in (q, k, v))
        if hk == 0 or hv == 0 or hq % hk or hq % hv:
            raise RuntimeError(
                f"{where_}(enable_gqa=True): the query's number of heads ({hq}) must be a "
                f"multiple of the key's ({hk}) and the value's ({hv})"
            )
        if hk != hq:
            k = repeat_interleave(k, hq // hk, dim=-3)
        if hv != hq:
            v = repeat_interleave(v, hq // hv, dim=-3)
    factor = 1.0 / math.sqrt(_known(q.shape[-1], where_)) if scale is None else scale
    s = matmul(q, matrix_transpose(k)) * factor
    masked = False
    if is_causal:
        n_l, n_s = _known(q.shape[-2], where_), _known(k.shape[-2], where_)
        s = where(_causal(n_l, n_s, q.device), s, -math.inf)
    elif attn_mask is not None:
        m = F._tensor(attn_mask, where_, "attn_mask")
        if m.ndim < 2 and _fused_cpu_kernel(q, k, v, dropout_p, enable_gqa):
            # (PyTorch's CPU kernel for 4-D inputs reads the mask's dimension -2)
            raise IndexError(
                f"{where_}(): attn_mask of shape {tuple(m.shape)} has no dimension -2; with "
                f"4-D query, key and value it must be at least 2-D (..., L, S): give it a "
                f"query dimension, e.g. attn_mask[None, :]"
            )
        try:
            fits = broadcast_shapes(tuple(m.shape), tuple(s.shape)) == tuple(s.shape)
        except ValueError:
            fits = False
        if not fits:
            raise RuntimeError(
                f"{where_}(): attn_mask of shape {tuple(m.shape)} does not broadcast to the "
                f"attention scores' shape {tuple(s.shape)} (..., L, S); it may have at most "
                f"{s.ndim} dimensions, each equal to the scores' or 1"
            )
        if m.dtype == _dt.bool:
            s = where(m, s, -math.inf)
        elif m.dtype in (q.dtype, _dt.float32):  # (PyTorch's: a float32 mask with any query)
            s = s + (m if m.dtype == q.dtype else astype(m, q.dtype))
        else:
            raise RuntimeError(
                f"Expected attn_mask dtype to be bool or float or to match query dtype, but "
                f"got attn_mask.dtype: {m.dtype.name} and query.dtype: {q.dtype.name} instead"
            )
        masked = True
    # (a causal mask leaves every row its first key, so only an explicit mask can empty a row)
    p = _softmax_or_zero(s) if masked else _softmax_last(s)
    if dropout_p > 0.0:
        p = F.dropout(p, float(dropout_p), training=True)
    return matmul(p, v)


def _fused_cpu_kernel(q: Tensor, k: Tensor, v: Tensor, dropout_p: float, gqa: bool) -> bool:
    """Whether PyTorch (on CPU) runs these inputs through its fused kernel, which refuses a 0-D
    or 1-D attn_mask with an IndexError: 4-D query, key and value, one batch size, the same
    number of heads (or grouped-query attention), keys, and no dropout."""
    if not q.ndim == k.ndim == v.ndim == 4 or dropout_p > 0.0:
        return False
    if not q.shape[0] == k.shape[0] == v.shape[0] or k.shape[-2] == 0:
        return False
    return gqa or q.shape[1] == k.shape[1] == v.shape[1]


# -- MultiheadAttention ---------------------------------------------------------------------------
def _canonical_mask(
    mask: Tensor | None,
    name: str,
    other: Tensor | None,
    other_name: str,
    dtype: Any,
) -> Tensor | None:
    """A layer's mask as an additive float mask: a boolean one (True: not allowed) as -inf/0;
    PyTorch's checks and its warning for a boolean and a float mask given together."""
    if mask is None:
        return None
    m = F._tensor(mask, "MultiheadAttention", name)
    if m.dtype != _dt.bool and m.dtype.kind != "real floating":
        raise AssertionError(
            f"only bool and floating types of {name} are supported; got {m.dtype.name}"
        )
    if other is not None and other.dtype != m.dtype:
        # (named at the line that asked for the check, as PyTorch's: shown once a process,
        # wherever the layer is called from)
        warnings.warn(
            f"Support for mismatched {name} and {other_name} is deprecated. Use same type "
            f"for both instead.",
            UserWarning,
            stacklevel=2,
        )
    if m.dtype == _dt.bool:
        return where(m, -math.inf, zeros_like(m, dtype=dtype))
    return m


def _pad_column(m: Tensor) -> Tensor:
    """``m`` with a zero column appended on the last axis (F.pad(m, (0, 1)))."""
    return concat([m, zeros((*m.shape[:-1], 1), dtype=m.dtype, device=m.device)], axis=-1)


def _mha_shape_check(
    q: Tensor, k: Tensor, v: Tensor, kpm: Tensor | None, mask: Tensor | None, heads: int
) -> bool:
    """Whether the inputs are batched; PyTorch's AssertionErrors for the wrong ranks."""
    if q.ndim == 3:
        if k.ndim != 3 or v.ndim != 3:
            raise AssertionError(
                f"For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                f"{k.ndim}-D and {v.ndim}-D tensors respectively"
            )
        if kpm is not None and kpm.ndim != 2:
            raise AssertionError(
                f"For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D "
                f"but found {kpm.ndim}-D tensor instead"
            )
        if mask is not None and mask.ndim not in (2, 3):
            raise AssertionError(
                f"For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                f"but found {mask.ndim}-D tensor instead"
            )
        return True
    if q.ndim == 2:
        if k.ndim != 2 or v.ndim != 2:
            raise AssertionError(
                f"For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                f"{k.ndim}-D and {v.ndim}-D tensors respectively"
            )
        if kpm is not None and kpm.ndim != 1:
            raise AssertionError(
                f"For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or "
                f"1-D but found {kpm.ndim}-D tensor instead"
            )
        if mask is not None:
            if mask.ndim not in (2, 3):
                raise AssertionError(
                    f"For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or "
                    f"3-D but found {mask.ndim}-D tensor instead"
                )
            want = (heads, q.shape[0], k.shape[0])
            if mask.ndim == 3 and tuple(mask.shape) != want:
                raise AssertionError(
                    f"Expected `attn_mask` shape to be {want} but got {tuple(mask.shape)}"
                )
        return False
    raise AssertionError(
        f"query should be unbatched 2D or batched 3D tensor but received {q.ndim}-D query tensor"
    )


class NonDynamicallyQuantizableLinear(Linear):
    """The ``Linear`` that ``MultiheadAttention`` keeps as ``out_proj`` (PyTorch's class of
    the same name, there for its quantisation tools; here a plain ``Linear``).

    Examples
    --------
    >>> from polytensor.nn.attention import NonDynamicallyQuantizableLinear
    >>> NonDynamicallyQuantizableLinear(4, 4).weight.shape
    (4, 4)
    """


class MultiheadAttention(Module):
    """Multi-head attention, as ``torch.nn.MultiheadAttention``: ``num_heads`` heads of
    ``embed_dim // num_heads`` features over projections of the query, key and value, joined
    and projected by ``out_proj``.

    Parameters are PyTorch's: ``in_proj_weight`` (3 * embed_dim, embed_dim) (or
    ``q_proj_weight``, ``k_proj_weight`` (embed_dim, kdim), ``v_proj_weight`` (embed_dim,
    vdim) when ``kdim``/``vdim`` differ from ``embed_dim``), drawn by ``xavier_uniform_``;
    ``in_proj_bias`` (3 * embed_dim) and ``out_proj.bias`` zeros; ``out_proj`` a ``Linear``
    with its default initialisation; ``bias_k``/``bias_v`` (1, 1, embed_dim) by
    ``xavier_normal_`` with ``add_bias_kv``.

    ``forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False)`` returns ``(output, weights)``: inputs
    (L, N, E) ((N, L, E) with ``batch_first``) or unbatched (L, E); boolean masks are True
    where attention is *not* allowed, float masks are added to the scores; ``weights`` are
    (N, L, S) averaged over heads, (N, num_heads, L, S) with ``average_attn_weights=False``,
    None with ``need_weights=False``. ``is_causal`` is a hint that ``attn_mask`` is causal
    (it needs ``attn_mask``, which is used as given).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> mha = nn.MultiheadAttention(8, num_heads=2, batch_first=True)
    >>> out, w = mha(pt.ones((3, 5, 8)), pt.ones((3, 7, 8)), pt.ones((3, 7, 8)))
    >>> out.shape, w.shape
    ((3, 5, 8), (3, 5, 7))
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} "
                f"and num_heads={num_heads} instead"
            )
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError(
                f"embed_dim must be divisible by num_heads; got embed_dim={embed_dim} and "
                f"num_heads={num_heads}"
            )
        kw = {"dtype": dtype, "device": device}
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(zeros((3 * embed_dim, embed_dim), **kw))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        else:
            self.q_proj_weight = Parameter(zeros((embed_dim, embed_dim), **kw))
            self.k_proj_weight = Parameter(zeros((embed_dim, self.kdim), **kw))
            self.v_proj_weight = Parameter(zeros((embed_dim, self.vdim), **kw))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(zeros((3 * embed_dim,), **kw))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(
            embed_dim, embed_dim, bias=bias, device=device, dtype=dtype
        )
        self.bias_k: Parameter | None
        self.bias_v: Parameter | None
        if add_bias_kv:
            self.bias_k = Parameter(zeros((1, 1, embed_dim), **kw))
            self.bias_v = Parameter(zeros((1, 1, embed_dim), **kw))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        where_ = "MultiheadAttention"
        query = F._tensor(query, where_, "query")
        key = F._tensor(key, where_, "key")
        value = F._tensor(value, where_, "value")
        batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, self.num_heads)
        self_attention = query is key and key is value
        if self.batch_first and batched:
            query = permute_dims(query, (1, 0, 2))
            key = query if self_attention else permute_dims(key, (1, 0, 2))
            value = key if self_attention else permute_dims(value, (1, 0, 2))
        out, weights = self._attend(
            query,
            key,
            value,
            batched,
            self_attention,
            key_padding_mask,
            need_weights,
            attn_mask,
            average_attn_weights,
            is_causal,
        )
        if self.batch_first and batched:
            out = permute_dims(out, (1, 0, 2))
        return out, weights

    def _attend(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        batched: bool,
        self_attention: bool,
        key_padding_mask: Tensor | None,
        need_weights: bool,
        attn_mask: Tensor | None,
        average_attn_weights: bool,
        is_causal: bool,
    ) -> tuple[Tensor, Tensor | None]:
        """PyTorch's ``F.multi_head_attention_forward`` on sequence-first inputs."""
        if not batched:
            query, key, value = (expand_dims(t, axis=1) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = expand_dims(key_padding_mask, axis=0)
        n_l, bsz, e = (_known(n, "MultiheadAttention") for n in query.shape)
        h, hd = self.num_heads, self.head_dim
        kpm = _canonical_mask(
            key_padding_mask, "key_padding_mask", attn_mask, "attn_mask", query.dtype
        )
        if is_causal and attn_mask is None:
            raise RuntimeError(
                "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
                "module method `generate_square_subsequent_mask` to create this mask."
            )
        if is_causal and kpm is None and not need_weights:
            # (PyTorch's: the hint stands for the mask, which is then not used, nor differentiated)
            attn_mask = None
        else:
            is_causal = False
        mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype)
        if e != self.embed_dim:
            raise AssertionError(
                f"was expecting embedding dimension of {self.embed_dim}, but got {e}"
            )
        if self._qkv_same_embed_dim:
            if tuple(key.shape) != tuple(value.shape):
                raise AssertionError(
                    f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}"
                )
        elif tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(
                f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                f"{tuple(value.shape[:2])}"
            )
        q, k, v = self._in_projection(query, key, value, self_attention)
        n_s = _known(k.shape[0], "MultiheadAttention")
        if mask is not None:
            if mask.ndim == 2:
                if tuple(mask.shape) != (n_l, n_s):
                    raise RuntimeError(
                        f"The shape of the 2D attn_mask is {tuple(mask.shape)}, but should be "
                        f"{(n_l, n_s)}."
                    )
                mask = expand_dims(mask, axis=0)
            elif tuple(mask.shape) != (bsz * h, n_l, n_s):
                raise RuntimeError(
                    f"The shape of the 3D attn_mask is {tuple(mask.shape)}, but should be "
                    f"{(bsz * h, n_l, n_s)}."
                )
        if self.bias_k is not None and self.bias_v is not None:
            k = concat([k, broadcast_to(self.bias_k, (1, bsz, e))], axis=0)
            v = concat([v, broadcast_to(self.bias_v, (1, bsz, e))], axis=0)
            mask = None if mask is None else _pad_column(mask)
            kpm = None if kpm is None else _pad_column(kpm)
        q = permute_dims(reshape(q, (n_l, bsz * h, hd)), (1, 0, 2))
        k = permute_dims(reshape(k, (k.shape[0], bsz * h, hd)), (1, 0, 2))
        v = permute_dims(reshape(v, (v.shape[0], bsz * h, hd)), (1, 0, 2))
        if self.add_zero_attn:
            z = zeros((bsz * h, 1, hd), dtype=k.dtype, device=k.device)
            k = concat([k, z], axis=1)
            v = concat([v, z], axis=1)
            mask = None if mask is None else _pad_column(mask)
            kpm = None if kpm is None else _pad_column(kpm)
        n_s = _known(k.shape[1], "MultiheadAttention")
        if kpm is not None:
            if tuple(kpm.shape) != (bsz, n_s):
                raise AssertionError(
                    f"Expected key_padded_mask.shape to be {(bsz, n_s)} (batch, source "
                    f"length), but got {tuple(kpm.shape)}"
                )
            kpm = reshape(
                broadcast_to(reshape(kpm, (bsz, 1, 1, n_s)), (bsz, h, 1, n_s)),
                (bsz * h, 1, n_s),
            )
            mask = kpm if mask is None else mask + kpm
        p_drop = self.dropout if self.training else 0.0
        if need_weights:
            s = matmul(q * math.sqrt(1.0 / hd), matrix_transpose(k))
            if mask is not None:
                s = s + mask
            if mask is not None and mask.dtype != q.dtype:
                raise RuntimeError(
                    f"Input dtypes must be the same, got: input {mask.dtype.name}, batch1: "
                    f"{q.dtype.name}, batch2: {k.dtype.name}; a float attn_mask or "
                    f"key_padding_mask must have the query's dtype (cast it with "
                    f"pt.astype(mask, query.dtype), or pass a bool mask)"
                )
            # (PyTorch's plain softmax here: a row with nothing to attend to is NaN, as there)
            w = _softmax_last(s)
            if p_drop > 0.0:
                w = F.dropout(w, p_drop)
            out = matmul(w, v)  # (bsz * h, L, hd)
            out = reshape(permute_dims(out, (1, 0, 2)), (n_l * bsz, e))
            out = reshape(F.linear(out, self.out_proj.weight, self.out_proj.bias), (n_l, bsz, e))
            weights: Tensor | None = reshape(w, (bsz, h, n_l, n_s))
            if average_attn_weights:
                weights = _mean(weights, axis=1)
            if not batched:
                out = squeeze(out, axis=1)
                weights = squeeze(weights, axis=0)
            return out, weights
        if mask is not None:
            if mask.shape[0] == 1:
                mask = expand_dims(mask, axis=0)
            elif mask.size == 0:  # (PyTorch's reshape to (bsz, h, -1, 0) fails here)
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape {[bsz, h, -1, n_s]} because "
                    f"the unspecified dimension size -1 can be any value and is ambiguous: "
                    f"with no key (S = 0) and a key_padding_mask, pass need_weights=True"
                )
            else:
                mask = reshape(mask, (bsz, h, -1, n_s))
        q = reshape(q, (bsz, h, n_l, hd))
        k = reshape(k, (bsz, h, n_s, hd))
        v = reshape(v, (bsz, h, n_s, hd))
        out = scaled_dot_product_attention(q, k, v, mask, p_drop, is_causal)
        out = reshape(permute_dims(out, (2, 0, 1, 3)), (n_l * bsz, e))
        out = reshape(F.linear(out, self.out_proj.weight, self.out_proj.bias), (n_l, bsz, e))
        return (out if batched else squeeze(out, axis=1)), None

    def _in_projection(
        self, query: Tensor, key: Tensor, value: Tensor, self_attention: bool
    ) -> tuple[Tensor, Tensor, Tensor]:
        e = self.embed_dim
        w_of = (
            (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
            if not self._qkv_same_embed_dim
            else (self.in_proj_weight,) * 3
        )
        for t, w_, name in zip((query, key, value), w_of, ("query", "key", "value"), strict=True):
            if t.dtype != w_.dtype:  # (PyTorch's linear does not promote)
                raise RuntimeError(
                    f"mat1 and mat2 must have the same dtype, but got {t.dtype.name} and "
                    f"{w_.dtype.name}: MultiheadAttention's {name} must have its parameters' "
                    f"dtype; cast it with pt.astype(x, dtype) or the module with .to(dtype)"
                )
        b = self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:e], b[e : 2 * e], b[2 * e :])
        if not self._qkv_same_embed_dim:
            return (
                F.linear(query, self.q_proj_weight, bq),
                F.linear(key, self.k_proj_weight, bk),
                F.linear(value, self.v_proj_weight, bv),
            )
        w = self.in_proj_weight
        if self_attention:  # (one product for the three projections)
            proj = F.linear(query, w, b)
            return proj[..., :e], proj[..., e : 2 * e], proj[..., 2 * e :]
        return (
            F.linear(query, w[:e], bq),
            F.linear(key, w[e : 2 * e], bk),
            F.linear(value, w[2 * e :], bv),
        )

    def extra_repr(self) -> str:
        return ""


# -- Transformer layers ---------------------------------------------------------------------------
def _activation(activation: str | Callable[[Tensor], Tensor]) -> Callable[[Tensor], Tensor]:
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    if isinstance(activation, str):
        raise RuntimeError(f"activation should be relu/gelu, not {activation}")  # noqa: TRY004
    if not callable(activation):
        raise TypeError(
            f"activation should be 'relu', 'gelu' or a callable; got {type(activation).__name__}"
        )
    return activation


def _check_layer_masks(
    x: Tensor, mask: Tensor | None, mask_name: str, kpm: Tensor | None, kpm_name: str
) -> None:
    """PyTorch's checks of a layer's two masks (their dtypes; the warning when they differ)."""
    for m, name in ((mask, mask_name), (kpm, kpm_name)):
        if m is not None:
            t = F._tensor(m, "Transformer", name)
            if t.dtype != _dt.bool and t.dtype.kind != "real floating":
                raise AssertionError(
                    f"only bool and floating types of {name} are supported; got {t.dtype.name}"
                )
    if mask is not None and kpm is not None and mask.dtype != kpm.dtype:
        warnings.warn(  # (named at the line that asked for the check, as _canonical_mask's)
            f"Support for mismatched {kpm_name} and {mask_name} is deprecated. Use same type "
            f"for both instead.",
            UserWarning,
            stacklevel=2,
        )


class TransformerEncoderLayer(Module):
    """Self-attention and a feed-forward block, each with a residual connection and a
    ``LayerNorm``, as ``torch.nn.TransformerEncoderLayer`` (submodules ``self_attn``,
    ``linear1``, ``dropout``, ``linear2``, ``norm1``, ``norm2``, ``dropout1``, ``dropout2``).

    ``norm_first=False``: ``x = norm1(x + sa(x)); x = norm2(x + ff(x))``; ``norm_first=True``:
    ``x = x + sa(norm1(x)); x = x + ff(norm2(x))``. ``activation``: "relu", "gelu" or a
    callable. ``forward(src, src_mask=None, src_key_padding_mask=None, is_causal=False)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True)
    >>> layer(pt.ones((3, 5, 8))).shape
    (3, 5, 8)
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = F.relu,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        kw = {"device": device, "dtype": dtype}
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, **kw
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = _activation(activation)

    def forward(
        self,
        src: Tensor,
        src_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool = False,
    ) -> Tensor:
        _check_layer_masks(src, src_mask, "src_mask", src_key_padding_mask, "src_key_padding_mask")
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(
        self, x: Tensor, mask: Tensor | None, kpm: Tensor | None, is_causal: bool
    ) -> Tensor:
        y = self.self_attn(
            x, x, x, attn_mask=mask, key_padding_mask=kpm, need_weights=False, is_causal=is_causal
        )[0]
        return cast("Tensor", self.dropout1(y))

    def _ff_block(self, x: Tensor) -> Tensor:
        y = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return cast("Tensor", self.dropout2(y))


class TransformerDecoderLayer(Module):
    """Self-attention, attention over the encoder's output (``memory``) and a feed-forward
    block, each with a residual connection and a ``LayerNorm``, as
    ``torch.nn.TransformerDecoderLayer`` (submodules ``self_attn``, ``multihead_attn``,
    ``linear1``, ``dropout``, ``linear2``, ``norm1``-``norm3``, ``dropout1``-``dropout3``).

    ``forward(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> layer = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16)
    >>> layer(pt.ones((4, 3, 8)), pt.ones((6, 3, 8))).shape
    (4, 3, 8)
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = F.relu,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        kw = {"device": device, "dtype": dtype}
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias, **kw
        )
        self.multihead_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias, **kw
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _activation(activation)

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(
                self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal
            )
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(
                x
                + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            )
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(
        self, x: Tensor, mask: Tensor | None, kpm: Tensor | None, is_causal: bool
    ) -> Tensor:
        y = self.self_attn(
            x, x, x, attn_mask=mask, key_padding_mask=kpm, is_causal=is_causal, need_weights=False
        )[0]
        return cast("Tensor", self.dropout1(y))

    def _mha_block(
        self, x: Tensor, mem: Tensor, mask: Tensor | None, kpm: Tensor | None, is_causal: bool
    ) -> Tensor:
        y = self.multihead_attn(
            x,
            mem,
            mem,
            attn_mask=mask,
            key_padding_mask=kpm,
            is_causal=is_causal,
            need_weights=False,
        )[0]
        return cast("Tensor", self.dropout2(y))

    def _ff_block(self, x: Tensor) -> Tensor:
        y = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return cast("Tensor", self.dropout3(y))


def _clones(module: Module, n: int) -> ModuleList:
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


class TransformerEncoder(Module):
    """A stack of ``num_layers`` deep copies of ``encoder_layer`` (``layers.0``,
    ``layers.1``, ...), then ``norm`` if given, as ``torch.nn.TransformerEncoder``.

    ``forward(src, mask=None, src_key_padding_mask=None, is_causal=None)``; ``is_causal`` is a
    hint that ``mask`` is causal. ``enable_nested_tensor`` and ``mask_check`` are accepted for
    PyTorch's signature; they steer PyTorch's inference fast path, which polytensor does not
    have. (Note: PyTorch's fast path, taken in ``eval()`` mode without gradients when a
    ``src_key_padding_mask`` is given, returns zeros at the padded positions; polytensor
    always computes them.)

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)
    >>> encoder = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8))
    >>> encoder(pt.ones((5, 3, 8))).shape
    (5, 3, 8)
    """

    def __init__(
        self,
        encoder_layer: Module,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        super().__init__()
        if not isinstance(encoder_layer, Module):
            raise TypeError(
                f"TransformerEncoder() expects encoder_layer to be a Module (such as "
                f"nn.TransformerEncoderLayer); got {type(encoder_layer).__name__}"
            )
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = False  # (no nested tensors here)
        self.mask_check = mask_check

    def forward(
        self,
        src: Tensor,
        mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool | None = None,
    ) -> Tensor:
        _check_layer_masks(src, mask, "mask", src_key_padding_mask, "src_key_padding_mask")
        # (PyTorch's: the hint passes on to every layer, which refuses it without a mask)
        causal = is_causal is True
        output = src
        for mod in self.layers:
            output = mod(
                output, src_mask=mask, is_causal=causal, src_key_padding_mask=src_key_padding_mask
            )
        if self.norm is not None:
            output = self.norm(output)
        return output


class TransformerDecoder(Module):
    """A stack of ``num_layers`` deep copies of ``decoder_layer``, then ``norm`` if given, as
    ``torch.nn.TransformerDecoder``.

    ``forward(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> layer = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16)
    >>> decoder = nn.TransformerDecoder(layer, 2)
    >>> decoder(pt.ones((4, 3, 8)), pt.ones((6, 3, 8))).shape
    (4, 3, 8)
    """

    def __init__(self, decoder_layer: Module, num_layers: int, norm: Module | None = None) -> None:
        super().__init__()
        if not isinstance(decoder_layer, Module):
            raise TypeError(
                f"TransformerDecoder() expects decoder_layer to be a Module (such as "
                f"nn.TransformerDecoderLayer); got {type(decoder_layer).__name__}"
            )
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        causal = tgt_is_causal is True
        output = tgt
        for mod in self.layers:
            output = mod(
                output,
                memory,
                tgt_mask=tgt_mask,
                memory_mask=memory_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                tgt_is_causal=causal,
                memory_is_causal=memory_is_causal,
            )
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(Module):
    """The encoder-decoder Transformer of "Attention Is All You Need", as
    ``torch.nn.Transformer``: an ``encoder`` (``TransformerEncoder`` of
    ``num_encoder_layers`` layers and a final ``LayerNorm``) and a ``decoder`` (likewise);
    every parameter with more than one dimension re-drawn by ``xavier_uniform_``.

    ``forward(src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
    src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
    src_is_causal=None, tgt_is_causal=None, memory_is_causal=False)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> model = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1,
    ...                        num_decoder_layers=1, dim_feedforward=16)
    >>> tgt_mask = nn.Transformer.generate_square_subsequent_mask(4)
    >>> model(pt.ones((6, 3, 8)), pt.ones((4, 3, 8)), tgt_mask=tgt_mask).shape
    (4, 3, 8)
    """

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = F.relu,
        custom_encoder: Any | None = None,
        custom_decoder: Any | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        kw = {"device": device, "dtype": dtype}
        args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            enc = TransformerEncoderLayer(*args, batch_first, norm_first, bias, **kw)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
            self.encoder = TransformerEncoder(enc, num_encoder_layers, norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            dec = TransformerDecoderLayer(*args, batch_first, norm_first, bias, **kw)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
            self.decoder = TransformerDecoder(dec, num_decoder_layers, norm)
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(
        self,
        src: Tensor,
        tgt: Tensor,
        src_mask: Tensor | None = None,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        src = F._tensor(src, "Transformer", "src")
        tgt = F._tensor(tgt, "Transformer", "tgt")
        axis = 0 if self.batch_first else 1
        if src.ndim == 3 and src.shape[axis] != tgt.shape[axis]:
            raise RuntimeError(
                f"the batch number of src and tgt must be equal; got src {tuple(src.shape)} "
                f"and tgt {tuple(tgt.shape)} (batch_first={self.batch_first})"
            )
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError(
                f"the feature number of src and tgt must be equal to d_model ({self.d_model}); "
                f"got {src.shape[-1]} and {tgt.shape[-1]}"
            )
        memory = self.encoder(
            src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal
        )
        return cast(
            "Tensor",
            self.decoder(
                tgt,
                memory,
                tgt_mask=tgt_mask,
                memory_mask=memory_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                tgt_is_causal=tgt_is_causal,
                memory_is_causal=memory_is_causal,
            ),
        )

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """A causal mask for a sequence of length ``sz``: float ``-inf`` above the diagonal
        (position i may not attend to j > i), ``0.0`` on and below it.

        Examples
        --------
        >>> from polytensor import nn
        >>> nn.Transformer.generate_square_subsequent_mask(3)
        tensor([[  0., -inf, -inf],
                [  0.,   0., -inf],
                [  0.,   0.,   0.]], backend='numpy')
        """
        return triu(full((sz, sz), -math.inf, dtype=dtype, device=device), k=1)

    def _reset_parameters(self) -> None:
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)
