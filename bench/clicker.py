"""A small click client for the benchmark's worker-kill phase (bench/run.py): it knows which 302s it received.

wrk counts answers but cannot say which transaction IDs came back. Here each thread keeps one keep-alive
connection (http.client), sends clicks like bench/load.lua's, and records the transaction ID of every 302 it
received (the `tid` of the Location header: the bench offers' landing URLs carry it). A connection that fails
(its worker was killed) is counted and opened again; the click in flight then got no answer, so it is not
counted as received.
"""

import http.client
import threading
import time
from collections import Counter
from urllib.parse import parse_qs, urlsplit


def _transaction_id(location):
    return parse_qs(urlsplit(location).query).get("tid", [""])[0]


def burst(port, offers, affiliates, *, seconds, threads=8, during=None):
    """Click for `seconds` from `threads` threads; `during()` is called once, halfway (e.g. to kill a worker).
    Returns (transaction IDs received with a 302, Counter of statuses, failed requests)."""
    stop = time.monotonic() + seconds
    received, statuses, failures = [], Counter(), Counter()
    lock = threading.Lock()

    def client(slot):
        mine, seen, failed, counter = [], Counter(), 0, 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < stop:
            counter += 1
            offer = offers[counter % len(offers)]
            affiliate = affiliates[(counter // len(offers)) % len(affiliates)]
            path = f"/click?offer_id={offer}&aff_id={affiliate}&aff_sub=k{slot}n{counter}&source=kill"
            headers = {"X-Forwarded-For": f"10.{100 + slot}.{counter // 250 % 250}.{counter % 250 + 1}"}
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                time.sleep(0.01)
                continue
            seen[response.status] += 1
            if response.status == 302:
                mine.append(_transaction_id(response.getheader("Location", "")))
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        connection.close()
        with lock:
            received.extend(mine)
            statuses.update(seen)
            failures["failed"] += failed

    workers = [threading.Thread(target=client, args=(slot,)) for slot in range(threads)]
    for worker in workers:
        worker.start()
    if during is not None:
        time.sleep(seconds / 2)
        during()
    for worker in workers:
        worker.join()
    return received, statuses, failures["failed"]
