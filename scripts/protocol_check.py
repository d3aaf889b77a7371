#!/usr/bin/env python3
"""Protocol-level check of a running `warden serve`: raw, malformed and stalling HTTP/1.1 requests.

    scripts/protocol_check.py BASE_URL ADMIN_TOKEN [--header-timeout S] [--body-timeout S]

Each case sends bytes over a plain socket and asserts the status and that the body has the shape
{"error":{"code","message"}} (or that the server closed the connection where that is the answer).
The timeouts must be the ones the server runs with (`warden serve --header-timeout 2 --body-timeout 2`):
the stalling cases wait that long plus a margin, never more. Prints a table; exits 1 on any mismatch.
Python 3 standard library only.
"""
import argparse
import json
import select
import socket
import sys
import time
import urllib.parse

MARGIN = 4.0  # seconds past a server timeout before a stalled case counts as "not closed"
CROWD = 200  # silent connections opened at once (stays under the default --max-connections of 1024)


class Reply:
    def __init__(self, status=None, headers=None, body=b"", closed=False, note=""):
        self.status, self.headers, self.body, self.closed, self.note = status, headers or {}, body, closed, note

    def error_code(self):
        try:
            error = json.loads(self.body.decode("utf-8"))["error"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None
        if not isinstance(error, dict) or not isinstance(error.get("message"), str) or list(error) != ["code", "message"]:
            return None
        return error.get("code")


def connect(host, port, timeout):
    sock = socket.create_connection((host, port), timeout=timeout)
    sock.settimeout(timeout)
    return sock


def read_reply(sock, deadline):
    """One response (head and Content-Length body), then whether the server closes before `deadline`."""
    data = b""
    reply = Reply()
    try:
        while b"\r\n\r\n" not in data:
            sock.settimeout(max(0.05, deadline - time.monotonic()))
            chunk = sock.recv(65536)
            if not chunk:
                reply.closed = True
                reply.note = "closed without a response"
                return reply
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        reply.status = int(lines[0].split(" ")[1])
        for line in lines[1:]:
            name, _, value = line.partition(":")
            reply.headers[name.strip().lower()] = value.strip()
        length = int(reply.headers.get("content-length", "0"))
        while len(rest) < length:
            sock.settimeout(max(0.05, deadline - time.monotonic()))
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        reply.body = rest[:length]
        reply.closed = wait_closed(sock, deadline)
    except socket.timeout:
        reply.note = "timed out"
    except (ConnectionResetError, BrokenPipeError):
        reply.closed = True
        reply.note = "reset"
    return reply


def wait_closed(sock, deadline):
    """True when the server ends the connection before `deadline` (bytes it still sends are dropped)."""
    try:
        while True:
            sock.settimeout(max(0.05, deadline - time.monotonic()))
            if not sock.recv(65536):
                return True
            if time.monotonic() > deadline:
                return False
    except socket.timeout:
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True


def send_raw(target, raw, wait=5.0):
    sock = connect(target.host, target.port, wait)
    try:
        try:
            sock.sendall(raw)
        except (ConnectionResetError, BrokenPipeError):
            pass
        return read_reply(sock, time.monotonic() + wait)
    finally:
        sock.close()


def trickle(target, raw, interval, limit):
    """Sends `raw` a byte every `interval` s until the server answers or closes; then reads the reply."""
    sock = connect(target.host, target.port, limit)
    started = time.monotonic()
    try:
        for index in range(len(raw)):
            try:
                sock.sendall(raw[index:index + 1])
            except (ConnectionResetError, BrokenPipeError):
                break
            sock.settimeout(interval)
            try:
                peeked = sock.recv(1, socket.MSG_PEEK)
                break  # the server spoke (or closed: peeked == b"")
            except socket.timeout:
                pass
            if time.monotonic() - started > limit:
                break
        reply = read_reply(sock, started + limit)
        reply.note = (reply.note + " " if reply.note else "") + "after %.1f s" % (time.monotonic() - started)
        return reply
    finally:
        sock.close()


class Target:
    def __init__(self, base, token):
        url = urllib.parse.urlsplit(base)
        if url.scheme != "http" or not url.hostname:
            raise SystemExit("base URL must be http://host:port")
        self.host, self.port, self.token = url.hostname, url.port or 80, token

    def head(self, method, path, extra=""):
        return ("%s %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n%s" % (method, path, self.host, self.port, self.token, extra)).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url")
    parser.add_argument("token", help="an admin token")
    parser.add_argument("--header-timeout", type=float, default=2.0, help="the server's --header-timeout")
    parser.add_argument("--body-timeout", type=float, default=2.0, help="the server's --body-timeout")
    args = parser.parse_args()
    t = Target(args.base_url, args.token)
    guild = "1100000000000000001"
    chunked = t.head("POST", "/v1/messages", "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    json_head = "Content-Type: application/json\r\n"

    # name -> (function returning a Reply, expected status or "closed", expected error code or None, must close)
    cases = [
        ("chunk size zz", lambda: send_raw(t, chunked + b"zz\r\n{}\r\n0\r\n\r\n"), 400, "bad_request", True),
        ("chunk size -1", lambda: send_raw(t, chunked + b"-1\r\n{}\r\n0\r\n\r\n"), 400, "bad_request", True),
        ("chunk size ffffffffffffffffff", lambda: send_raw(t, chunked + b"ffffffffffffffffff\r\n{}\r\n0\r\n\r\n"), 400, "bad_request", True),
        ("no CRLF after chunk data", lambda: send_raw(t, chunked + b"2\r\n{}XX0\r\n\r\n"), 400, "bad_request", True),
        ("Content-Length and Transfer-Encoding", lambda: send_raw(t, t.head("POST", "/v1/messages",
            json_head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n") + b"0\r\n\r\n"), 400, "bad_request", True),
        ("two Content-Length", lambda: send_raw(t, t.head("POST", "/v1/messages",
            json_head + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n") + b"{}"), 400, "bad_request", True),
        ("100 KB header", lambda: send_raw(t, t.head("GET", "/health", "X-Big: " + "a" * 100_000 + "\r\n\r\n")),
            431, "headers_too_large", True),
        ("1000 headers", lambda: send_raw(t, t.head("GET", "/health", "".join("X-H%d: v\r\n" % i for i in range(1000)) + "\r\n")),
            431, "headers_too_large", True),
        ("control character in a header", lambda: send_raw(t, t.head("GET", "/health", "X-Bad: a\x01b\r\n\r\n")), 400, "bad_request", True),
        ("non-ASCII request target", lambda: send_raw(t, b"GET /v1/\xc3\xa9t\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "bad_request", True),
        ("unknown method", lambda: send_raw(t, t.head("FROB", "/health", "\r\n")), 400, "bad_request", True),
        ("GET on a POST route", lambda: send_raw(t, t.head("GET", "/v1/messages", "Connection: close\r\n\r\n")), 405, "method_not_allowed", False),
        ("OPTIONS on a GET route", lambda: send_raw(t, t.head("OPTIONS", "/v1/guilds/%s/rules" % guild, "Connection: close\r\n\r\n")),
            405, "method_not_allowed", False),
        ("unknown path", lambda: send_raw(t, t.head("GET", "/v1/nowhere", "Connection: close\r\n\r\n")), 404, "route_not_found", False),
        ("HTTP/0.9-ish garbage", lambda: send_raw(t, b"GET /\r\n\r\n"), 400, "bad_request", True),
        ("binary garbage", lambda: send_raw(t, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"), 400, "bad_request", True),
        ("declared 1 GiB Content-Length", lambda: send_raw(t, t.head("POST", "/v1/messages", json_head + "Content-Length: 1073741824\r\n\r\n")),
            413, "body_too_large", True),
        ("body without a Content-Type", lambda: send_raw(t, t.head("POST", "/v1/messages", "Content-Length: 2\r\n\r\n") + b"{}"),
            415, "unsupported_media_type", True),
        ("rule body as text/plain", lambda: send_raw(t, t.head("PUT", "/v1/guilds/%s/rules/x" % guild,
            "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n") + b"{}"), 415, "unsupported_media_type", True),
        ("id of 2^63 in the path", lambda: send_raw(t, t.head("GET", "/v1/guilds/9223372036854775808/rules", "Connection: close\r\n\r\n")),
            400, "invalid_parameter", False),
        ("slow header sender", lambda: trickle(t, t.head("GET", "/health", "X-Slow: " + "s" * 200 + "\r\n\r\n"), 0.25,
            args.header_timeout + MARGIN), 408, "request_timeout", True),
        ("slow body sender", lambda: stall_body(t, args.body_timeout + MARGIN), 408, "request_timeout", True),
        ("silent connection", lambda: silent(t, args.header_timeout + MARGIN), "closed", None, True),
        ("disconnect mid-body, then a request", lambda: disconnect_then_request(t, guild), 200, None, False),
        ("%d silent connections, then a request" % CROWD, lambda: crowd(t, guild, args.header_timeout + MARGIN), 200, None, False),
    ]

    failures = 0
    rows = []
    for name, run, status, code, must_close in cases:
        try:
            reply = run()
        except OSError as error:
            reply = Reply(note="error: %s" % error)
        if status == "closed":
            ok = reply.closed and reply.status is None
            got = "closed" if reply.closed and reply.status is None else str(reply.status)
        else:
            ok = reply.status == status and (code is None or reply.error_code() == code) and (reply.closed or not must_close)
            if status != 200 and reply.error_code() is None:
                ok = False
            got = "%s %s%s" % (reply.status, reply.error_code() or "(no error shape)", ", closed" if reply.closed else "")
        expected = status if status == "closed" else "%s %s%s" % (status, code or "", ", closed" if must_close else "")
        failures += 0 if ok else 1
        rows.append((name, expected, got + (" [%s]" % reply.note if reply.note else ""), "ok" if ok else "FAIL"))

    width = [max(len(str(row[i])) for row in rows + [("case", "expected", "got", "")]) for i in range(4)]
    print("%-*s  %-*s  %-*s  %s" % (width[0], "case", width[1], "expected", width[2], "got", "result"))
    for row in rows:
        print("%-*s  %-*s  %-*s  %s" % (width[0], row[0], width[1], row[1], width[2], row[2], row[3]))
    print("%d of %d cases passed" % (len(rows) - failures, len(rows)))
    return 1 if failures else 0


def stall_body(t, limit):
    sock = connect(t.host, t.port, limit)
    started = time.monotonic()
    try:
        sock.sendall(t.head("POST", "/v1/messages", "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n") + b'{"id"')
        reply = read_reply(sock, started + limit)
        reply.note = (reply.note + " " if reply.note else "") + "after %.1f s" % (time.monotonic() - started)
        return reply
    finally:
        sock.close()


def silent(t, limit):
    sock = connect(t.host, t.port, limit)
    started = time.monotonic()
    try:
        reply = Reply(closed=wait_closed(sock, started + limit))
        reply.note = "after %.1f s" % (time.monotonic() - started)
        return reply
    finally:
        sock.close()


def crowd(t, guild, limit):
    """CROWD connections that never send a byte: all must be closed by the server within `limit`, and a
    request made while they are open must still be answered."""
    started = time.monotonic()
    socks = []
    try:
        for _ in range(CROWD):
            socks.append(connect(t.host, t.port, limit))
        reply = send_raw(t, t.head("GET", "/v1/guilds/%s/rules" % guild, "Connection: close\r\n\r\n"))
        open_socks = list(socks)
        while open_socks and time.monotonic() - started < limit:
            readable, _, _ = select.select(open_socks, [], [], max(0.05, limit - (time.monotonic() - started)))
            for sock in readable:
                try:
                    data = sock.recv(1024)
                except OSError:
                    data = b""
                if not data:
                    open_socks.remove(sock)
        if open_socks:
            reply.status = None
            reply.note = "%d of %d still open after %.1f s" % (len(open_socks), CROWD, time.monotonic() - started)
        else:
            reply.note = "all closed after %.1f s" % (time.monotonic() - started)
        return reply
    finally:
        for sock in socks:
            sock.close()


def disconnect_then_request(t, guild):
    sock = connect(t.host, t.port, 5)
    sock.sendall(t.head("POST", "/v1/messages", "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n") + b'{"id":"14')
    time.sleep(0.2)
    sock.close()
    time.sleep(0.2)
    return send_raw(t, t.head("GET", "/v1/guilds/%s/rules" % guild, "Connection: close\r\n\r\n"))


if __name__ == "__main__":
    sys.exit(main())
