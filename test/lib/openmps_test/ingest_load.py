"""Load for the ingest benchmarks: sealed batches submitted over XML-RPC
by concurrent clients, timed.

Each client is its own process: as threads of the test's interpreter the
clients would share one GIL with each other and with the sinks the test
runs (SMTP, webhooks), and the benchmark would measure Python instead of
the server."""

import multiprocessing
import time


def submit_all(server, envelopes: list[bytes]) -> None:
    """One client: every envelope in order, each stored."""
    proxy = server.proxy()
    for env in envelopes:
        ack = proxy.mps.submit(env)
        assert ack["status"] == "stored", ack


def _client(server, envelopes, start, errors) -> None:
    start.wait()
    try:
        submit_all(server, envelopes)
    except Exception as e:  # noqa: BLE001 - reported by the parent
        errors.put(repr(e))


def submit_concurrently(server, work: list[list[bytes]]) -> float:
    """One process per list of envelopes (sealed before the clock starts);
    the seconds until the last is stored. The first error fails the run."""
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    errors = ctx.Queue()
    clients = [ctx.Process(target=_client, args=(server, w, start, errors)) for w in work]
    for c in clients:
        c.start()
    began = time.perf_counter()
    start.set()
    for c in clients:
        c.join()
    elapsed = time.perf_counter() - began
    assert errors.empty(), errors.get()
    assert all(c.exitcode == 0 for c in clients), [c.exitcode for c in clients]
    return elapsed
