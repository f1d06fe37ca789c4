"""Doing things at the same moment from many threads: the one helper of the race tests."""

import threading

from samlinger import create_app


def all_at_once(work, items, *, timeout: float = 300) -> list:
    """Run ``work(item, ready)`` for each of *items*, each in a thread of its own; return the results in the
    order of *items*.

    ``ready()`` waits until every thread has called it, so what follows starts in all of them at once: do what
    need not race (an app context, a browser session, fetching a form) before it. Every thread must call it
    once. Fails, once all threads have ended, with every error a thread raised (an error stops the others
    waiting at ``ready()`` too), and when a thread has not ended within *timeout* seconds.
    """
    items = list(items)
    barrier = threading.Barrier(len(items), timeout=timeout)
    results: list = [None] * len(items)
    errors: list[BaseException] = []

    def run(position, item):
        try:
            results[position] = work(item, barrier.wait)
        except BaseException as error:  # noqa: BLE001 - reported below, with the others
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(position, item)) for position, item in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    running = sum(thread.is_alive() for thread in threads)
    assert not running, f"{running} of {len(threads)} threads still running after {timeout} s"
    if errors:
        raise AssertionError(f"{len(errors)} of {len(items)} threads failed: {errors!r}") from errors[0]
    return results


def apps_for(config: dict, count: int) -> list:
    """*count* apps with *config*, one for each thread of a race, made one after another before it starts:
    create_app() is not thread-safe in CPython 3.11 (werkzeug compiles its routing rules with `ast`, which
    fails now and then when threads do it at once)."""
    return [create_app(config) for _ in range(count)]
