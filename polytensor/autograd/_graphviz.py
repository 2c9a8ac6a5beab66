"""The autograd graph as Graphviz DOT text (``to_dot``), and drawn to a file (``render_graph``)
through the ``graphviz`` package.

The graph is read from the tape alone (``grad_fn.next_functions``): shapes and dtypes, never
values, so a Dask graph stays lazy and a GPU tensor stays on its device.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import _tape
from .._tensor_base import TensorBase

__all__ = ["DotSource", "render_graph", "to_dot"]


class DotSource(str):
    """Graphviz DOT text (a ``str``) that can draw itself: ``.render(path, format="svg")``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2, requires_grad=True)
    >>> dot = pt.autograd.to_dot((x * x).sum())
    >>> dot.startswith("digraph")
    True
    """

    __slots__ = ()

    def render(self, path: str | Path, format: str = "svg") -> Path:
        """Draw this graph into ``path`` (``format``: ``svg``, ``png``, ``pdf``...) with the
        ``graphviz`` package and the ``dot`` program; return the file's path.

        Examples
        --------
        >>> import polytensor as pt
        >>> x = pt.ones(2, requires_grad=True)
        >>> dot = pt.autograd.to_dot(x * 2)
        >>> dot.render("graph.svg")  # doctest: +SKIP
        PosixPath('graph.svg')
        """
        graphviz = _graphviz("render")
        path = Path(path)
        out = graphviz.Source(str(self)).render(
            outfile=str(path), format=format, cleanup=True, quiet=True
        )
        return Path(out)


def _graphviz(where: str) -> Any:
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            f"{where}() draws the graph with the 'graphviz' package, which is not installed; "
            f"install it with pip install 'polytensor[graphviz]' (and the Graphviz 'dot' "
            f"program), or use the DOT text of pt.autograd.to_dot(t) with another tool"
        ) from None
    return graphviz


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _describe(t: Any) -> str:
    shape = ", ".join("?" if n is None else str(n) for n in t.shape)
    if len(t.shape) == 1:
        shape += ","
    return f"({shape}) {t.dtype.name} {t._backend.name}"


def to_dot(tensor: Any, params: Mapping[str, Any] | None = None) -> DotSource:
    """The autograd graph that computed ``tensor``, as Graphviz DOT text.

    Each recorded operation is a node named as its ``grad_fn`` (``MulBackward0``); each
    leaf that requires grad is a blue box with its shape, dtype and backend (and its name, when
    ``params`` maps a name to it); the output is a green box; edges run from inputs to the
    operations that used them. Nothing is computed: on Dask the graph stays lazy.

    Parameters
    ----------
    tensor : Tensor
        The output whose graph to draw.
    params : mapping of str to Tensor, optional
        Names for leaves (``dict(model.named_parameters())``, say).

    Returns
    -------
    DotSource
        The DOT text (a ``str``), with ``.render(path, format="svg")``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2, requires_grad=True)
    >>> print(pt.autograd.to_dot((x * 2).sum(), params={"x": x}))  # doctest: +ELLIPSIS
    digraph autograd {
      node [shape=box, style=filled, fillcolor=lightgray, fontname=monospace, fontsize=10];
      ...
    }
    <BLANKLINE>
    """
    if not isinstance(tensor, TensorBase):
        raise TypeError(
            f"to_dot() expects a polytensor Tensor; got {type(tensor).__name__}; pass the "
            f"output of a computation on tensors that require grad"
        )
    names = {id(t._meta): n for n, t in (params or {}).items() if isinstance(t, TensorBase)}
    lines = [
        "digraph autograd {",
        "  node [shape=box, style=filled, fillcolor=lightgray, fontname=monospace, fontsize=10];",
    ]
    ids: dict[int, str] = {}  # id of a graph node (or leaf state) -> DOT node name

    def name_of(key: int) -> tuple[str, bool]:
        seen = key in ids
        if not seen:
            ids[key] = f"n{len(ids)}"
        return ids[key], seen

    out_name, _ = name_of(id(tensor))
    lines.append(
        f"  {out_name} [label={_quote('output ' + _describe(tensor))}, fillcolor=darkolivegreen1];"
    )
    meta = tensor._meta
    if meta is None or (meta.node is None and not meta.requires_grad):
        lines.append("}")
        return DotSource("\n".join(lines) + "\n")
    stack: list[Any]
    if meta.node is None:  # a leaf itself
        root = _tape.AccumulateGrad(meta)
        stack = [root]
        lines.append(f"  {name_of(id(meta))[0]} -> {out_name};")
    else:
        node = _tape.node_of(meta)
        stack = [node]
        lines.append(f"  {name_of(id(node))[0]} -> {out_name};")
    declared: set[str] = set()
    while stack:
        fn = stack.pop()
        key = id(fn.meta) if isinstance(fn, _tape.AccumulateGrad) else id(fn)
        me, _ = name_of(key)
        if me in declared:
            continue
        declared.add(me)
        if isinstance(fn, _tape.AccumulateGrad):
            v = fn.variable
            label = names.get(id(fn.meta), "")
            label = (label + "\n" if label else "") + (_describe(v) if v is not None else "leaf")
            lines.append(f"  {me} [label={_quote(label)}, fillcolor=lightblue];")
            continue
        try:
            nexts = fn.next_functions
        except RuntimeError:  # freed by an earlier backward(): drawn without its inputs
            lines.append(f"  {me} [label={_quote(fn.name() + chr(10) + '(freed)')}];")
            continue
        lines.append(f"  {me} [label={_quote(fn.name())}];")
        for nxt, _index in nexts:
            if nxt is None:
                continue
            nkey = id(nxt.meta) if isinstance(nxt, _tape.AccumulateGrad) else id(nxt)
            child, _ = name_of(nkey)
            lines.append(f"  {child} -> {me};")
            stack.append(nxt)
    lines.append("}")
    return DotSource("\n".join(lines) + "\n")


def render_graph(
    tensor: Any, path: str | Path, format: str = "svg", params: Mapping[str, Any] | None = None
) -> Path:
    """Draw the autograd graph of ``tensor`` into ``path`` (``svg``, ``png``, ``pdf``...)
    through the ``graphviz`` package (``pip install 'polytensor[graphviz]'``); return the
    file's path. See ``to_dot`` for what the drawing shows.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2, requires_grad=True)
    >>> pt.autograd.render_graph((x * x).sum(), "graph.svg")  # doctest: +SKIP
    PosixPath('graph.svg')
    """
    _graphviz("render_graph")
    return to_dot(tensor, params=params).render(path, format=format)
