"""A tiny deterministic OpenAI-compatible model for the console's browser tests: every answer it gives puts a
hostile payload (hostile.py) where Warden shows model text to people, so the console's pages can be checked
to render it as text.

    python fake_llm.py --port N

  POST /v1/chat/completions   a chat.completion whose message content is JSON for the task's schema, told apart
                              by the request's response_format.json_schema.name (or, failing that, the words of
                              the schema's properties in the request):
        automod         harassment 0.95 (so an `ai` rule times the member out), the rationale a payload
        ticket_summary  one fixed summary and similarity key for every ticket (so three tickets form a cluster)
        faq_proposal    title, answer (Markdown with a javascript: link) and keywords carrying payloads
        appeal_triage   summary and evidence carrying payloads, suggestion uphold
        verification    a manual review with a payload as the reason
  GET  /v1/models             one model, for `warden llm ping`
  GET  /                      200 "ok", for a test waiting until the port answers

Which payload: the index given by a `payload=N` marker in the request's text, else --payload (default 0).
Runs until killed; logs one line per request to stderr.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hostile import ACTIVE, PAYLOADS

CATEGORIES = ["harassment", "hate", "sexual", "sexual/minors", "self-harm", "violence", "illicit", "scam/phishing",
              "doxxing/pii", "spam"]
SUMMARY = "The member paid for premium with Ko-fi and it did not unlock; staff linked the Ko-fi email to fix it."


def payload_for(request_text: str, default: int) -> str:
    marker = re.search(r"payload=(\d+)", request_text)
    index = int(marker.group(1)) if marker else default
    return PAYLOADS[index % len(PAYLOADS)]


def task_of(body: dict[str, Any], text: str) -> str:
    form = body.get("response_format")
    if isinstance(form, dict):
        schema = form.get("json_schema")
        if isinstance(schema, dict) and isinstance(schema.get("name"), str):
            name = str(schema["name"])
            for task in ("automod", "ticket_summary", "faq_proposal", "appeal_triage", "verification"):
                if task in name:
                    return task
    for task, word in (("automod", "primary_category"), ("ticket_summary", "similarity_key"),
                       ("appeal_triage", "instruction_attempt"), ("verification", "needs_manual_review"),
                       ("faq_proposal", "keywords")):
        if word in text:
            return task
    return "unknown"


def answer(task: str, payload: str) -> dict[str, Any] | None:
    if task == "automod":
        scores = {c: 0.0 for c in CATEGORIES}
        scores["harassment"] = 0.95
        return {"scores": scores, "primary_category": "harassment", "manipulation_attempt": False,
                "rationale": "Insults the member. " + payload}
    if task == "ticket_summary":
        return {"summary": SUMMARY, "similarity_key": "premium-kofi-unlock", "category": "billing"}
    if task == "faq_proposal":
        return {"title": "Premium " + ACTIVE[0][:120], "answer": f"Link your email. [click me](javascript:window.__pwned=1) {payload[:1800]}",
                "keywords": ["premium", ACTIVE[1][:60]]}
    if task == "appeal_triage":
        return {"summary": "Triage: " + payload[:580], "evidence": [ACTIVE[2][:300]], "suggestion": "uphold",
                "confidence": 0.5, "instruction_attempt": False}
    if task == "verification":
        return {"can_verify": False, "needs_manual_review": True, "reason": payload[:1000], "payment_date": None,
                "amount": None, "currency": None, "merchant": None}
    return None


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeLLM/1"
    default_payload = 0
    sequence = 0

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write("fake-llm: " + (format % args) + "\n")

    def send_json(self, status: int, value: object) -> None:
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path.rstrip("/") in ("", "/"):
            body = b"ok\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path.rstrip("/").endswith("/models"):
            self.send_json(200, {"object": "list", "data": [{"id": "fake", "object": "model", "owned_by": "test"}]})
        else:
            self.send_json(404, {"error": {"message": "not found", "type": "invalid_request_error", "code": None}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(min(length, 8 * 1024 * 1024)).decode("utf-8", "replace")
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self.send_json(404, {"error": {"message": "not found", "type": "invalid_request_error", "code": None}})
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self.send_json(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error", "code": None}})
            return
        task = task_of(body, raw)
        content = answer(task, payload_for(raw, self.default_payload))
        if content is None:
            self.send_json(400, {"error": {"message": f"unknown task in {raw[:200]}", "type": "invalid_request_error", "code": None}})
            return
        Handler.sequence += 1
        self.send_json(200, {
            "id": f"chatcmpl-fake-{Handler.sequence}", "object": "chat.completion", "created": 1_700_000_000,
            "model": str(body.get("model", "fake")),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": json.dumps(content), "refusal": None},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
        })


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake OpenAI-compatible model answering hostile text.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--payload", type=int, default=0, help="The hostile.PAYLOADS index used without a marker.")
    args = parser.parse_args()
    Handler.default_payload = args.payload
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
