#!/usr/bin/env python3
"""Fake OpenAI-compatible model server for the end-to-end tests.

It stands in for a real model provider, which cannot run here (no network,
no weights).  opencode talks to it exactly as to a real provider.

Behaviour, chosen by the user's prompt text:
  * a prompt containing  RUN: <command> :END  makes the model call opencode's
    bash tool with <command>; the follow-up request (last message role
    "tool") is answered with "done: <tool output>" as plain text.
  * any other prompt gets the text reply "reply to: <prompt>".
Requests that opencode makes for titles get a short title.

Usage: fake_model.py PORTFILE   (binds 127.0.0.1:0, writes the port there)
Stops by itself after --max-seconds (default 1800) so a lost server never
lingers.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def chunk(delta, finish=None):
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def text_of(msg):
    c = msg.get("content")
    if isinstance(c, str):
        return c
    if isinstance(c, list):
        return " ".join(p.get("text", "") for p in c if isinstance(p, dict))
    return ""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        body = json.dumps({"object": "list", "data": [{"id": "m", "object": "model"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def sse(self, chunks):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        for c in chunks:
            self.wfile.write(b"data: " + json.dumps(c).encode() + b"\n\n")
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        try:
            req = json.loads(self.rfile.read(n) or b"{}")
        except ValueError:
            req = {}
        msgs = req.get("messages", [])
        last = msgs[-1] if msgs else {}
        system = " ".join(text_of(m) for m in msgs if m.get("role") == "system")
        user = [text_of(m) for m in msgs if m.get("role") == "user"]
        prompt = user[-1] if user else ""
        if "title" in system.lower() and "RUN:" not in system and not req.get("tools"):
            self.sse([chunk({"role": "assistant", "content": "Fake title"}), chunk({}, "stop")])
            return
        if last.get("role") == "tool":
            out = text_of(last).strip()
            self.sse([chunk({"role": "assistant", "content": "done: " + out}), chunk({}, "stop")])
            return
        if "RUN:" in prompt and req.get("tools"):
            cmd = prompt.split("RUN:", 1)[1]
            cmd = cmd.split(":END", 1)[0] if ":END" in cmd else cmd.splitlines()[0]
            cmd = cmd.strip()
            args = json.dumps({"command": cmd, "description": "run the test command"})
            call = {"index": 0, "id": "call_1", "type": "function",
                    "function": {"name": "bash", "arguments": args}}
            self.sse([chunk({"role": "assistant", "tool_calls": [call]}), chunk({}, "tool_calls")])
            return
        self.sse([chunk({"role": "assistant", "content": "reply to: " + prompt.strip()}),
                  chunk({}, "stop")])


def main():
    portfile = sys.argv[1]
    max_seconds = 1800
    if len(sys.argv) > 3 and sys.argv[2] == "--max-seconds":
        max_seconds = int(sys.argv[3])
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(portfile + ".tmp", portfile)
    threading.Timer(max_seconds, srv.shutdown).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
