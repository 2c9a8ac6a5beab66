"""One grad-mode object shared by threads, asyncio tasks and copied contexts, nested in itself,
left by exceptions: each exit restores its own context's mode, whatever order the contexts
leave in, and the object keeps nothing once every block has ended."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable

import pytest

import polytensor as pt


def _open_blocks(mode: object) -> int:
    return len(mode._tokens)  # type: ignore[attr-defined]


def test_threads_leave_a_shared_no_grad_in_the_order_they_entered_it() -> None:
    # A enters, then B; A leaves first (B's entry is the object's newest), then B.
    ng = pt.no_grad()
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, bool] = {}
    errors: list[BaseException] = []

    def a() -> None:
        try:
            pt.set_grad_enabled(True)
            with ng:
                a_in.set()
                b_in.wait(10)
                seen["a inside"] = pt.is_grad_enabled()
            seen["a after"] = pt.is_grad_enabled()
            a_out.set()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
            a_out.set()

    def b() -> None:
        try:
            pt.set_grad_enabled(True)
            a_in.wait(10)
            with ng:
                b_in.set()
                a_out.wait(10)
                seen["b inside after a left"] = pt.is_grad_enabled()
                seen["b open blocks"] = _open_blocks(ng) == 1
            seen["b after"] = pt.is_grad_enabled()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
            b_in.set()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert seen == {
        "a inside": False,
        "a after": True,
        "b inside after a left": False,
        "b open blocks": True,
        "b after": True,
    }
    assert _open_blocks(ng) == 0


def test_threads_with_different_modes_outside_leave_out_of_order() -> None:
    # Four threads enter one enable_grad in turn, each from its own mode, and leave in reverse
    # order of a shuffled schedule: each gets back the mode it had before.
    eg = pt.enable_grad()
    n = 4
    entered = [threading.Event() for _ in range(n)]
    leave = [threading.Event() for _ in range(n)]
    results: dict[int, tuple[bool, bool]] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            outside = i % 2 == 1
            pt.set_grad_enabled(outside)
            if i:
                entered[i - 1].wait(10)
            with eg:
                entered[i].set()
                leave[i].wait(10)
                inside = pt.is_grad_enabled()
            results[i] = (inside, pt.is_grad_enabled() is outside)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    entered[n - 1].wait(10)
    assert _open_blocks(eg) == n
    for i in (0, 2, 3, 1):  # the oldest first: every exit but the last finds newer entries
        leave[i].set()
        threads[i].join(10)
    assert not errors, errors
    assert results == dict.fromkeys(range(n), (True, True))
    assert _open_blocks(eg) == 0


def test_asyncio_tasks_leave_a_shared_no_grad_out_of_order() -> None:
    ng = pt.no_grad()
    x = pt.ones(2, requires_grad=True)

    async def task(name: str, outside: bool, wait: asyncio.Event, done: asyncio.Event) -> str:
        pt.set_grad_enabled(outside)
        with ng:
            await wait.wait()
            assert not pt.is_grad_enabled() and not (x * 2).requires_grad
        done.set()
        assert pt.is_grad_enabled() is outside
        return name

    async def main() -> list[str]:
        go_first, go_second = asyncio.Event(), asyncio.Event()
        first_done, second_done = asyncio.Event(), asyncio.Event()
        t1 = asyncio.create_task(task("first", True, go_first, first_done))
        t2 = asyncio.create_task(task("second", False, go_second, second_done))
        await asyncio.sleep(0)
        assert _open_blocks(ng) == 2
        go_first.set()  # the older entry leaves while the newer one is open
        await first_done.wait()
        assert _open_blocks(ng) == 1
        go_second.set()
        return list(await asyncio.gather(t1, t2))

    assert asyncio.run(main()) == ["first", "second"]
    assert pt.is_grad_enabled()
    assert _open_blocks(ng) == 0


def test_a_task_started_inside_a_block_enters_the_same_object_and_outlives_it() -> None:
    # The child's context is a copy of the parent's, made inside the block: the parent's entry
    # is not the child's to reset, nor the child's the parent's.
    ng = pt.no_grad()

    async def child(release: asyncio.Event) -> tuple[bool, bool, bool]:
        before = pt.is_grad_enabled()  # inherited: the parent's block
        with pt.enable_grad():
            with ng:
                await release.wait()
                inside = pt.is_grad_enabled()
            after = pt.is_grad_enabled()
        return before, inside, after

    async def main() -> tuple[bool, bool, bool]:
        release = asyncio.Event()
        with ng:
            t = asyncio.create_task(child(release))
            await asyncio.sleep(0)
            assert _open_blocks(ng) == 2
        assert pt.is_grad_enabled()  # the parent left first, with the child's entry newer
        release.set()
        return await t

    assert asyncio.run(main()) == (False, False, True)
    assert _open_blocks(ng) == 0


def test_a_copied_context_enters_the_object_inside_its_own_block() -> None:
    ng = pt.no_grad()

    def inner() -> tuple[bool, bool]:
        pt.set_grad_enabled(True)
        with ng:
            inside = pt.is_grad_enabled()
        return inside, pt.is_grad_enabled()

    with ng:
        ctx = contextvars.copy_context()
        assert ctx.run(inner) == (False, True)
        assert not pt.is_grad_enabled()  # the copy's mode change stayed in the copy
    assert pt.is_grad_enabled()
    assert _open_blocks(ng) == 0


@pytest.mark.parametrize(
    ("make", "inside"),
    [(pt.no_grad, False), (pt.enable_grad, True), (lambda: pt.set_grad_enabled(False), False)],
    ids=["no_grad", "enable_grad", "set_grad_enabled"],
)
def test_one_object_nested_in_itself_and_left_by_exceptions(
    make: Callable[[], object], inside: bool
) -> None:
    mode = make()
    pt.set_grad_enabled(True)  # (set_grad_enabled(False) above set the mode)
    for outside in (True, False):
        pt.set_grad_enabled(outside)
        with pytest.raises(KeyError, match="outer"):
            _nested_blocks_that_raise(mode, inside)
        assert pt.is_grad_enabled() is outside
        assert _open_blocks(mode) == 0
    pt.set_grad_enabled(True)


def _nested_blocks_that_raise(mode: object, inside: bool) -> None:
    with mode:  # type: ignore[attr-defined]
        with pytest.raises(ValueError, match="inner"):
            _twice_nested_block_that_raises(mode, inside)
        assert pt.is_grad_enabled() is inside
        assert _open_blocks(mode) == 1
        raise KeyError("outer")


def _twice_nested_block_that_raises(mode: object, inside: bool) -> None:
    with mode, mode:  # type: ignore[attr-defined]
        assert pt.is_grad_enabled() is inside
        assert _open_blocks(mode) == 3
        raise ValueError("inner")


def test_a_mode_set_inside_the_block_is_undone_at_its_exit() -> None:
    with pt.no_grad():
        pt.set_grad_enabled(True)
        assert pt.is_grad_enabled()
    assert pt.is_grad_enabled()
    pt.set_grad_enabled(False)
    try:
        with pt.enable_grad():
            pt.set_grad_enabled(False)
        assert not pt.is_grad_enabled()
    finally:
        pt.set_grad_enabled(True)


def test_the_decorator_and_the_block_of_one_object_mix() -> None:
    ng = pt.no_grad()

    @ng
    def f() -> bool:
        return pt.is_grad_enabled()

    with ng:
        assert f() is False
        with pt.enable_grad():
            assert f() is False
            assert pt.is_grad_enabled()
    assert f() is False and pt.is_grad_enabled()
    assert _open_blocks(ng) == 0


def test_exit_in_a_thread_that_did_not_enter_leaves_the_other_entries_alone() -> None:
    ng = pt.no_grad()
    got: list[BaseException] = []
    with ng:
        t = threading.Thread(target=lambda: _exit_expecting_error(ng, got))
        t.start()
        t.join(10)
        assert not pt.is_grad_enabled()
        assert _open_blocks(ng) == 1
    assert pt.is_grad_enabled()
    assert len(got) == 1 and "without a matching __enter__" in str(got[0])


def _exit_expecting_error(mode: pt.no_grad, got: list[BaseException]) -> None:
    try:
        mode.__exit__(None, None, None)
    except RuntimeError as e:
        got.append(e)


def test_a_second_exit_of_one_entry_says_so() -> None:
    ng = pt.no_grad()
    ng.__enter__()
    ng.__exit__(None, None, None)
    with pytest.raises(RuntimeError, match=r"no_grad.__exit__\(\) without a matching"):
        ng.__exit__(None, None, None)
    assert pt.is_grad_enabled()
