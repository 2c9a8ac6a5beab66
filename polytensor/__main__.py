"""The ``polytensor`` command (also ``python -m polytensor``).

``polytensor info`` reports the version, every registered backend with its status, the devices
of the available backends, the default dtypes and the Array API version implemented.

Examples
--------
>>> from polytensor.__main__ import main
>>> main(["info"])  # doctest: +ELLIPSIS
polytensor ...
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO

__all__ = ["info", "main"]


def _library_version(name: str) -> str:
    """The installed version of the library behind backend ``name`` ("" when unknown)."""
    from importlib.metadata import PackageNotFoundError, version

    dist = {
        "numpy": "numpy",
        "dask": "dask",
        "cupy": "cupy",
        "array_api_strict": "array-api-strict",
    }.get(name)
    if dist is None:
        return ""
    try:
        return f"{dist} {version(dist)}"
    except PackageNotFoundError:
        if dist == "cupy":  # CuPy wheels are named after the CUDA version (cupy-cuda12x)
            for candidate in ("cupy-cuda12x", "cupy-cuda13x", "cupy-cuda11x"):
                try:
                    return f"{candidate} {version(candidate)}"
                except PackageNotFoundError:
                    continue
        return ""


def info(out: TextIO | None = None) -> int:
    """Print what polytensor can run on here; return 0 (the process exit status).

    Parameters
    ----------
    out : text stream, optional
        Where to write the report; standard output by default.

    Returns
    -------
    int
        0 when the default backend loads, 1 when ``POLYTENSOR_BACKEND`` names one that does not.

    Examples
    --------
    >>> import io
    >>> from polytensor.__main__ import info
    >>> buf = io.StringIO()
    >>> info(buf)
    0
    >>> "numpy" in buf.getvalue()
    True
    """
    import polytensor as pt

    out = out if out is not None else sys.stdout
    status = 0

    def say(line: str = "") -> None:
        print(line, file=out)

    say(f"polytensor {pt.__version__}")
    say(f"array API version: {pt.__array_api_version__}")

    env = os.environ.get("POLYTENSOR_BACKEND", "").strip()
    try:
        current = pt.get_backend().name
        source = f"from POLYTENSOR_BACKEND={env}" if env else "default; set POLYTENSOR_BACKEND"
        say(f"current backend: {current}  ({source})")
    except (ValueError, ImportError) as e:
        say(f"current backend: none; {e}")
        status = 1

    defaults = pt.__array_namespace_info__().default_dtypes()
    say("default dtypes: " + ", ".join(f"{kind}={d.name}" for kind, d in defaults.items()))

    say("backends:")
    statuses = pt.backends.available()
    width = max((len(n) for n in statuses), default=0)
    for name, state in sorted(statuses.items(), key=lambda kv: (kv[1] != "available", kv[0])):
        lib = _library_version(name)
        if state == "available":
            say(f"  {name:<{width}}  available" + (f"  ({lib})" if lib else ""))
        else:
            say(f"  {name:<{width}}  unavailable: {state}")

    say("devices:")
    for device in pt.__array_namespace_info__().devices():
        say(f"  {device}")
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="polytensor",
        description="polytensor: an Array API standard namespace with reverse-mode autograd "
        "over NumPy, CuPy and Dask.",
    )
    from polytensor import __version__

    parser.add_argument("--version", action="version", version=f"polytensor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser(
        "info",
        help="show version, backends and their status, devices, "
        "default dtypes and the array API version",
        description="Show the polytensor version, every registered backend with its "
        "status (available, or why not), the devices of the available "
        "backends, the default dtypes and the array API version.",
    )
    sub.add_parser(
        "demo",
        add_help=False,
        help="train a small CNN on scikit-learn's 8x8 digits "
        "(polytensor demo --help for its options)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``polytensor`` command line with ``argv`` (default: ``sys.argv[1:]``).

    With no command it prints the help and returns 0.

    Examples
    --------
    >>> from polytensor.__main__ import main
    >>> main([])  # doctest: +ELLIPSIS
    usage: polytensor ...
    0
    """
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["demo"]:  # the demo has its own options
        from polytensor.demo import main as demo

        return demo(argv[1:])
    args = parser.parse_args(argv)
    try:
        if args.command == "info":
            return info()
        parser.print_help()
    except BrokenPipeError:  # `polytensor info | head`: the reader left; not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
