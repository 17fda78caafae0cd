"""The lab's Python shop app: http.server plumbing plus ./routes.py (one per scenario)."""
import json
import logging
import os
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import routes

LOG = os.environ.get("APP_LOG", "-")
logging.Formatter.converter = time.gmtime


class ReopeningHandler(logging.Handler):
    """Opens the file for every record, as PHP's error_log and many cron-style apps do: the log
    is never held open, so only its place (not /proc/PID/fd) tells where it is."""

    def emit(self, record):
        with open(LOG, "a") as f:
            f.write(self.format(record) + "\n")


if LOG == "-":
    handler = logging.StreamHandler(sys.stdout)
else:
    os.makedirs(os.path.dirname(LOG), exist_ok=True)
    handler = ReopeningHandler() if os.environ.get("APP_LOG_REOPEN") == "1" else logging.FileHandler(LOG)
handler.setFormatter(logging.Formatter("%(asctime)s.%(msecs)03dZ %(levelname)s [shop] %(message)s", "%Y-%m-%dT%H:%M:%S"))
log = logging.getLogger("shop")
log.addHandler(handler)
log.setLevel(logging.INFO)

ROUTES = routes.build()


def match(method, path):
    if (method, path) in ROUTES:
        return ROUTES[(method, path)], {}
    m = re.fullmatch(r"/api/products/(\d+)", path)
    if m and (method, "/api/products/:id") in ROUTES:
        return ROUTES[(method, "/api/products/:id")], {"id": m.group(1)}
    return None, {}


class Handler(BaseHTTPRequestHandler):
    def handle_any(self, method):
        started = time.monotonic()
        path = self.path.split("?", 1)[0]
        route, params = match(method, path)
        status, body = 404, {"error": "not found"}
        try:
            if route:
                status, body = route(params)
        except Exception:
            status, body = 500, {"error": "internal server error"}
            log.exception("%s %s failed", method, path)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        level = logging.WARNING if status >= 500 else logging.INFO
        log.log(level, "%s %s %d %dms", method, path, status, (time.monotonic() - started) * 1000)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def log_message(self, *args):
        pass  # the app log above is the log; stderr noise is not


server = ThreadingHTTPServer((os.environ["APP_ADDR"], int(os.environ["APP_PORT"])), Handler)
log.info("release %s listening on %s:%s (pid %d)", os.path.basename(os.path.dirname(os.path.abspath(__file__))),
         os.environ["APP_ADDR"], os.environ["APP_PORT"], os.getpid())
server.serve_forever()
