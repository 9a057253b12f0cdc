"""A real HTTP server on 127.0.0.1, in a thread: the affiliate's end of a postback, for tests.

It records every request it gets (path, query, headers) and answers with a scripted list of responses, the
last one repeating: e.g. [500, 500, 500, 200] fails three times, then succeeds.
"""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering


class Receiver:
    def __init__(self):
        self.requests = []
        self.replies = [Reply()]
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 -- the name http.server calls
                with receiver._lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers), "at": time.monotonic()})
                    index = min(len(receiver.requests), len(receiver.replies)) - 1
                    reply = receiver.replies[index]
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        # Port 0: the kernel picks a free ephemeral port, so parallel runs never collide.
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path="/postback"):
        return f"http://127.0.0.1:{self.port}{path}"

    def script(self, *replies):
        """Answer the next requests with these replies in order (ints are status codes); the last repeats."""
        with self._lock:
            self.requests.clear()
            self.replies = [r if isinstance(r, Reply) else Reply(status=r) for r in replies]

    def wait_for(self, count, timeout=10.0):
        """Wait (at most timeout seconds) until `count` requests have arrived; return the requests."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.requests)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
