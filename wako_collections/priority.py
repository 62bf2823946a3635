"""Work an officer expects to take a moment, run below the pages everyone is waiting for.

A sign-in hashes the password (PBKDF2-SHA256, Django's 1,000,000 rounds: ~0.4 s of CPU, slow on
purpose): 50 officers signing in at the start of the day queued every page behind ~20 s of hashing
(issue 21, the load knee). Here the hash runs on a thread of its own in each server process at a
lower CPU priority (nice 10), and the request waits for it: when pages need the CPU they get most
of it, and the hashing takes the rest — a sign-in a little later under load, nobody else's page.
Nothing about the work changes (the same hash, the same rounds).

Why 10 and not the lowest, 19: Linux weighs a nice-10 thread 110 against a page's 1024, so five
hashes at once (one per process) leave a page ~65 % of the core instead of ~17 %; at 19 (weight 15)
a hash behind a few busy processes (a batch, PostgreSQL, a test run) got under 1 % of a core and a
sign-in waited minutes (measured: the load run's test hung on a loaded machine).

Not the PDFs: a 納付書 is waited for at the counter (target p95 ≤ 3 s). Rendered at nice 10, 50
officers' pages p95 went 479 → 400 ms but the PDF's p95 1.7 → 3.7 s (docs/performance-changes.md,
this session's load section), so they render at the request's own priority.

The thread is per process, made on first use and again in a forked child (a thread does not
survive fork). One at a time per process: the server's processes are the parallelism.

Linux keeps the nice value per thread (setpriority(2), NOTES), so only this thread is lowered;
raising it back would need privileges, which is why it is a thread of its own.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

BACKGROUND_NICE = 10  # Linux weighs it 110 against a page's 1024 (sched_prio_to_weight)

T = TypeVar("T")

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def _lower_this_thread() -> None:
    with contextlib.suppress(AttributeError, OSError):  # not Linux: the work runs at normal priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)


def _forget_after_fork() -> None:
    global _executor, _lock
    _executor, _lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


def run_in_background_priority(work: Callable[..., T], *args, **kwargs) -> T:
    """`work(*args, **kwargs)` on this process's low-priority thread; its result, or what it raised.

    For CPU work that touches no database connection and no request state (a connection is per
    thread: the work would not see the request's transaction)."""
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="background-priority", initializer=_lower_this_thread
            )
        executor = _executor
    return executor.submit(work, *args, **kwargs).result()
