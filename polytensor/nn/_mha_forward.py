"""``torch.nn.functional.multi_head_attention_forward``: ``nn.MultiheadAttention``'s computation
with the weights passed in, as custom attention layers call it (CLIP's attention pooling, say).

``polytensor.nn.functional`` re-exports it; it runs the layer's own code on the given weights,
so the two give the same numbers.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from .._tensor import Tensor
from . import functional as F
from .attention import MultiheadAttention, _mha_shape_check

__all__ = ["multi_head_attention_forward"]


class _GivenWeights:
    """What ``MultiheadAttention``'s computation reads from the layer, from arguments."""

    _in_projection = MultiheadAttention._in_projection

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention with the weights given, as PyTorch's
    ``torch.nn.functional.multi_head_attention_forward``: inputs (L, N, E) (sequence first) or
    unbatched (L, E); the projections ``in_proj_weight`` (3E, E) (or, with
    ``use_separate_proj_weight=True``, ``q_proj_weight``, ``k_proj_weight``,
    ``v_proj_weight``) and ``in_proj_bias`` (3E,), then ``out_proj_weight`` and
    ``out_proj_bias``. Returns ``(output, weights)`` as ``nn.MultiheadAttention`` does.
    ``static_k`` and ``static_v`` are not supported.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> mha = nn.MultiheadAttention(4, 2)
    >>> x = pt.randn(3, 1, 4)
    >>> out, w = nn.functional.multi_head_attention_forward(
    ...     x, x, x, 4, 2, mha.in_proj_weight, mha.in_proj_bias, None, None, False, 0.0,
    ...     mha.out_proj.weight, mha.out_proj.bias)
    >>> bool(pt.allclose(out, mha(x, x, x)[0])), tuple(w.shape)
    (True, (1, 3, 3))
    """
    where_ = "multi_head_attention_forward"
    if static_k is not None or static_v is not None:
        raise NotImplementedError(
            f"{where_}(): static_k and static_v are not supported by polytensor; project the "
            f"keys and values with the layer's weights instead"
        )
    query = F._tensor(query, where_, "query")
    key = F._tensor(key, where_, "key")
    value = F._tensor(value, where_, "value")
    if embed_dim_to_check % num_heads:
        raise AssertionError(
            f"embed_dim {embed_dim_to_check} not divisible by num_heads {num_heads}"
        )
    if use_separate_proj_weight:
        if q_proj_weight is None or k_proj_weight is None or v_proj_weight is None:
            raise AssertionError(
                "use_separate_proj_weight is True but q_proj_weight, k_proj_weight or "
                "v_proj_weight is None"
            )
    elif in_proj_weight is None:
        raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    weights = _GivenWeights(
        embed_dim=embed_dim_to_check,
        num_heads=num_heads,
        head_dim=embed_dim_to_check // num_heads,
        _qkv_same_embed_dim=not use_separate_proj_weight,
        in_proj_weight=in_proj_weight,
        q_proj_weight=q_proj_weight,
        k_proj_weight=k_proj_weight,
        v_proj_weight=v_proj_weight,
        in_proj_bias=in_proj_bias,
        bias_k=bias_k,
        bias_v=bias_v,
        add_zero_attn=add_zero_attn,
        out_proj=SimpleNamespace(weight=out_proj_weight, bias=out_proj_bias),
        dropout=dropout_p,
        training=training,
    )
    self_attention = query is key and key is value
    # (the layer's own computation, reading the given weights where it reads the layer's)
    return MultiheadAttention._attend(
        cast(MultiheadAttention, weights),
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
