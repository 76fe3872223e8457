"""Move a CloudWatch alarm of one demo account to a state, as CloudWatch would.

Fires (or clears) an alarm in the demo or test moto, so the console's alarm poller sees a
transition and opens (or resolves) an incident:

    .venv/bin/python scripts/alarm_state.py --endpoint http://127.0.0.1:5000 \
        --env prod --alarm prospa-api-cpu-high --state ALARM

It assumes the account's quarterdeck role the way the console does, so moto maps the call to
that account.
"""

from __future__ import annotations

import argparse
import sys

from demo_account import ACCOUNTS, client


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--env", required=True, choices=sorted(ACCOUNTS))
    parser.add_argument("--alarm", required=True)
    parser.add_argument("--state", required=True, choices=["ALARM", "OK", "INSUFFICIENT_DATA"])
    parser.add_argument("--reason", default=None)
    parser.add_argument("--region", default="eu-west-1")
    args = parser.parse_args()
    cw = client(args.endpoint, args.env, "cloudwatch", args.region, "alarm")
    names = [a["AlarmName"] for a in cw.describe_alarms(AlarmNames=[args.alarm])["MetricAlarms"]]
    if not names:
        sys.stderr.write(f"alarm_state: no alarm {args.alarm!r} in {args.env}\n")
        return 1
    reason = args.reason or f"set to {args.state} by scripts/alarm_state.py"
    cw.set_alarm_state(AlarmName=args.alarm, StateValue=args.state, StateReason=reason)
    print(f"{args.env}: {args.alarm} -> {args.state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
