"""A scripted OpenAI-compatible server on 127.0.0.1 that misbehaves on demand (for the LLM fault tests).

`FaultServer.mode` picks the next replies: "ok" answers with passage 1's first sentence and [1]; "429" and
"500" answer with that status; "hang" sends nothing; "stall" sends two tokens, then nothing; "drop"
promises a longer body and closes the connection after two tokens; "eof" ends the stream without
[DONE]; "drip" sends a token every 0.2 s and never finishes. Hanging replies end when the server stops.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODES = ("ok", "429", "500", "hang", "stall", "drop", "eof", "drip")


class FaultServer:
    """Serves /v1/chat/completions in a thread; `url` is the base URL, `requests` counts calls."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests = 0
        self.stopping = threading.Event()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}/v1"
        threading.Thread(target=self._http.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Release hanging replies and stop serving."""
        self.stopping.set()
        self._http.shutdown()
        self._http.server_close()


def _event(text: str) -> bytes:
    return f"data: {json.dumps({'choices': [{'delta': {'content': text}}]})}\n\n".encode()


def _answer(body: dict[str, Any]) -> str:
    """The first sentence of passage 1 in the prompt, cited, as a model that follows the rules would reply."""
    prompt = body["messages"][-1]["content"]
    found = re.search(r'<passage id="1"[^>]*>\n(.*?)\n</passage>', prompt, flags=re.DOTALL)
    if not found:
        return prompt.splitlines()[-1][:80]  # the condense prompt: echo the question
    first = re.split(r"(?<=[.!?])\s", found.group(1).strip())[0]
    return f"{first} [1]"


def _handler(server: FaultServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            server.requests += 1
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            mode = server.mode
            if mode in ("429", "500"):
                self._send(int(mode), b'{"error": "scripted"}', "application/json")
                return
            if mode == "hang":
                server.stopping.wait(60)
                return
            if not body.get("stream"):  # the verifier's one-token judgement: a word, no logprobs
                reply = {"choices": [{"message": {"role": "assistant", "content": "TRUE"}, "logprobs": None}]}
                self._send(200, json.dumps(reply).encode(), "application/json")
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            if mode == "drop":
                self.send_header("Content-Length", "100000")  # promises more than it will send
            else:
                self.send_header("Connection", "close")  # the body ends when the connection does
            self.end_headers()
            self._stream(mode, _answer(body))

        def _stream(self, mode: str, answer: str) -> None:
            words = answer.split(" ")
            if mode == "ok":
                self.wfile.write(b"".join(_event(w + " ") for w in words) + b"data: [DONE]\n\n")
            elif mode == "drip":
                while not server.stopping.wait(0.2):
                    self.wfile.write(_event("more "))
                    self.wfile.flush()
            else:
                self.wfile.write(_event(words[0] + " ") + _event(words[1] + " "))
                self.wfile.flush()
                if mode == "stall":
                    server.stopping.wait(60)
            self.close_connection = True

        def _send(self, status: int, payload: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler
