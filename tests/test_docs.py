"""Every public function documents itself with an example, and the examples run."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import pytest

import polytensor as pt


def _public_callables() -> list[tuple[str, object]]:
    items = []
    for module, prefix in (
        (pt, "pt"),
        (pt.linalg, "pt.linalg"),
        (pt.fft, "pt.fft"),
        (pt.autograd, "pt.autograd"),
        (pt.autograd.functional, "pt.autograd.functional"),
        (pt.backends, "pt.backends"),
    ):
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (
                callable(obj)
                and not isinstance(obj, pt.Device)
                and not inspect.ismodule(obj)
                and not isinstance(obj, type(pt.float32))
            ):
                items.append((f"{prefix}.{name}", obj))
    for name in dir(pt.Tensor):
        if name.startswith("_"):
            continue
        obj = getattr(pt.Tensor, name)
        if callable(obj):
            items.append((f"Tensor.{name}", obj))
    return items


@pytest.mark.parametrize(
    ("name", "obj"), _public_callables(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_public_callable_has_a_docstring_with_an_example(name: str, obj: object) -> None:
    doc = inspect.getdoc(obj) or ""
    assert doc.strip(), f"{name} has no docstring"
    assert ">>>" in doc, f"{name}'s docstring has no example"


def _modules() -> list[str]:
    names = ["polytensor"]
    names += [info.name for info in pkgutil.walk_packages(pt.__path__, "polytensor.")]
    return sorted(n for n in names if not n.endswith("__main__"))


@pytest.mark.parametrize("module_name", _modules())
def test_docstring_examples_run(module_name: str) -> None:
    module = importlib.import_module(module_name)
    pt.set_default_dtype(pt.float32)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, module_name, globs={}):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {module_name} failed"


def _source_functions() -> list[tuple[str, object]]:
    """The namespace's functions (pt, pt.linalg, pt.fft) and Tensor's public methods."""
    items: list[tuple[str, object]] = []
    for module, prefix in ((pt, "pt"), (pt.linalg, "pt.linalg"), (pt.fft, "pt.fft")):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                items.append((f"{prefix}.{name}", obj))
    for name in dir(pt.Tensor):
        obj = inspect.getattr_static(pt.Tensor, name)
        if inspect.isfunction(obj) and (not name.startswith("_") or name.endswith("__")):
            items.append((f"Tensor.{name}", obj))
    return items


@pytest.mark.parametrize(
    ("name", "fn"), _source_functions(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_public_function_source_is_a_real_file(name: str, fn: object) -> None:
    """Built from the op table with ordinary Python: inspect.getsource finds every public
    function's code in a file of the package (no generated source), so tracebacks, coverage
    and linters see it."""
    fn = inspect.unwrap(fn)  # type: ignore[arg-type]  # (a decorator's wrapper: its function)
    path = inspect.getsourcefile(fn)
    assert path is not None and "/polytensor/" in path.replace("\\", "/"), (name, path)
    lines, first = inspect.getsourcelines(fn)
    assert first > 0 and any("def " in line or "lambda" in line for line in lines), name


def test_the_package_executes_no_source_strings() -> None:
    """No exec() or eval() of code strings anywhere in the package."""
    import ast
    import pathlib

    root = pathlib.Path(pt.__file__).parent
    calls = [
        f"{path.relative_to(root)}:{node.lineno}"
        for path in root.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("exec", "eval", "compile")
    ]
    assert not calls, calls
