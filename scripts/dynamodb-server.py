"""Serves moto's DynamoDB protocol on 127.0.0.1 for the tests, one request at a time.

moto applies a transaction by snapshotting the tables and restoring the snapshot when the
transaction fails. Its default server handles requests on threads, so one request's restore
can undo another's committed write. DynamoDB applies each transaction atomically; handling
requests one after another gives the tests that same guarantee, while concurrent clients
still interleave between their reads and their conditional writes.

Usage: python scripts/dynamodb-server.py PORT
"""

import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5077
    app = DomainDispatcherApplication(create_backend_app)
    run_simple("127.0.0.1", port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
