"""Load for the ingest benchmarks: sealed batches submitted over XML-RPC
by concurrent clients, timed."""

import threading
import time


def submit_all(server, envelopes: list[bytes]) -> None:
    """One client: every envelope in order, each stored."""
    proxy = server.proxy()
    for env in envelopes:
        ack = proxy.mps.submit(env)
        assert ack["status"] == "stored", ack


def submit_concurrently(server, work: list[list[bytes]]) -> float:
    """One thread per list of envelopes (sealed before the clock starts);
    the seconds until the last is stored. The first error fails the run."""
    errors = []

    def client(envelopes):
        try:
            submit_all(server, envelopes)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=client, args=(w,)) for w in work]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    assert not errors, errors[0]
    return elapsed
