"""The lab's orders API under gunicorn: a WSGI app whose SQLAlchemy pool (3 connections, no
overflow, 2 s timeout) leaks on /api/checkout (a transaction left open), so /api/orders waits for a
connection and fails with SQLAlchemy's own QueuePool timeout while Postgres has slots to spare."""
import json
import logging
import os
import time

from sqlalchemy import create_engine, text

log = logging.getLogger("gunicorn.error")  # gunicorn's error log (--error-logfile) is the app log
engine = create_engine(os.environ["DATABASE_URL"].replace("postgres://", "postgresql+psycopg2://", 1),
                       pool_size=3, max_overflow=0, pool_timeout=2, connect_args={"application_name": "orders"})
leaked = []


def respond(start_response, status, body):
    data = json.dumps(body).encode()
    start_response(status, [("content-type", "application/json"), ("content-length", str(len(data)))])
    return [data]


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path in ("/", "/health", "/api/products") or path.startswith("/api/products/"):
        if path.endswith("/9999"):
            return respond(start_response, "404 Not Found", {"error": "not found"})
        return respond(start_response, "200 OK", {"ok": True})
    if path == "/api/checkout":
        conn = engine.connect()
        conn.begin()
        conn.execute(text("SELECT 1"))
        leaked.append(conn)  # the bug: never committed, never returned to the pool
        return respond(start_response, "200 OK", {"order": len(leaked)})
    if path.startswith("/api/orders"):
        started = time.monotonic()
        try:
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT count(*) FROM pg_class")).scalar()
            return respond(start_response, "200 OK", {"orders": rows})
        except Exception:
            log.exception("GET %s failed after %.1fs", path, time.monotonic() - started)
            return respond(start_response, "500 Internal Server Error", {"error": "internal server error"})
    return respond(start_response, "404 Not Found", {"error": "not found"})
