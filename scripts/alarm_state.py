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

import boto3

ACCOUNTS = {"dev": "111111111111", "staging": "222222222222", "prod": "333333333333"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--env", required=True, choices=sorted(ACCOUNTS))
    parser.add_argument("--alarm", required=True)
    parser.add_argument("--state", required=True, choices=["ALARM", "OK", "INSUFFICIENT_DATA"])
    parser.add_argument("--reason", default=None)
    parser.add_argument("--region", default="eu-west-1")
    args = parser.parse_args()
    base = dict(
        region_name=args.region,
        endpoint_url=args.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    role = f"arn:aws:iam::{ACCOUNTS[args.env]}:role/quarterdeck"
    creds = boto3.client("sts", **base).assume_role(RoleArn=role, RoleSessionName="alarm")[
        "Credentials"
    ]
    cw = boto3.client(
        "cloudwatch",
        region_name=args.region,
        endpoint_url=args.endpoint,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
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
