"""Autograd under threads and asyncio tasks: backward() calls from several threads into one
shared leaf add up exactly, and one grad-mode object may be shared by threads and tasks."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import polytensor as pt

THREADS = 8
CALLS = 100


def _in_threads(work: Callable[[int], None], n: int = THREADS) -> None:
    """Run ``work(i)`` in ``n`` threads that start together; a failure in one is raised here."""
    start = threading.Barrier(n)

    def run(i: int) -> None:
        start.wait()
        work(i)

    with ThreadPoolExecutor(n) as pool:
        for f in [pool.submit(run, i) for i in range(n)]:
            f.result()


# (Dask's .grad is a lazy sum of every call's gradient: 10 calls a thread in the quick run)
@pytest.mark.parametrize(
    ("backend", "calls"),
    [
        ("numpy", CALLS),
        ("array_api_strict", CALLS),
        ("dask", 10),
    ],
)
def test_backward_from_eight_threads_into_one_leaf_gives_the_exact_sum(
    backend: str, calls: int
) -> None:
    w = pt.asarray(np.arange(1.0, 5.0), device=backend, requires_grad=True)

    def work(i: int) -> None:
        for _ in range(calls):
            (w * float(i + 1)).sum().backward()

    _in_threads(work)
    # thread i adds (i + 1) per call: calls * (1 + ... + 8) in every element
    want = calls * sum(range(1, THREADS + 1))
    np.testing.assert_array_equal(w.grad.numpy(), np.full(4, float(want)))


def test_backward_from_threads_through_a_shared_graph_part() -> None:
    # a leaf used twice per graph, and a second leaf: both totals exact
    a = pt.ones(3, requires_grad=True)
    b = pt.full((3,), 2.0, requires_grad=True)

    def work(i: int) -> None:
        for _ in range(CALLS):
            (a * a * b).sum().backward()  # d/da = 2ab = 4, d/db = a^2 = 1

    _in_threads(work)
    np.testing.assert_array_equal(a.grad.numpy(), np.full(3, 4.0 * THREADS * CALLS))
    np.testing.assert_array_equal(b.grad.numpy(), np.full(3, 1.0 * THREADS * CALLS))


@pytest.mark.parametrize(
    ("make", "inside"),
    [(pt.no_grad, False), (pt.enable_grad, True), (lambda: pt.set_grad_enabled(False), False)],
    ids=["no_grad", "enable_grad", "set_grad_enabled"],
)
def test_one_grad_mode_object_shared_by_eight_threads(
    make: Callable[[], object], inside: bool
) -> None:
    mode = make()
    pt.set_grad_enabled(True)  # (set_grad_enabled(False) above set this thread's mode)
    x = pt.ones(2, requires_grad=True)

    def work(i: int) -> None:
        outside = i % 2 == 0  # half the threads run with grad disabled around the block
        pt.set_grad_enabled(outside)
        for _ in range(200):
            with mode:  # type: ignore[attr-defined]
                assert pt.is_grad_enabled() is inside
                assert (x * 2).requires_grad is inside
                with mode:  # nested in itself
                    assert pt.is_grad_enabled() is inside
                assert pt.is_grad_enabled() is inside
            assert pt.is_grad_enabled() is outside

    _in_threads(work)
    assert pt.is_grad_enabled()


def test_one_no_grad_object_shared_by_asyncio_tasks() -> None:
    ng = pt.no_grad()
    x = pt.ones(2, requires_grad=True)

    async def task(i: int) -> bool:
        for _ in range(20):
            with ng:
                assert not pt.is_grad_enabled()
                await asyncio.sleep(0)  # the other tasks enter and leave meanwhile
                assert not (x * 2).requires_grad
            assert pt.is_grad_enabled()
            await asyncio.sleep(0)
        return True

    async def main() -> list[bool]:
        return list(await asyncio.gather(*(task(i) for i in range(6))))

    assert asyncio.run(main()) == [True] * 6
    assert pt.is_grad_enabled()


def test_exit_without_enter_says_so() -> None:
    with pytest.raises(RuntimeError, match=r"__exit__\(\) without a matching __enter__"):
        pt.no_grad().__exit__(None, None, None)
