"""A loopback HTTP server that answers what a test scripts: malformed 2xx bodies, or an answer
trickled one byte at a time, as a misbehaving server or proxy in front of the API would."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def rogue_server(body: bytes, *, status: int = 200, byte_every: float = 0.0) -> Iterator[str]:
    """Serve ``body`` (JSON) to every request; with ``byte_every``, one byte per that many seconds.

    Yields the base URL. Each connection is served on its own thread and closed after one answer.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()
    answer = (
        f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode() + body

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)
                if not byte_every:
                    conn.sendall(answer)
                    return
                for index in range(len(answer)):
                    if stop.is_set():
                        return
                    conn.sendall(answer[index : index + 1])
                    time.sleep(byte_every)
            except OSError:
                return  # the client gave up, as it should

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()
