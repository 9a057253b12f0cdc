"""Group commit: the threads of one process that want rows stored at the same moment share one statement and one
commit, and each still gets its answer only once its row is committed (README, "Performance").

Leaders and followers, no thread of its own and no timer: a thread that finds a writer's place free becomes a
leader and writes at once, so a lone row is stored as fast as alone. Threads arriving while every place is busy
wait; a leader done with its batch wakes each row's thread with its result (or the exception, so every caller
handles a database error as if it had written alone) and hands everything waiting (up to `limit`) to the first of
them, who leads the next batch. A batch is written on its leader's thread, so with that thread's connection.

A thread inside a transaction (an atomic block: a test's, a caller's) writes its row alone: its rows commit when
its transaction does, which must not decide anyone else's.
"""

import threading
from collections import Counter

from django.db import connections


class _Entry:
    __slots__ = ("item", "wake", "done", "batch", "result", "error")

    def __init__(self, item):
        # A lock held from the start: the waiting thread blocks acquiring it, the waking one releases it (lighter
        # than an Event, which wraps a Condition around a lock).
        self.item, self.wake, self.done, self.batch = item, threading.Lock(), False, None
        self.wake.acquire()
        self.result = self.error = None


class GroupCommit:
    """write(items) stores a list of items in one statement (one commit outside a transaction) and returns one
    result per item, in order; submit(item) returns the item's result once the batch holding it is stored.

    At most `writers` batches are written at once (each by its leader's thread and connection): 1 batches the
    most; more keep several statements in flight, as threads writing alone would."""

    def __init__(self, write, *, using, limit=64, writers=1):
        self.write, self.using, self.limit, self.writers = write, using, limit, writers
        self.sizes = Counter()  # rows per batch -> batches written (what the tests and a profiler look at)
        self._lock = threading.Lock()
        self._waiting = []  # entries no leader has taken yet
        self._writing = 0  # batches being written
        self._items = 0  # entries being written or waiting

    @property
    def queued(self):
        """Items being written or waiting."""
        return self._items

    def submit(self, item):
        if connections[self.using].in_atomic_block:
            return self.write([item])[0]
        entry = _Entry(item)
        with self._lock:
            self._items += 1
            if self._writing < self.writers:
                self._writing += 1
                batch = [entry, *self._waiting[: self.limit - 1]]
                del self._waiting[: self.limit - 1]
            else:
                self._waiting.append(entry)
                batch = None
        if batch is None:
            entry.wake.acquire()
            if entry.done:  # another leader wrote it
                return _outcome(entry)
            batch = entry.batch  # a leader that finished handed this thread the next batch
        self._lead(batch)
        return _outcome(entry)

    def _lead(self, batch):
        """Write the batch (this thread's own entry first), wake its other entries, and hand the next batch of
        those waiting to the first of them, or give up this writer's place when nobody waits."""
        try:
            results = self.write([entry.item for entry in batch])
            for entry, result in zip(batch, results, strict=True):
                entry.result = result
        except BaseException as error:  # every waiter gets it, and nobody is left waiting forever
            for entry in batch:
                entry.error = error
        with self._lock:
            self._items -= len(batch)
            self.sizes[len(batch)] += 1
            following = self._waiting[: self.limit]
            del self._waiting[: self.limit]
            if not following:
                self._writing -= 1
        for entry in batch[1:]:
            entry.done = True
            entry.wake.release()
        if following:
            following[0].batch = following
            following[0].wake.release()


def _outcome(entry):
    if entry.error is not None:
        raise entry.error
    return entry.result
