"""PyTorch's ``torch.nn.utils.rnn``: sequences of different lengths for the recurrent layers.

- ``pad_sequence``: a list of (L_i, *) tensors as one padded (L_max, N, *) tensor;
- ``pack_padded_sequence``/``pack_sequence``: a ``PackedSequence``, the valid steps only, time
  step by time step, the longest sequences first; ``nn.RNN``/``LSTM``/``GRU`` take one and
  stop each sequence at its own length (its final state is the state after its last step, and
  a reverse direction starts at its last step);
- ``pad_packed_sequence``: back to a padded tensor and the lengths;
- ``unpad_sequence``/``unpack_sequence``: back to a list.

Everything is differentiable: packing and unpacking take and place steps with ``take``.

Examples
--------
>>> import polytensor as pt
>>> from polytensor.nn.utils.rnn import pack_sequence, pad_packed_sequence
>>> packed = pack_sequence([pt.asarray([1.0, 2.0, 3.0]), pt.asarray([4.0])])
>>> packed.data.tolist(), packed.batch_sizes.tolist()
([1.0, 4.0, 2.0, 3.0], [2, 1, 1])
>>> padded, lengths = pad_packed_sequence(packed, batch_first=True)
>>> padded.tolist(), lengths.tolist()
([[1.0, 2.0, 3.0], [4.0, 0.0, 0.0]], [3, 1])
"""

from __future__ import annotations

import builtins
import operator
from collections.abc import Sequence
from typing import Any, NamedTuple, cast

from ... import _dtypes as dt
from ..._checks import describe
from ..._ops.creation import asarray, full
from ..._ops.indexing import take
from ..._ops.manipulation import concat, expand_dims, permute_dims, reshape, stack
from ..._tensor import Tensor

__all__ = [
    "PackedSequence",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]


class PackedSequence(NamedTuple):
    """Sequences packed for a recurrent layer, as PyTorch's: ``data`` (sum of lengths, *)
    holds time step 0 of every sequence, then step 1 of those that have one, and so on, the
    longest sequences first; ``batch_sizes[t]`` counts the sequences with a step ``t``;
    ``sorted_indices[i]`` is the original position of the ``i``-th longest sequence and
    ``unsorted_indices`` its inverse (both None when the sequences came sorted).

    Make one with ``pack_padded_sequence`` or ``pack_sequence``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn.utils.rnn import pack_padded_sequence
    >>> p = pack_padded_sequence(pt.ones((3, 2, 4)), [1, 3], enforce_sorted=False)
    >>> p.batch_sizes.tolist(), p.sorted_indices.tolist(), tuple(p.data.shape)
    ([2, 1, 1], [1, 0], (4, 4))
    """

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """``data.to(...)`` in a PackedSequence with the same steps (the indices follow the
        data's device).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.nn.utils.rnn import pack_sequence
        >>> pack_sequence([pt.ones(2)]).to(pt.float64).data.dtype
        polytensor.float64
        """
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        move = [None if t is None else t.to(data.device) for t in self[2:]]
        return PackedSequence(data, self.batch_sizes, move[0], move[1])

    @property
    def is_cuda(self) -> bool:
        """Whether the data lies on a CUDA device."""
        return bool(self.data.device.type == "cuda")

    def lengths(self) -> list[builtins.int]:
        """The sequences' lengths, longest first (in the packed order).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.nn.utils.rnn import pack_sequence
        >>> pack_sequence([pt.ones(3), pt.ones(1)]).lengths()
        [3, 1]
        """
        sizes = self.batch_sizes.tolist()
        n = sizes[0] if sizes else 0
        return [sum(1 for s in sizes if s > b) for b in range(n)]

    # PyTorch's casts of the data (the steps and indices stay as they are)
    def cpu(self) -> PackedSequence:
        """The sequences on the CPU, as ``to("cpu")``."""
        return self.to("cpu")

    def cuda(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The sequences on a CUDA device, as ``to("cuda")``."""
        return self.to("cuda", *args, **kwargs)

    def double(self) -> PackedSequence:
        """The data as float64.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.nn.utils.rnn import pack_sequence
        >>> pack_sequence([pt.ones(2)]).double().data.dtype
        polytensor.float64
        """
        return self.to(dt.float64)

    def float(self) -> PackedSequence:
        """The data as float32."""
        return self.to(dt.float32)

    def long(self) -> PackedSequence:
        """The data as int64."""
        return self.to(dt.int64)

    def int(self) -> PackedSequence:
        """The data as int32."""
        return self.to(dt.int32)

    def short(self) -> PackedSequence:
        """The data as int16."""
        return self.to(dt.int16)

    def char(self) -> PackedSequence:
        """The data as int8."""
        return self.to(dt.int8)

    def byte(self) -> PackedSequence:
        """The data as uint8."""
        return self.to(dt.uint8)

    def is_pinned(self) -> bool:
        """False: polytensor does not pin host memory."""
        return False


def _int_list(where: str, name: str, v: Any) -> list[int]:
    if isinstance(v, Tensor):
        # as PyTorch's (which casts lengths to int64): lengths counted with a float mask,
        # mask.sum(1), are accepted
        if v.ndim != 1 or v.dtype.kind not in (
            "signed integer",
            "unsigned integer",
            "real floating",
        ):
            raise ValueError(
                f"{where}() expects {name} as a 1-D integer tensor or a list of ints; got a "
                f"{v.ndim}-D {v.dtype.name} tensor"
            )
        return [int(x) for x in v.detach().tolist()]
    try:
        return [operator.index(x) for x in v]
    except TypeError:
        raise TypeError(
            f"{where}() expects {name} as a list of ints or a 1-D integer tensor; got {describe(v)}"
        ) from None


def _index(values: list[int], like: Tensor) -> Tensor:
    return asarray(values, dtype=dt.int64, device=like.device)


def _time_major(where: str, x: Any, batch_first: bool) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{where}() expects a tensor; got {describe(x)}")
    if x.ndim < 2:
        raise ValueError(
            f"{where}() expects a padded batch of at least 2 dimensions "
            f"({'N, L' if batch_first else 'L, N'}, *); got shape {tuple(x.shape)}"
        )
    if batch_first:
        return permute_dims(x, (1, 0, *range(2, x.ndim)))
    return x


def pack_padded_sequence(
    input: Tensor, lengths: Any, batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """Pack a padded batch ``input`` (L, N, *) (``batch_first``: (N, L, *)) whose sequence
    ``i`` has ``lengths[i]`` valid steps. With ``enforce_sorted`` the lengths must be in
    decreasing order; else the sequences are sorted here and the result remembers the order.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn.utils.rnn import pack_padded_sequence
    >>> x = pt.asarray([[1.0, 2.0, 3.0], [4.0, 5.0, 0.0]])
    >>> pack_padded_sequence(x, [3, 2], batch_first=True).data.tolist()
    [1.0, 4.0, 2.0, 5.0, 3.0]
    """
    where = "pack_padded_sequence"
    x = _time_major(where, input, batch_first)
    lens = _int_list(where, "lengths", lengths)
    steps, n = cast(int, x.shape[0]), cast(int, x.shape[1])
    if len(lens) != n:
        raise ValueError(
            f"{where}(): got {len(lens)} lengths for a batch of {n} sequences; give one length "
            f"per sequence"
        )
    if any(k <= 0 for k in lens):
        raise RuntimeError(
            f"{where}(): every length must be at least 1 (got {lens}); drop empty sequences "
            f"from the batch"
        )
    if max(lens) > steps:
        raise RuntimeError(
            f"{where}(): a length of {max(lens)} is longer than the padded input's {steps} steps"
        )
    order = sorted(range(n), key=lambda i: -lens[i])  # (stable: ties keep their order)
    if enforce_sorted:
        if any(lens[i] < lens[i + 1] for i in range(n - 1)):
            raise RuntimeError(
                f"{where}(): `lengths` array must be sorted in decreasing order when "
                f"`enforce_sorted` is True (got {lens}); sort the batch by length, or pass "
                f"enforce_sorted=False"
            )
        sorted_indices = unsorted_indices = None
    else:
        inverse = [0] * n
        for pos, i in enumerate(order):
            inverse[i] = pos
        sorted_indices, unsorted_indices = _index(order, x), _index(inverse, x)
    sorted_lens = [lens[i] for i in order] if not enforce_sorted else lens
    batch_sizes = [sum(1 for k in sorted_lens if k > t) for t in range(sorted_lens[0])]
    # the valid steps, time step by time step, as indices into x's (L * N) rows
    src = order if not enforce_sorted else list(range(n))
    rows = [t * n + src[b] for t, size in enumerate(batch_sizes) for b in range(size)]
    flat = reshape(x, (steps * n, *x.shape[2:]))
    data = take(flat, _index(rows, x), axis=0)
    sizes = asarray(batch_sizes, dtype=dt.int64, device=x.device)
    return PackedSequence(data, sizes, sorted_indices, unsorted_indices)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """Undo ``pack_padded_sequence``: the padded batch (L, N, *) (``batch_first``: (N, L, *)),
    in the sequences' original order, and their lengths (int64). ``total_length`` pads to that
    many steps (at least the longest sequence).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn.utils.rnn import pack_sequence, pad_packed_sequence
    >>> p = pack_sequence([pt.ones(1), pt.ones(2)], enforce_sorted=False)
    >>> padded, lengths = pad_packed_sequence(p, padding_value=-1.0)
    >>> padded.tolist(), lengths.tolist()
    ([[1.0, 1.0], [-1.0, 1.0]], [1, 2])
    """
    where = "pad_packed_sequence"
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"{where}() expects a PackedSequence; got {describe(sequence)}")
    data = sequence.data
    sizes = [int(s) for s in sequence.batch_sizes.tolist()]
    steps, n = len(sizes), sizes[0]
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                f"{where}(): Expected total_length to be at least the length of the longest "
                f"sequence ({steps}); got total_length={total_length}"
            )
        steps = total_length
    order = sequence.sorted_indices.tolist() if sequence.sorted_indices is not None else None
    # padded position (t, original b) -> its row of data, or the padding row (the last)
    m = cast(int, data.shape[0])
    pad_row = m
    where_of = [[pad_row] * n for _ in range(steps)]
    row = 0
    for t, size in enumerate(sizes):
        for b in range(size):
            where_of[t][order[b] if order is not None else b] = row
            row += 1
    pad = full((1, *data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    source = concat([data, pad], axis=0)
    rows = [r for line in where_of for r in line]
    padded = reshape(take(source, _index(rows, data), axis=0), (steps, n, *data.shape[1:]))
    lens = sequence.lengths()
    if order is not None:
        original = [0] * n
        for pos, i in enumerate(order):
            original[i] = lens[pos]
        lens = original
    if batch_first:
        padded = permute_dims(padded, (1, 0, *range(2, padded.ndim)))
    return padded, asarray(lens, dtype=dt.int64, device=data.device)


def pad_sequence(
    sequences: Sequence[Tensor],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """The tensors ``sequences`` (each (L_i, *), the same trailing shape) padded to the
    longest and stacked: (L_max, N, *), or (N, L_max, *) with ``batch_first``;
    ``padding_side="left"`` pads before the steps.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn.utils.rnn import pad_sequence
    >>> pad_sequence([pt.asarray([1, 2]), pt.asarray([3])], batch_first=True).tolist()
    [[1, 2], [3, 0]]
    """
    where = "pad_sequence"
    if padding_side not in ("right", "left"):
        raise ValueError(f"{where}(): padding_side must be 'left' or 'right'; got {padding_side!r}")
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    seqs = list(sequences)
    if not seqs:
        raise RuntimeError(f"{where}(): received an empty list of sequences")
    for s in seqs:
        if not isinstance(s, Tensor):
            raise TypeError(f"{where}() expects a list of tensors; got an item {describe(s)}")
        if s.ndim < 1:
            raise ValueError(f"{where}() expects tensors of at least one dimension; got 0-d")
    trailing = tuple(seqs[0].shape[1:])
    for s in seqs:
        if tuple(s.shape[1:]) != trailing:
            raise RuntimeError(
                f"{where}(): the sequences' trailing shapes differ ({trailing} and "
                f"{tuple(s.shape[1:])}); every sequence must be (L_i, *) with the same *"
            )
    longest = max(cast(int, s.shape[0]) for s in seqs)
    rows = []
    for s in seqs:
        short = longest - cast(int, s.shape[0])
        if short:
            pad = full((short, *trailing), padding_value, dtype=s.dtype, device=s.device)
            s = concat([s, pad] if padding_side == "right" else [pad, s], axis=0)
        rows.append(s)
    return stack(rows, axis=0 if batch_first else 1)


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """``pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=...)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn.utils.rnn import pack_sequence
    >>> pack_sequence([pt.asarray([1, 2]), pt.asarray([3])]).data.tolist()
    [1, 3, 2]
    """
    seqs = list(sequences)
    lengths = [cast(int, s.shape[0]) if isinstance(s, Tensor) and s.ndim else 0 for s in seqs]
    return pack_padded_sequence(pad_sequence(seqs), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(
    padded_sequences: Tensor, lengths: Any, batch_first: bool = False
) -> list[Tensor]:
    """The list of sequences of a padded batch, each cut to its length.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn.utils.rnn import unpad_sequence
    >>> [s.tolist() for s in unpad_sequence(pt.asarray([[1, 2], [3, 0]]), [2, 1], True)]
    [[1, 2], [3]]
    """
    x = _time_major("unpad_sequence", padded_sequences, batch_first)
    lens = _int_list("unpad_sequence", "lengths", lengths)
    return [x[:k, b] for b, k in enumerate(lens)]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences of a ``PackedSequence``, in their original order.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn.utils.rnn import pack_sequence, unpack_sequence
    >>> p = pack_sequence([pt.asarray([1]), pt.asarray([2, 3])], enforce_sorted=False)
    >>> [s.tolist() for s in unpack_sequence(p)]
    [[1], [2, 3]]
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


def padded_steps(sequence: PackedSequence) -> Tensor:
    """``sequence``'s data padded to (L, N, *) in the packed order (longest first), zeros
    after each sequence's end: what a recurrent layer runs over.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn.utils.rnn import pack_sequence, padded_steps
    >>> padded_steps(pack_sequence([pt.ones(1), pt.ones(2)], enforce_sorted=False)).tolist()
    [[1.0, 1.0], [1.0, 0.0]]
    """
    return pad_packed_sequence(PackedSequence(sequence.data, sequence.batch_sizes))[0]


def packed_steps(padded: Tensor, sequence: PackedSequence) -> PackedSequence:
    """A recurrent layer's padded output (L, N, *) in ``sequence``'s packed order, packed as
    ``sequence`` is (its steps, its indices).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn.utils.rnn import pack_sequence, packed_steps
    >>> p = pack_sequence([pt.ones(2), pt.ones(1)])
    >>> packed_steps(pt.asarray([[1.0, 2.0], [3.0, 4.0]]), p).data.tolist()
    [1.0, 2.0, 3.0]
    """
    sizes = [int(s) for s in sequence.batch_sizes.tolist()]
    n = cast(int, padded.shape[1])
    rows = [t * n + b for t, size in enumerate(sizes) for b in range(size)]
    flat = reshape(padded, (cast(int, padded.shape[0]) * n, *padded.shape[2:]))
    data = take(flat, _index(rows, padded), axis=0)
    return PackedSequence(
        data, sequence.batch_sizes, sequence.sorted_indices, sequence.unsorted_indices
    )


def step_masks(sequence: PackedSequence, like: Tensor) -> list[Tensor]:
    """For a recurrent layer over ``sequence`` padded (in the packed order): per time step, a
    (N, 1) boolean tensor on ``like``'s device, true for the sequences that have that step.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn.utils.rnn import pack_sequence, step_masks
    >>> p = pack_sequence([pt.ones(2), pt.ones(1)])
    >>> [m.tolist() for m in step_masks(p, p.data)]
    [[[True], [True]], [[True], [False]]]
    """
    sizes = [int(s) for s in sequence.batch_sizes.tolist()]
    n = sizes[0]
    return [
        expand_dims(asarray([b < size for b in range(n)], device=like.device), axis=1)
        for size in sizes
    ]
