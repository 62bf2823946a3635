"""Rendering a batch's chunks on every core: WeasyPrint's layout is pure Python, so one process
uses one core. Chunks go to a pool of spawned processes (not forked: a fork would share the
parent's database connections); each sets Django up once and renders many documents per run."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context


def _setup() -> None:
    import django

    django.setup()


def render_chunk(contents: Sequence[dict]) -> bytes:
    from documents import services

    return services.render_combined(contents)


def render_chunks(
    chunks: Sequence[Sequence[dict]], *, processes: int, should_stop: Callable[[], bool]
) -> Iterator[bytes]:
    """The chunks' PDFs, in order. Stops handing out work as soon as `should_stop()` is true."""
    from documents import services

    if processes <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            if should_stop():
                return
            yield services.render_combined(chunk)
        return
    with ProcessPoolExecutor(
        max_workers=processes, mp_context=get_context("spawn"), initializer=_setup
    ) as pool:
        # Two chunks queued per process: a process that finishes never waits for the next to be handed out.
        pending = [pool.submit(render_chunk, chunk) for chunk in chunks[: processes * 2]]
        next_index = len(pending)
        while pending:
            if should_stop():
                for future in pending:
                    future.cancel()
                return
            yield pending.pop(0).result()
            if next_index < len(chunks):
                pending.append(pool.submit(render_chunk, chunks[next_index]))
                next_index += 1
