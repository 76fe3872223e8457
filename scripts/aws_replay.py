"""A pass-through proxy in front of the demo's moto that answers as real AWS would where moto
cannot: moto reports every registered load-balancer target healthy, so DescribeTargetHealth
answers for the targets named in a JSON file (written by seed_moto.py --target-health) get the
state, reason and description real accounts show (initial, unhealthy, draining). Every other
request goes to moto unchanged.

    .venv/bin/python scripts/aws_replay.py --listen 127.0.0.1:5001 \
        --upstream http://127.0.0.1:5000 --target-health .demo/target-health.json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MEMBER = re.compile(r"<member>(.*?)</member>", re.S)


def rewrite(body: str, overrides: dict[str, dict[str, str]]) -> str:
    """DescribeTargetHealth's XML with the named targets' health replaced."""

    def one(match: re.Match[str]) -> str:
        member = match.group(1)
        found = re.search(r"<Target>.*?<Id>([^<]+)</Id>", member, re.S)
        health = overrides.get(found.group(1)) if found else None
        if not health:
            return match.group(0)
        fields = "".join(
            f"<{key}>{health[key]}</{key}>"
            for key in ("State", "Reason", "Description")
            if key in health
        )
        member = re.sub(
            r"<TargetHealth>.*?</TargetHealth>",
            f"<TargetHealth>{fields}</TargetHealth>",
            member,
            flags=re.S,
        )
        return f"<member>{member}</member>"

    return MEMBER.sub(one, body)


def handler(upstream: str, overrides: dict[str, dict[str, dict[str, str]]]) -> type:
    class Replay(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt: str, *args: Any) -> None:  # quiet
            pass

        def forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = urllib.request.Request(
                upstream + self.path, data=body or None, method=self.command
            )
            for key, value in self.headers.items():
                if key.lower() not in ("host", "content-length", "connection"):
                    request.add_header(key, value)
            try:
                with urllib.request.urlopen(request, timeout=120) as answer:
                    status, headers, payload = answer.status, answer.getheaders(), answer.read()
            except urllib.error.HTTPError as error:
                status, headers, payload = error.code, error.headers.items(), error.read()
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            if status == 200 and form.get("Action") == ["DescribeTargetHealth"]:
                group = (form.get("TargetGroupArn") or [""])[0]
                if group in overrides:
                    payload = rewrite(payload.decode("utf-8"), overrides[group]).encode("utf-8")
            self.send_response(status)
            for key, value in headers:
                if key.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = forward

    return Replay


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="host:port")
    parser.add_argument("--upstream", required=True, help="moto's URL")
    parser.add_argument("--target-health", required=True, help="seed_moto.py's JSON")
    args = parser.parse_args()
    with open(args.target_health, encoding="utf-8") as source:
        overrides = json.load(source)
    host, port = args.listen.rsplit(":", 1)
    server = ThreadingHTTPServer((host, int(port)), handler(args.upstream.rstrip("/"), overrides))
    print(f"aws_replay: {args.listen} -> {args.upstream} ({len(overrides)} target groups)", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
