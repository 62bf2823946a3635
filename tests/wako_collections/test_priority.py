"""Work that may wait runs on a low-priority thread (wako_collections/priority.py): the password
hash of a sign-in, so that pages are served first on a loaded server (issue 21, the knee)."""

import os
import threading

import pytest
from django.contrib.auth import hashers

from accounts.passwords import BackgroundPBKDF2PasswordHasher
from wako_collections import priority


def where_and_how_nice():
    tid = threading.get_native_id()
    return threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, tid)


def test_the_work_runs_on_a_thread_at_the_lowest_priority_and_this_thread_keeps_its_own():
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    name, nice = priority.run_in_background_priority(where_and_how_nice)
    assert name.startswith("background-priority")
    assert nice == priority.BACKGROUND_NICE == 10
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


def test_its_result_and_what_it_raised_reach_the_caller():
    assert priority.run_in_background_priority(sum, [1, 2, 3]) == 6
    with pytest.raises(ZeroDivisionError):
        priority.run_in_background_priority(lambda: 1 // 0)


def test_a_forked_child_gets_a_thread_of_its_own():
    priority.run_in_background_priority(int)  # the parent's thread exists, and does not survive fork
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's exit code is the assertion
        try:
            name, nice = priority.run_in_background_priority(where_and_how_nice)
            os._exit(0 if name.startswith("background-priority") and nice == 10 else 1)
        except BaseException:
            os._exit(2)
    _pid, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_the_password_hash_is_djangos_own_computed_on_the_low_priority_thread(monkeypatch):
    threads = []
    real = hashers.pbkdf2

    def recording(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashers, "pbkdf2", recording)
    ours, djangos = BackgroundPBKDF2PasswordHasher(), hashers.PBKDF2PasswordHasher()
    expected = djangos.encode("とても長い合言葉-2026", "salt1234567890ab", 1000)
    stored = djangos.encode("前からの合言葉", djangos.salt(), 2000)  # a password stored before
    assert threads == ["MainThread", "MainThread"]
    threads.clear()
    assert ours.encode("とても長い合言葉-2026", "salt1234567890ab", 1000) == expected
    assert ours.algorithm == djangos.algorithm == "pbkdf2_sha256"
    assert ours.verify("前からの合言葉", stored) and not ours.verify("ちがう合言葉", stored)
    assert len(threads) == 3 and all(name.startswith("background-priority") for name in threads)


def test_production_hashes_with_it_and_no_second_pbkdf2_sha256_hasher_overrides_it():
    from django.conf import global_settings

    from wako_collections.settings import PRODUCTION_PASSWORD_HASHERS as production

    assert production[0] == "accounts.passwords.BackgroundPBKDF2PasswordHasher"
    # every other hasher Django accepts by default is still accepted (old hashes upgrade on sign-in)
    assert set(global_settings.PASSWORD_HASHERS) - set(production) == {
        "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    }
