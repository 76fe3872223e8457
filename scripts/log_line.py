"""Write one line into a service's newest log stream in one demo account, as its task would.

Used by the end-to-end tests to see a followed logs page receive a new line:

    .venv/bin/python scripts/log_line.py --endpoint http://127.0.0.1:5000 \
        --env prod --group /ecs/prospa-api --prefix api/api/ --message "INFO hello"

It assumes the account's quarterdeck role the way the console does, so moto maps the call to
that account.
"""

from __future__ import annotations

import argparse
import sys
import time

from demo_account import ACCOUNTS, client


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--env", required=True, choices=sorted(ACCOUNTS))
    parser.add_argument("--group", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--message", required=True)
    parser.add_argument("--region", default="eu-west-1")
    args = parser.parse_args()
    logs = client(args.endpoint, args.env, "logs", args.region, "logs")
    streams = logs.describe_log_streams(
        logGroupName=args.group, logStreamNamePrefix=args.prefix
    )["logStreams"]
    if not streams:
        sys.stderr.write(f"log_line: no stream {args.prefix}* in {args.group}\n")
        return 1
    stream = streams[0]["logStreamName"]
    logs.put_log_events(
        logGroupName=args.group,
        logStreamName=stream,
        logEvents=[{"timestamp": int(time.time() * 1000), "message": args.message}],
    )
    print(f"{args.env}: {stream} <- {args.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
