"""Measures the cold start of a Lambda binary: the time from starting the process until it
asks the Lambda Runtime API for its first invocation (what AWS reports as Init Duration),
then hands it one API Gateway (HTTP API) request and checks the answer.

A minimal Runtime API listens on 127.0.0.1. The function is configured as in production
(DynamoDB table and SES sender named, static credentials), so the init includes loading
the AWS configuration and the content catalog; every AWS endpoint points at a closed local
port and instance metadata is off, so nothing leaves the machine. Measure with a route that
answers without the store (the join form, an event without sign-ups, an unauthenticated
moderation request).

Usage: python scripts/lambda-coldstart.py BINARY PATH [RUNS]
  e.g. python scripts/lambda-coldstart.py target/lambda/members/bootstrap /api/members/new 5
"""

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def measure(binary: str, path: str) -> tuple[float, int]:
    state = {"first_poll": None, "served": False, "response": None}
    done = threading.Event()

    class RuntimeApi(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if not self.path.endswith("/runtime/invocation/next"):
                self.send_error(404)
                return
            if state["first_poll"] is None:
                state["first_poll"] = time.perf_counter()
            if state["served"]:
                # The second poll: the process is stopped once the answer is in.
                done.wait(5)
                return
            state["served"] = True
            event = {
                "version": "2.0",
                "routeKey": "$default",
                "rawPath": path,
                "rawQueryString": "",
                "headers": {"host": "api.example.org", "x-forwarded-for": "203.0.113.7"},
                "requestContext": {
                    "accountId": "000000000000",
                    "apiId": "local",
                    "domainName": "api.example.org",
                    "http": {"method": "GET", "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "coldstart"},
                    "requestId": "cold-1",
                    "routeKey": "$default",
                    "stage": "$default",
                    "time": "25/Nov/2026:03:00:00 +0000",
                    "timeEpoch": 1795575600000,
                },
                "isBase64Encoded": False,
            }
            body = json.dumps(event).encode()
            self.send_response(200)
            self.send_header("Lambda-Runtime-Aws-Request-Id", "cold-1")
            self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000))
            self.send_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:portal")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            payload = self.rfile.read(length)
            if "/response" in self.path:
                state["response"] = json.loads(payload)
            else:
                state["response"] = {"error": payload.decode(errors="replace")}
            self.send_response(202)
            self.end_headers()
            done.set()

    server = ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}",
        "AWS_LAMBDA_FUNCTION_NAME": "portal",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/portal",
        "AWS_LAMBDA_LOG_STREAM_NAME": "local",
        "AWS_REGION": "ap-northeast-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_EC2_METADATA_DISABLED": "true",
        # Every AWS endpoint points at a closed local port: nothing can leave the machine.
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "PORTAL_DYNAMODB_ENDPOINT": "http://127.0.0.1:9",
        "PORTAL_SECRET": "x" * 40,
        "PORTAL_CONTENT": "content",
        "PORTAL_DYNAMODB_TABLE": "portal",
        "PORTAL_MAIL_FROM": "no-reply@portal.example.org",
        # Production refuses to start without these (no silent local fallback).
        "PORTAL_SITE_URL": "https://portal.example.org",
        "PORTAL_API_URL": "https://portal.example.org",
        "PORTAL_ALLOWED_ORIGINS": "https://portal.example.org",
        "RUST_LOG": "warn",
    }
    started = time.perf_counter()
    process = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done.wait(30)
    process.kill()
    stderr = process.communicate()[1].decode(errors="replace")
    server.shutdown()
    if state["first_poll"] is None or state["response"] is None:
        sys.exit(f"{binary} did not answer: {stderr}")
    return (state["first_poll"] - started) * 1000, state["response"].get("statusCode", 0)


def main() -> None:
    binary, path = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    results = [measure(binary, path) for _ in range(runs)]
    inits = sorted(ms for ms, _ in results)
    statuses = {status for _, status in results}
    size = os.path.getsize(binary) / (1024 * 1024)
    print(f"{binary}: {size:.1f} MiB, init median {inits[len(inits) // 2]:.1f} ms (min {inits[0]:.1f}, max {inits[-1]:.1f}) over {runs} starts, answered {sorted(statuses)}")


if __name__ == "__main__":
    main()
