"""A fake OpenAI-compatible chat server on loopback, standing in for the reader's llama.cpp, vLLM or Ollama.

It answers `POST /v1/chat/completions` like a small model that can add: offered a tool named `add` and no tool
result yet, it calls `add(a=2, b=3)`; given a tool result, it answers `The answer is <result>.`; otherwise it says
hello. Every request is kept in `requests` (headers and JSON body) for the tests to check.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_UNTRUSTED = re.compile(r'<untrusted-data[^>]*>\s*(.*?)\s*</untrusted-data>', re.S)
HELLO = 'Hello from a local model.'


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeOpenAIServer:
    """Serves until `close()`; `url` is its OpenAI-style base URL (`http://127.0.0.1:PORT/v1`)."""

    requests: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get('Content-Length') or 0)
                body = json.loads(self.rfile.read(length) or b'{}')
                server.requests.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                if not self.path.endswith('/chat/completions'):
                    self._send(404, {'error': {'message': f'no route {self.path}', 'type': 'not_found'}})
                    return
                self._send(200, _completion(body))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name='fake-openai', daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self._httpd.server_address[1]}/v1'

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def _completion(body: dict[str, Any]) -> dict[str, Any]:
    messages = body.get('messages') or []
    tools = {t.get('function', {}).get('name') for t in body.get('tools') or []}
    last = messages[-1] if messages else {}
    message: dict[str, Any]
    if last.get('role') == 'tool':
        found = _UNTRUSTED.search(str(last.get('content') or ''))
        value = found.group(1) if found else str(last.get('content'))
        message = {'role': 'assistant', 'content': f'The answer is {value}.'}
    elif 'add' in tools:
        call = {'id': 'call_1', 'type': 'function', 'function': {'name': 'add', 'arguments': '{"a": 2, "b": 3}'}}
        message = {'role': 'assistant', 'content': None, 'tool_calls': [call]}
    else:
        message = {'role': 'assistant', 'content': HELLO}
    return {
        'id': 'chatcmpl-docs',
        'object': 'chat.completion',
        'created': 1700000000,
        'model': str(body.get('model') or 'local-model'),
        'choices': [{'index': 0, 'message': message, 'finish_reason': 'stop'}],
        'usage': {'prompt_tokens': 12, 'completion_tokens': 7, 'total_tokens': 19},
    }
