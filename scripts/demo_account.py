"""A boto3 client inside one demo account, by the account's quarterdeck role.

The scripts that act on the demo or test moto as AWS itself would (alarm_state.py, log_line.py)
assume the role the way the console does, so moto maps their calls to that account.
"""

from __future__ import annotations

from typing import Any

import boto3

ACCOUNTS = {"dev": "111111111111", "staging": "222222222222", "prod": "333333333333"}


def client(endpoint: str, env: str, service: str, region: str, session: str) -> Any:
    """A `service` client acting in `env`'s account on the moto at `endpoint`."""
    base = dict(
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    role = f"arn:aws:iam::{ACCOUNTS[env]}:role/quarterdeck"
    creds = boto3.client("sts", **base).assume_role(RoleArn=role, RoleSessionName=session)[
        "Credentials"
    ]
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
