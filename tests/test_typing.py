"""A user's typed code checks under ``mypy --strict``: Tensor's attributes, operators and
methods, and the namespace's functions, are visible to a type checker (STYLE.md, "Typing and
tooling"), and what they return is a Tensor, not ``Any``.
"""

from __future__ import annotations

import runpy
import textwrap
from pathlib import Path

import pytest

import polytensor as pt

mypy_api = pytest.importorskip("mypy.api")

# A user's file: each line is something a user writes every day.
USER_CODE = textwrap.dedent('''\
    """A user's training step, written against polytensor's public API."""

    from __future__ import annotations

    import polytensor as pt

    x: pt.Tensor = pt.asarray([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w: pt.Tensor = pt.ones((2, 2))

    scaled: pt.Tensor = x * 2.0
    rscaled: pt.Tensor = 2.0 * x
    product: pt.Tensor = x @ w
    negated: pt.Tensor = -x
    first_row: pt.Tensor = x[0]
    exponential: pt.Tensor = pt.exp(x)
    total: pt.Tensor = x.sum()
    total.backward()
    x.sum().backward()
    grad: pt.Tensor | None = x.grad
    with pt.no_grad():
        update: pt.Tensor = x * 0.5


    def step(x: pt.Tensor, w: pt.Tensor) -> float:
        loss = pt.exp(-(x @ w)).sum()
        loss.backward()
        return float(loss)


    value: float = step(x, w)
    ''')

# Each expression's result, asked for an attribute no Tensor has: mypy reports it on a Tensor
# on every line, unless it types the result otherwise (Any lets a misspelt method in a user's
# code go unseen; float is a wrong answer).
RESULTS = {
    "x * 2.0": "x * 2.0",
    "2.0 * x": "2.0 * x",
    "x @ w": "x @ w",
    "-x": "-x",
    "x[0]": "x[0]",
    "pt.exp(x)": "pt.exp(x)",
    "x.sum()": "x.sum()",
    "x.grad": "x.grad",
    "pt.asarray(...)": "pt.asarray([1.0])",
    "pt.ones(...)": "pt.ones((2, 2))",
}
PROBE_CODE = "import polytensor as pt\n\nx = pt.asarray([[1.0]])\nw = pt.ones((1, 1))\n" + "".join(
    f"({expr}).no_such_attribute  # {name}\n" for name, expr in RESULTS.items()
)


def _mypy(path: Path) -> tuple[int, list[str]]:
    """mypy --strict on ``path`` alone: polytensor is read, its own errors are not reported."""
    out, err, status = mypy_api.run(
        [
            "--config-file=",
            "--strict",
            "--follow-imports=silent",
            "--show-error-codes",
            "--no-error-summary",
            f"--cache-dir={path.parent / '.mypy_cache'}",
            str(path),
        ]
    )
    return status, [line for line in (out + err).splitlines() if line.strip()]


@pytest.fixture
def mypy_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A folder for the user's file; mypy finds polytensor wherever it is installed."""
    package_parent = Path(pt.__file__).resolve().parents[1]
    if package_parent.name in ("site-packages", "dist-packages"):
        monkeypatch.delenv("MYPYPATH", raising=False)
    else:  # an editable install is found through an import hook, which mypy does not run
        monkeypatch.setenv("MYPYPATH", str(package_parent))
    return tmp_path


def test_a_users_typed_file_passes_mypy_strict(mypy_env: Path) -> None:
    path = mypy_env / "user_code.py"
    path.write_text(USER_CODE)
    runpy.run_path(str(path))  # the user's code runs, so it is worth checking
    status, lines = _mypy(path)
    assert status == 0 and not lines, "mypy --strict on a user's file:\n" + "\n".join(lines)


def test_tensor_results_are_tensors_to_mypy(mypy_env: Path) -> None:
    path = mypy_env / "probe.py"
    path.write_text(PROBE_CODE)
    _, lines = _mypy(path)
    reported = {
        int(line.split(":")[1])
        for line in lines
        if line.startswith(str(path) + ":") and '"Tensor"' in line and '"no_such_attribute"' in line
    }
    code_lines = PROBE_CODE.splitlines()
    unseen = [
        code_lines[i - 1].split("# ")[-1]
        for i in range(5, len(code_lines) + 1)
        if i not in reported
    ]
    assert not unseen, (
        "mypy does not type these results as Tensor (a misspelt attribute on "
        "them is not reported on a Tensor): " + ", ".join(unseen) + "\n" + "\n".join(lines)
    )
