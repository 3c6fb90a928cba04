"""An ASGI app on a free local port in a thread, for the test servers of remote APIs."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


@contextmanager
def serving(app: Any, what: str, name: str = "127.0.0.1") -> Iterator[str]:
    """``app`` on 127.0.0.1 and a free port; yields 'http://<name>:<port>' (``name``
    'localhost' for a browser: a secure context, where a Secure cookie works over http)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, f"{what} did not start"
    try:
        yield f"http://{name}:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
