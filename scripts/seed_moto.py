#!/usr/bin/env python3
"""Seed a running moto server with Quarterdeck demo data.

Creates three AWS accounts (dev, staging, prod) with the ECS services, task
definitions, RDS databases, snapshots, SQS queues, SNS topics, CloudWatch
metric data and alarms of four demo applications (prospa, cloudarch,
overview, assessment).

Usage:
    python scripts/seed_moto.py --endpoint http://127.0.0.1:5000 \
        [--region eu-west-1] [--extra-services N] [--reset] [--no-autoscaling]

Every client of an account uses the credentials returned by
sts:AssumeRole on arn:aws:iam::<account>:role/quarterdeck; moto maps those
access keys to that account.  The script assumes a freshly reset moto
(pass --reset to POST <endpoint>/moto-api/reset first).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import random
import sys
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:  # pragma: no cover - environment problem
    sys.stderr.write("seed_moto: boto3 is not installed (run scripts/moto.sh qd_moto_venv)\n")
    sys.exit(2)


# --------------------------------------------------------------------------
# Static description of the demo estate
# --------------------------------------------------------------------------

ACCOUNTS = [
    ("dev", "111111111111"),
    ("staging", "222222222222"),
    ("prod", "333333333333"),
]

ROLE_NAME = "quarterdeck"


def pinned_image(region: str, repo: str, tag: str) -> str:
    """The image as CI pins it: tag for people, digest for ECS. The digest stands in for the
    registry's and is the same in every account, as one build promoted through them is."""
    digest = hashlib.sha256(f"{repo}:{tag}".encode()).hexdigest()
    return f"{ECR_REGISTRY_ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{repo}:{tag}@sha256:{digest}"


ECR_REGISTRY_ACCOUNT = "123456789012"
STEP = timedelta(minutes=5)
HISTORY = timedelta(hours=6)
SPIKE_POINTS = 8  # last 40 minutes
GIB = 1024**3

TEAMS = {
    "prospa": "lending",
    "cloudarch": "platform",
    "overview": "insights",
    "assessment": "assessment",
}


@dataclass
class Family:
    """A task-definition family and its revision history (oldest first)."""

    name: str
    app: str
    container: str
    repo: str
    port: int | None
    tags: list[str]
    sizes: list[tuple[int, int]]  # (cpu, memory) per revision
    env: list[dict[str, str]]  # extra environment vars per revision
    health_path: str | None
    command: list[str] | None = None


@dataclass
class Service:
    name: str
    app: str
    family: str
    cluster_kind: str  # "main"
    desired: dict[str, int]
    # offset behind newest revision per env (0 = newest)
    lag: dict[str, int]
    cpu_base: float
    mem_base: float
    description: str
    extra_tags: dict[str, str] = field(default_factory=dict)


@dataclass
class Database:
    ident: str
    app: str
    engine: str
    version: str
    port: int
    db_name: str
    klass: dict[str, str]
    multi_az: dict[str, bool]
    storage: int
    cpu_base: float
    conn_base: float
    free_fraction: float


FAMILIES = [
    Family(
        name="prospa-api",
        app="prospa",
        container="api",
        repo="prospa-api",
        port=5000,
        tags=["1.4.0", "1.4.1", "1.5.0", "1.5.1"],
        sizes=[(256, 512), (256, 512), (512, 1024), (512, 1024)],
        env=[
            {},
            {"GUNICORN_WORKERS": "3"},
            {"GUNICORN_WORKERS": "4", "FEATURE_OPEN_BANKING": "false"},
            {"GUNICORN_WORKERS": "4", "FEATURE_OPEN_BANKING": "true"},
        ],
        health_path="/healthz",
        command=["gunicorn", "--bind", "0.0.0.0:5000", "prospa.wsgi:app"],
    ),
    Family(
        name="cloudarch-auth-service",
        app="cloudarch",
        container="auth-service",
        repo="cloudarch-auth-service",
        port=3000,
        tags=["2.0.3", "2.1.0", "2.1.1"],
        sizes=[(256, 512), (256, 512), (256, 512)],
        env=[
            {"JWT_TTL_SECONDS": "3600"},
            {"JWT_TTL_SECONDS": "3600", "PASSWORD_HASH_ROUNDS": "12"},
            {"JWT_TTL_SECONDS": "1800", "PASSWORD_HASH_ROUNDS": "12"},
        ],
        health_path="/health",
    ),
    Family(
        name="cloudarch-main-app",
        app="cloudarch",
        container="main-app",
        repo="cloudarch-main-app",
        port=3000,
        tags=["git-3f9c2ab", "git-8e1d4c7", "git-a72b0e5", "git-c41f9d3", "git-e09a6b1"],
        sizes=[(256, 512), (512, 1024), (512, 1024), (512, 1024), (512, 1024)],
        env=[
            {},
            {"NODE_OPTIONS": "--max-old-space-size=768"},
            {"NODE_OPTIONS": "--max-old-space-size=768"},
            {"NODE_OPTIONS": "--max-old-space-size=768", "CACHE_TTL": "300"},
            {"NODE_OPTIONS": "--max-old-space-size=768", "CACHE_TTL": "120"},
        ],
        health_path="/health",
    ),
    Family(
        name="cloudarch-cleanup-job",
        app="cloudarch",
        container="cleanup",
        repo="cloudarch-main-app",
        port=None,
        tags=["git-8e1d4c7", "git-c41f9d3", "git-e09a6b1"],
        sizes=[(256, 512), (256, 512), (256, 512)],
        env=[
            {"RETENTION_DAYS": "30"},
            {"RETENTION_DAYS": "30", "DRY_RUN": "false"},
            {"RETENTION_DAYS": "14", "DRY_RUN": "false"},
        ],
        health_path=None,
        command=["node", "dist/jobs/cleanup.js"],
    ),
    Family(
        name="overview-web",
        app="overview",
        container="web",
        repo="overview-web",
        port=8000,
        tags=["0.9.2", "1.0.0", "1.0.1", "1.1.0"],
        sizes=[(256, 512), (512, 1024), (512, 1024), (512, 1024)],
        env=[
            {"DJANGO_SETTINGS_MODULE": "overview.settings.production"},
            {"DJANGO_SETTINGS_MODULE": "overview.settings.production"},
            {"DJANGO_SETTINGS_MODULE": "overview.settings.production", "WEB_CONCURRENCY": "3"},
            {"DJANGO_SETTINGS_MODULE": "overview.settings.production", "WEB_CONCURRENCY": "4"},
        ],
        health_path="/health/",
    ),
    Family(
        name="assessment-backend",
        app="assessment",
        container="backend",
        repo="assessment-backend",
        port=8080,
        tags=["3.2.0", "3.2.1", "3.3.0"],
        sizes=[(512, 1024), (512, 1024), (512, 1024)],
        env=[
            {"WORKER_CONCURRENCY": "4"},
            {"WORKER_CONCURRENCY": "4"},
            {"WORKER_CONCURRENCY": "8", "SCORING_MODEL": "v2"},
        ],
        health_path="/actuator/health",
    ),
]
FAMILY_BY_NAME = {f.name: f for f in FAMILIES}

SERVICES = [
    Service(
        name="prospa-api",
        app="prospa",
        family="prospa-api",
        cluster_kind="main",
        desired={"dev": 2, "staging": 2, "prod": 4},
        lag={"dev": 0, "staging": 0, "prod": 1},
        cpu_base=38.0,
        mem_base=52.0,
        description="Flask REST API behind the Prospa web and mobile apps",
    ),
    Service(
        name="cloudarch-auth-service",
        app="cloudarch",
        family="cloudarch-auth-service",
        cluster_kind="main",
        desired={"dev": 2, "staging": 2, "prod": 2},
        lag={"dev": 0, "staging": 1, "prod": 2},
        cpu_base=18.0,
        mem_base=41.0,
        description="Node.js authentication service - JWT issuance and sessions",
    ),
    Service(
        name="cloudarch-main-app",
        app="cloudarch",
        family="cloudarch-main-app",
        cluster_kind="main",
        desired={"dev": 2, "staging": 2, "prod": 3},
        lag={"dev": 0, "staging": 1, "prod": 2},
        cpu_base=31.0,
        mem_base=58.0,
        description="Node.js main application behind API Gateway and WAF",
    ),
    Service(
        name="overview-web",
        app="overview",
        family="overview-web",
        cluster_kind="main",
        desired={"dev": 2, "staging": 2, "prod": 2},
        lag={"dev": 0, "staging": 0, "prod": 1},
        cpu_base=24.0,
        mem_base=47.0,
        description="Overview dashboard web app - autoscaling 1-3 tasks at 70 pct CPU / 80 pct memory",
        extra_tags={"autoscaling": "min=1 max=3 target-cpu=70 target-memory=80"},
    ),
    Service(
        name="assessment-backend",
        app="assessment",
        family="assessment-backend",
        cluster_kind="main",
        desired={"dev": 2, "staging": 2, "prod": 2},
        lag={"dev": 0, "staging": 1, "prod": 1},
        cpu_base=27.0,
        mem_base=44.0,
        description="Assessment API and SQS worker for scoring tasks",
    ),
]

# the cleanup job: registered family, run by a schedule in the jobs cluster
JOB_FAMILY = "cloudarch-cleanup-job"
JOB_LAG = {"dev": 0, "staging": 0, "prod": 1}

DATABASES = [
    Database(
        ident="prospa-db",
        app="prospa",
        engine="mysql",
        version="8.0.39",
        port=3306,
        db_name="prospa",
        klass={"dev": "db.t3.medium", "staging": "db.t3.medium", "prod": "db.r6g.large"},
        multi_az={"dev": False, "staging": False, "prod": True},
        storage=100,
        cpu_base=22.0,
        conn_base=24.0,
        free_fraction=0.62,
    ),
    Database(
        ident="cloudarch-auth-db",
        app="cloudarch",
        engine="postgres",
        version="15.8",
        port=5432,
        db_name="auth",
        klass={"dev": "db.t3.micro", "staging": "db.t3.small", "prod": "db.t3.medium"},
        multi_az={"dev": False, "staging": False, "prod": True},
        storage=20,
        cpu_base=9.0,
        conn_base=12.0,
        free_fraction=0.71,
    ),
    Database(
        ident="overview-db",
        app="overview",
        engine="postgres",
        version="15.8",
        port=5432,
        db_name="overview",
        klass={"dev": "db.t3.small", "staging": "db.t3.medium", "prod": "db.t3.medium"},
        multi_az={"dev": True, "staging": True, "prod": True},
        storage=50,
        cpu_base=14.0,
        conn_base=18.0,
        free_fraction=0.55,
    ),
    Database(
        ident="assessment-db",
        app="assessment",
        engine="postgres",
        version="15.8",
        port=5432,
        db_name="assessment",
        klass={"dev": "db.t3.small", "staging": "db.t3.medium", "prod": "db.m6g.large"},
        multi_az={"dev": False, "staging": False, "prod": True},
        storage=80,
        cpu_base=19.0,
        conn_base=35.0,
        free_fraction=0.48,
    ),
]

# Alarms that end up firing per env, with the metric they spike.
FIRING = {
    "dev": [],
    "staging": ["overview-web-memory-high"],
    "prod": [
        "prospa-api-cpu-high",
        "assessment-tasks-queue-depth",
        "assessment-tasks-oldest-message-age",
    ],
}
INSUFFICIENT = {
    "dev": [],
    "staging": ["cloudarch-waf-blocked-requests", "cloudarch-apigw-5xx"],
    "prod": ["cloudarch-waf-blocked-requests", "cloudarch-apigw-5xx"],
}


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


class SeedError(Exception):
    pass


def log(msg: str) -> None:
    sys.stderr.write(f"seed_moto: {msg}\n")
    sys.stderr.flush()


def tag_list(d: dict[str, str]) -> list[dict[str, str]]:
    """AWS-style Key/Value tags."""
    return [{"Key": k, "Value": v} for k, v in d.items()]


def ecs_tags(d: dict[str, str]) -> list[dict[str, str]]:
    """ECS-style lower-case key/value tags."""
    return [{"key": k, "value": v} for k, v in d.items()]


def reset_moto(endpoint: str) -> None:
    req = urllib.request.Request(f"{endpoint.rstrip('/')}/moto-api/reset", data=b"", method="POST")
    try:
        # Resetting takes longer the more accounts the emulator holds.
        with urllib.request.urlopen(req, timeout=120) as resp:
            resp.read()
    except (urllib.error.URLError, OSError) as exc:
        raise SeedError(f"could not reset moto at {endpoint}: {exc}") from exc


def keep_tasks_running(endpoint: str) -> None:
    """moto advances a task's state on every read (RUNNING -> DEACTIVATING -> ... STOPPED);
    real service tasks stay RUNNING, so hold them there."""
    body = json.dumps({"model_name": "ecs::task", "transition": {"progression": "manual", "times": 1_000_000_000}})
    req = urllib.request.Request(
        f"{endpoint.rstrip('/')}/moto-api/state-manager/set-transition",
        data=body.encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            resp.read()
    except (urllib.error.URLError, OSError) as exc:
        raise SeedError(f"could not configure moto's task states at {endpoint}: {exc}") from exc


def check_endpoint(endpoint: str) -> None:
    try:
        with urllib.request.urlopen(f"{endpoint.rstrip('/')}/moto-api/", timeout=10) as resp:
            resp.read(1)
    except urllib.error.HTTPError:
        return  # it answers; that's enough
    except (urllib.error.URLError, OSError) as exc:
        raise SeedError(f"moto server not reachable at {endpoint}: {exc}") from exc


def five_minute_grid(now: datetime) -> list[datetime]:
    """Timestamps every 5 minutes covering the last 6 hours, oldest first."""
    end = now.replace(second=0, microsecond=0)
    end -= timedelta(minutes=end.minute % 5)
    n = int(HISTORY / STEP)
    return [end - STEP * (n - 1 - i) for i in range(n)]


def daily_wave(ts: datetime) -> float:
    """-1..1, peaking mid-afternoon UTC, lowest around 03:00."""
    hours = ts.hour + ts.minute / 60.0
    return math.sin(2 * math.pi * (hours - 9.0) / 24.0)


def series(
    rng: random.Random,
    grid: list[datetime],
    base: float,
    amp: float,
    noise: float,
    lo: float,
    hi: float,
    spike_to: float | None = None,
) -> list[float]:
    out = []
    n = len(grid)
    for i, ts in enumerate(grid):
        v = base + amp * daily_wave(ts) + rng.gauss(0.0, noise)
        if spike_to is not None and i >= n - SPIKE_POINTS:
            # ramp up over the first few spike points, then plateau with jitter
            k = i - (n - SPIKE_POINTS) + 1
            frac = min(1.0, k / 3.0)
            v = v + (spike_to - v) * frac + rng.gauss(0.0, noise * 0.6)
        out.append(round(min(hi, max(lo, v)), 2))
    return out


PATHS = {
    "prospa-api": ["/api/v1/loans/{n}", "/api/v1/applications", "/api/v1/customers/{n}/accounts", "/healthz"],
    "cloudarch-auth-service": ["/auth/token", "/auth/refresh", "/auth/session", "/health"],
    "cloudarch-main-app": ["/api/projects/{n}", "/api/projects", "/api/search?q=invoice", "/health"],
    "overview-web": ["/dashboard/", "/reports/{n}/", "/api/widgets/", "/health/"],
    "assessment-backend": ["/api/assessments/{n}", "/api/assessments", "/actuator/health"],
}


def log_line(rng: random.Random, service: str, t: datetime, failing: bool) -> str:
    """One line as the service's stack writes it: gunicorn and Flask, pino JSON, Django, Spring
    Boot. When `failing`, the errors behind its firing alarms."""
    path = rng.choice(PATHS.get(service, ["/"])).replace("{n}", str(rng.randint(1000, 99999)))
    ms = rng.randint(4, 90)
    status = 200
    if failing and rng.random() < 0.45:
        status = rng.choice([500, 502, 503, 504])
        ms = rng.randint(2000, 30000)
    elif rng.random() < 0.03:
        status = rng.choice([401, 404, 422])
    if service == "prospa-api":
        if failing and rng.random() < 0.3:
            return rng.choice(
                [
                    "ERROR prospa.db: query on loans took 4.2 s (pool exhausted: 20/20 connections busy)",
                    "[CRITICAL] WORKER TIMEOUT (pid:31)",
                    "WARNING prospa.loans: retrying repayment schedule for loan %d (attempt 2 of 3)" % rng.randint(1000, 99999),
                ]
            )
        stamp = t.strftime("%d/%b/%Y:%H:%M:%S +0000")
        return f'10.30.{rng.randint(10, 12)}.{rng.randint(2, 250)} - - [{stamp}] "GET {path} HTTP/1.1" {status} {rng.randint(200, 9000)} "-" "okhttp/4.12.0" {ms}ms'
    if service in ("cloudarch-auth-service", "cloudarch-main-app"):
        level = 50 if status >= 500 else 30
        record = {
            "level": "error" if level == 50 else "info",
            "time": int(t.timestamp() * 1000),
            "pid": 1,
            "hostname": "ip-10-20-11-4.ec2.internal",
            "msg": "request errored" if status >= 500 else "request completed",
            "req": {"method": "POST" if "token" in path else "GET", "url": path},
            "res": {"statusCode": status},
            "responseTime": ms,
        }
        if status >= 500:
            record["err"] = {"type": "TimeoutError", "message": "upstream request timed out after 5000 ms"}
        return json.dumps(record, separators=(",", ":"))
    if service == "overview-web":
        if failing and rng.random() < 0.25:
            return "WARNING django.request: Memory usage at %d%% of the container limit while rendering /reports/" % rng.randint(86, 97)
        level = "ERROR" if status >= 500 else "INFO"
        return f'{t.strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]} {level} django.server "GET {path} HTTP/1.1" {status} {rng.randint(500, 40000)}'
    stamp = t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    if failing and rng.random() < 0.35:
        return f"{stamp}  WARN 1 --- [  sqs-poller-2] c.a.scoring.QueueWorker              : backlog of {rng.randint(900, 2200)} messages on assessment-tasks; oldest is {rng.randint(1800, 2600)} s old"
    level = "ERROR" if status >= 500 else " INFO"
    return f"{stamp} {level} 1 --- [nio-8080-exec-{rng.randint(1, 9)}] c.a.scoring.AssessmentController     : GET {path} -> {status} in {ms} ms"


# --------------------------------------------------------------------------
# Seeder for one account
# --------------------------------------------------------------------------


class AccountSeeder:
    def __init__(
        self,
        base_session: boto3.session.Session,
        endpoint: str,
        region: str,
        env: str,
        account: str,
        extra_services: int,
        autoscaling: bool,
        now: datetime,
    ) -> None:
        self.env = env
        self.account = account
        self.region = region
        self.endpoint = endpoint
        self.extra_services = extra_services
        self.autoscaling = autoscaling
        self.now = now
        self.grid = five_minute_grid(now)
        self.rng = random.Random(f"quarterdeck-{env}-{account}")
        self.session = base_session
        self.config = Config(
            region_name=region,
            retries={"max_attempts": 2, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
        )
        sts = base_session.client("sts", endpoint_url=endpoint, config=self.config)
        role_arn = f"arn:aws:iam::{account}:role/{ROLE_NAME}"
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="seed")["Credentials"]
        self.creds = {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }
        self._clients: dict[str, Any] = {}
        # results / bookkeeping
        self.clusters: dict[str, str] = {}  # kind -> name
        self.subnets: list[str] = []
        self.vpc = ""
        self.security_group = ""
        # service name -> its target group's ARN; the load balancer's ARN
        self.target_groups: dict[str, str] = {}
        self.load_balancer = ""
        # service name -> its registered targets' addresses
        self.target_ips: dict[str, list[str]] = {}
        # service name -> its running tasks' ids (for their log streams)
        self.service_tasks: dict[str, list[str]] = {}
        self.taskdefs: dict[str, list[str]] = {}  # family -> [arn rev1..]
        self.services: list[tuple[str, str, str]] = []  # (cluster, service, taskdef arn)
        self.dbs: list[str] = []
        self.snapshots: list[str] = []
        self.alarms: list[str] = []
        self.topics: dict[str, str] = {}
        self.queues: dict[str, str] = {}
        self.metric_values: dict[tuple[str, str], list[float]] = {}
        self.notes: list[str] = []

    # -- plumbing ----------------------------------------------------------

    def client(self, name: str):
        c = self._clients.get(name)
        if c is None:
            c = self.session.client(
                name, endpoint_url=self.endpoint, config=self.config, **self.creds
            )
            self._clients[name] = c
        return c

    def base_tags(self, app: str) -> dict[str, str]:
        return {
            "app": app,
            "env": self.env,
            "team": TEAMS.get(app, "platform"),
            "managed-by": "terraform",
        }

    # -- steps -------------------------------------------------------------

    def run(self) -> None:
        self.check_account()
        self.network()
        self.clusters_()
        self.log_groups()
        self.task_definitions()
        self.load_balancing()
        self.ecs_services()
        self.service_logs()
        self.cleanup_job()
        self.application_autoscaling()
        self.messaging()
        self.databases()
        self.functions()
        self.schedules()
        self.app_servers()
        self.metrics()
        self.cloudwatch_alarms()
        self.scaling_signals()
        self.bulk_services()

    def check_account(self) -> None:
        ident = self.client("sts").get_caller_identity()
        if ident.get("Account") != self.account:
            raise SeedError(
                f"assumed-role credentials map to account {ident.get('Account')}, expected {self.account}"
            )

    def network(self) -> None:
        ec2 = self.client("ec2")
        octet = {"dev": 10, "staging": 20, "prod": 30}.get(self.env, 40)
        vpc = ec2.create_vpc(
            CidrBlock=f"10.{octet}.0.0/16",
            TagSpecifications=[
                {
                    "ResourceType": "vpc",
                    "Tags": tag_list({"Name": f"{self.env}-vpc", "env": self.env}),
                }
            ],
        )["Vpc"]["VpcId"]
        self.vpc = vpc
        # Fargate tasks get a private DNS name; moto's ECS run_task also needs
        # this (it crashes on ENIs in VPCs without DNS hostnames).
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        for i, az in enumerate("abc"):
            sn = ec2.create_subnet(
                VpcId=vpc,
                CidrBlock=f"10.{octet}.{10 + i}.0/24",
                AvailabilityZone=f"{self.region}{az}",
                TagSpecifications=[
                    {
                        "ResourceType": "subnet",
                        "Tags": tag_list({"Name": f"{self.env}-private-{az}", "env": self.env}),
                    }
                ],
            )["Subnet"]["SubnetId"]
            self.subnets.append(sn)
        self.security_group = ec2.create_security_group(
            GroupName=f"{self.env}-ecs-services",
            Description=f"ECS services in {self.env}",
            VpcId=vpc,
            TagSpecifications=[
                {"ResourceType": "security-group", "Tags": tag_list({"env": self.env})}
            ],
        )["GroupId"]
        self.db_security_group = ec2.create_security_group(
            GroupName=f"{self.env}-rds",
            Description=f"RDS databases in {self.env}",
            VpcId=vpc,
        )["GroupId"]
        rds = self.client("rds")
        rds.create_db_subnet_group(
            DBSubnetGroupName=f"{self.env}-db-subnets",
            DBSubnetGroupDescription=f"Private subnets for {self.env} databases",
            SubnetIds=self.subnets,
            Tags=tag_list({"env": self.env}),
        )

    def clusters_(self) -> None:
        ecs = self.client("ecs")
        for kind in ("main", "jobs"):
            name = f"{self.env}-{kind}"
            ecs.create_cluster(
                clusterName=name,
                tags=ecs_tags({"env": self.env, "team": "platform"}),
                settings=[{"name": "containerInsights", "value": "enabled"}],
                capacityProviders=["FARGATE", "FARGATE_SPOT"],
                defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
            )
            self.clusters[kind] = name

    def log_groups(self) -> None:
        logs = self.client("logs")
        for fam in FAMILIES:
            try:
                logs.create_log_group(
                    logGroupName=f"/ecs/{fam.name}",
                    tags=self.base_tags(fam.app),
                )
                logs.put_retention_policy(
                    logGroupName=f"/ecs/{fam.name}",
                    retentionInDays=30 if self.env == "prod" else 14,
                )
            except ClientError as exc:  # not essential
                self.notes.append(f"logs: {exc.response['Error'].get('Code')}")
                return

    def task_definitions(self) -> None:
        ecs = self.client("ecs")
        for fam in FAMILIES:
            arns = []
            for rev, tag in enumerate(fam.tags):
                cpu, mem = fam.sizes[rev]
                env_vars = {
                    "APP_ENV": self.env,
                    "AWS_REGION": self.region,
                    "LOG_LEVEL": "debug" if self.env == "dev" else "info",
                    "RELEASE": tag,
                }
                env_vars.update(fam.env[rev])
                container: dict[str, Any] = {
                    "name": fam.container,
                    "image": pinned_image(self.region, fam.repo, tag),
                    "essential": True,
                    "cpu": cpu,
                    "memory": mem,
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": f"/ecs/{fam.name}",
                            "awslogs-region": self.region,
                            "awslogs-stream-prefix": fam.container,
                        },
                    },
                }
                # the first revision of each family predates env-var config
                if rev > 0:
                    container["environment"] = [
                        {"name": k, "value": v} for k, v in sorted(env_vars.items())
                    ]
                    container["secrets"] = [
                        {
                            "name": "DATABASE_URL",
                            "valueFrom": f"arn:aws:ssm:{self.region}:{self.account}:parameter/{fam.app}/{self.env}/database-url",
                        }
                    ]
                if fam.port is not None:
                    container["portMappings"] = [
                        {"containerPort": fam.port, "hostPort": fam.port, "protocol": "tcp"}
                    ]
                if fam.health_path is not None and rev > 0:
                    container["healthCheck"] = {
                        "command": [
                            "CMD-SHELL",
                            f"curl -fsS http://localhost:{fam.port}{fam.health_path} || exit 1",
                        ],
                        "interval": 30,
                        "timeout": 5,
                        "retries": 3,
                        "startPeriod": 15,
                    }
                if fam.command:
                    container["command"] = fam.command
                resp = ecs.register_task_definition(
                    family=fam.name,
                    taskRoleArn=f"arn:aws:iam::{self.account}:role/{fam.name}-task",
                    executionRoleArn=f"arn:aws:iam::{self.account}:role/ecsTaskExecutionRole",
                    networkMode="awsvpc",
                    requiresCompatibilities=["FARGATE"],
                    cpu=str(cpu),
                    memory=str(mem),
                    containerDefinitions=[container],
                    tags=ecs_tags({**self.base_tags(fam.app), "version": tag}),
                )
                arns.append(resp["taskDefinition"]["taskDefinitionArn"])
            self.taskdefs[fam.name] = arns

    def _network_config(self) -> dict[str, Any]:
        return {
            "awsvpcConfiguration": {
                "subnets": self.subnets,
                "securityGroups": [self.security_group],
                "assignPublicIp": "DISABLED",
            }
        }

    def load_balancing(self) -> None:
        """One internet-facing Application Load Balancer per environment in front of the services
        that listen on a port: a target group each (target type ip, as Fargate needs), the main
        app as the HTTP listener's default, the others by host name. The services register with
        them when created; their tasks' addresses are registered after they run."""
        elb = self.client("elbv2")
        try:
            lb = elb.create_load_balancer(
                Name=f"{self.env}-web",
                Subnets=self.subnets,
                SecurityGroups=[self.security_group],
                Scheme="internet-facing",
                Type="application",
                Tags=tag_list({"env": self.env, "team": "platform", "managed-by": "terraform"}),
            )["LoadBalancers"][0]
            self.load_balancer = lb["LoadBalancerArn"]
            default = None
            for svc in SERVICES:
                fam = FAMILY_BY_NAME[svc.family]
                if fam.port is None:
                    continue
                tg = elb.create_target_group(
                    Name=f"{self.env}-{svc.name}"[:32],
                    Protocol="HTTP",
                    Port=fam.port,
                    VpcId=self.vpc,
                    TargetType="ip",
                    HealthCheckPath=fam.health_path or "/",
                    HealthCheckIntervalSeconds=15,
                    HealthyThresholdCount=3,
                    UnhealthyThresholdCount=2,
                    Tags=tag_list(self.base_tags(svc.app)),
                )["TargetGroups"][0]["TargetGroupArn"]
                self.target_groups[svc.name] = tg
                if svc.name == "cloudarch-main-app":
                    default = tg
            listener = elb.create_listener(
                LoadBalancerArn=self.load_balancer,
                Protocol="HTTP",
                Port=80,
                DefaultActions=[
                    {"Type": "forward", "TargetGroupArn": default or next(iter(self.target_groups.values()))}
                ],
            )["Listeners"][0]["ListenerArn"]
            for priority, (name, tg) in enumerate(sorted(self.target_groups.items()), start=10):
                if tg == default:
                    continue
                elb.create_rule(
                    ListenerArn=listener,
                    Priority=priority,
                    Conditions=[
                        {"Field": "host-header", "Values": [f"{name}.{self.env}.example.com"]}
                    ],
                    Actions=[{"Type": "forward", "TargetGroupArn": tg}],
                )
        except ClientError as exc:  # the rest of the estate does not depend on it
            self.notes.append(f"load balancing: {exc.response['Error'].get('Code')}")

    def target_health_overrides(self) -> dict[str, dict[str, dict[str, str]]]:
        """What real AWS would report of some targets that moto calls healthy, by target group
        ARN and target id: staging's overview-web failing its health checks while its memory
        alarm fires, prod's cloudarch-main-app deploy still registering a new task, one of prod's
        assessment-backend tasks draining."""
        wanted = {
            ("staging", "overview-web"): {
                "State": "unhealthy",
                "Reason": "Target.ResponseCodeMismatch",
                "Description": "Health checks failed with these codes: [502]",
            },
            ("prod", "cloudarch-main-app"): {
                "State": "initial",
                "Reason": "Elb.RegistrationInProgress",
                "Description": "Target registration is in progress",
            },
            ("prod", "assessment-backend"): {
                "State": "draining",
                "Reason": "Target.DeregistrationInProgress",
                "Description": "Target deregistration is in progress",
            },
        }
        out: dict[str, dict[str, dict[str, str]]] = {}
        for (env, service), health in wanted.items():
            ips = self.target_ips.get(service, [])
            if env == self.env and service in self.target_groups and ips:
                out[self.target_groups[service]] = {ips[-1]: health}
        return out

    def register_targets(self, service: str, tasks: list[dict[str, Any]]) -> None:
        """Registers the tasks' private addresses with the service's target group, as ECS does
        for a service behind a load balancer (moto's services run no tasks of their own)."""
        tg = self.target_groups.get(service)
        fam = FAMILY_BY_NAME.get(next((s.family for s in SERVICES if s.name == service), ""))
        if tg is None or fam is None or fam.port is None:
            return
        targets = []
        for task in tasks:
            for attachment in task.get("attachments", []):
                for detail in attachment.get("details", []):
                    if detail.get("name") == "privateIPv4Address":
                        targets.append({"Id": detail["value"], "Port": fam.port})
        if targets:
            self.client("elbv2").register_targets(TargetGroupArn=tg, Targets=targets)
            self.target_ips[service] = [t["Id"] for t in targets]

    def ecs_services(self) -> None:
        ecs = self.client("ecs")
        cluster = self.clusters["main"]
        for svc in SERVICES:
            arns = self.taskdefs[svc.family]
            idx = max(0, len(arns) - 1 - svc.lag[self.env])
            td = arns[idx]
            tags = {**self.base_tags(svc.app), **svc.extra_tags, "description": svc.description}
            fam = FAMILY_BY_NAME[svc.family]
            behind = (
                [
                    {
                        "targetGroupArn": self.target_groups[svc.name],
                        "containerName": fam.container,
                        "containerPort": fam.port,
                    }
                ]
                if svc.name in self.target_groups
                else []
            )
            ecs.create_service(
                cluster=cluster,
                serviceName=svc.name,
                taskDefinition=td,
                desiredCount=svc.desired[self.env],
                launchType="FARGATE",
                platformVersion="LATEST",
                networkConfiguration=self._network_config(),
                loadBalancers=behind,
                deploymentConfiguration={
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                },
                propagateTags="SERVICE",
                enableECSManagedTags=True,
                tags=ecs_tags(tags),
            )
            self.services.append((cluster, svc.name, td))
            # moto's services start no tasks of their own: run the ones the service would have,
            # in its task group, so the console can show them (as many as moto reports running).
            running = min(svc.desired[self.env], int(os.environ.get("MOTO_ECS_SERVICE_RUNNING", "2")))
            if running > 0:
                try:
                    started = ecs.run_task(
                        cluster=cluster,
                        taskDefinition=td,
                        count=running,
                        launchType="FARGATE",
                        group=f"service:{svc.name}",
                        startedBy=f"ecs-svc/{svc.name}",
                        networkConfiguration=self._network_config(),
                    )
                    self.register_targets(svc.name, started.get("tasks", []))
                    self.service_tasks[svc.name] = [
                        t["taskArn"].rsplit("/", 1)[-1] for t in started.get("tasks", [])
                    ]
                except ClientError as exc:
                    self.notes.append(f"tasks for {svc.name} skipped: {exc.response['Error'].get('Code')}")

    def service_logs(self) -> None:
        """Three hours of each service task's log lines in its awslogs stream, in the style of
        its stack; errors where its alarms fire; and in prod a prospa-api task that crashed, with
        its last words, which ECS lists as stopped."""
        logs = self.client("logs")
        firing = set(FIRING.get(self.env, []))
        start = self.now - timedelta(hours=3)
        spike_from = self.now - STEP * SPIKE_POINTS
        for svc in SERVICES:
            fam = FAMILY_BY_NAME[svc.family]
            burst = any(name.startswith(svc.name) for name in firing) or (
                svc.name == "assessment-backend" and "assessment-tasks-queue-depth" in firing
            )
            for task in self.service_tasks.get(svc.name, []):
                stream = f"{fam.container}/{fam.container}/{task}"
                events = []
                t = start + timedelta(seconds=self.rng.uniform(0, 20))
                while t < self.now:
                    failing = burst and t >= spike_from
                    events.append(
                        {
                            "timestamp": int(t.timestamp() * 1000),
                            "message": log_line(self.rng, svc.name, t, failing),
                        }
                    )
                    t += timedelta(seconds=self.rng.uniform(12, 40) / (3 if failing else 1))
                self._put_logs(logs, f"/ecs/{fam.name}", stream, events)
        if self.env == "prod":
            self._crashed_task(logs)

    def _put_logs(self, logs: Any, group: str, stream: str, events: list[dict[str, Any]]) -> None:
        try:
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
            for i in range(0, len(events), 5000):
                logs.put_log_events(
                    logGroupName=group, logStreamName=stream, logEvents=events[i : i + 5000]
                )
        except ClientError as exc:  # the rest of the estate does not depend on it
            self.notes.append(f"logs for {stream}: {exc.response['Error'].get('Code')}")

    def _crashed_task(self, logs: Any) -> None:
        svc = next(s for s in SERVICES if s.name == "prospa-api")
        fam = FAMILY_BY_NAME[svc.family]
        arns = self.taskdefs[svc.family]
        td = arns[max(0, len(arns) - 1 - svc.lag[self.env])]
        ecs = self.client("ecs")
        try:
            task = ecs.run_task(
                cluster=self.clusters["main"],
                taskDefinition=td,
                count=1,
                launchType="FARGATE",
                group=f"service:{svc.name}",
                startedBy=f"ecs-svc/{svc.name}",
                networkConfiguration=self._network_config(),
            )["tasks"][0]
        except ClientError as exc:
            self.notes.append(f"crashed task skipped: {exc.response['Error'].get('Code')}")
            return
        task_id = task["taskArn"].rsplit("/", 1)[-1]
        died = self.now - timedelta(minutes=12)
        t = died - timedelta(minutes=25)
        events = []
        while t < died - timedelta(seconds=40):
            events.append(
                {"timestamp": int(t.timestamp() * 1000), "message": log_line(self.rng, svc.name, t, t > died - timedelta(minutes=8))}
            )
            t += timedelta(seconds=self.rng.uniform(8, 20))
        last_words = [
            "[CRITICAL] WORKER TIMEOUT (pid:23)",
            "ERROR prospa.loans: MemoryError while building the repayment schedule for loan 88121 (rss 1011 MiB of 1024 MiB)",
            "Traceback (most recent call last):\n  File \"/app/prospa/loans/schedule.py\", line 214, in build\n    rows = [self._row(p) for p in periods]\nMemoryError",
            "[ERROR] Worker (pid:23) was sent SIGKILL! Perhaps out of memory?",
            "[INFO] Shutting down: Master",
        ]
        for i, words in enumerate(last_words):
            at = died - timedelta(seconds=30 - 6 * i)
            events.append({"timestamp": int(at.timestamp() * 1000), "message": words})
        self._put_logs(logs, f"/ecs/{fam.name}", f"{fam.container}/{fam.container}/{task_id}", events)
        try:
            ecs.stop_task(
                cluster=self.clusters["main"],
                task=task["taskArn"],
                reason="Essential container in task exited",
            )
        except ClientError as exc:
            self.notes.append(f"crashed task not stopped: {exc.response['Error'].get('Code')}")

    def cleanup_job(self) -> None:
        """cloudarch-cleanup-job: a scheduled task in the jobs cluster (no service)."""
        arns = self.taskdefs[JOB_FAMILY]
        td = arns[max(0, len(arns) - 1 - JOB_LAG[self.env])]
        cluster = self.clusters["jobs"]
        ecs = self.client("ecs")
        cluster_arn = f"arn:aws:ecs:{self.region}:{self.account}:cluster/{cluster}"
        try:
            events = self.client("events")
            events.put_rule(
                Name="cloudarch-cleanup-nightly",
                ScheduleExpression="cron(15 3 * * ? *)",
                State="ENABLED",
                Description="Nightly cloudarch cleanup job (ECS scheduled task in the jobs cluster)",
                Tags=tag_list(self.base_tags("cloudarch")),
            )
            events.put_targets(
                Rule="cloudarch-cleanup-nightly",
                Targets=[
                    {
                        "Id": "cloudarch-cleanup-job",
                        "Arn": cluster_arn,
                        "RoleArn": f"arn:aws:iam::{self.account}:role/ecsEventsRole",
                        "EcsParameters": {
                            "TaskDefinitionArn": td,
                            "TaskCount": 1,
                            "LaunchType": "FARGATE",
                            "NetworkConfiguration": {
                                "awsvpcConfiguration": {
                                    "Subnets": self.subnets,
                                    "SecurityGroups": [self.security_group],
                                    "AssignPublicIp": "DISABLED",
                                }
                            },
                        },
                    }
                ],
            )
        except ClientError as exc:
            self.notes.append(f"events rule skipped: {exc.response['Error'].get('Code')}")
        # last night's run, already finished
        try:
            tasks = ecs.run_task(
                cluster=cluster,
                taskDefinition=td,
                count=1,
                launchType="FARGATE",
                # as EventBridge starts it: events-rule/<rule>, cut to ECS's 36 characters
                startedBy="events-rule/cloudarch-cleanup-nightly"[:36],
                networkConfiguration=self._network_config(),
                tags=ecs_tags(self.base_tags("cloudarch")),
            )["tasks"]
            for t in tasks:
                self._cleanup_run_logs(t["taskArn"].rsplit("/", 1)[-1])
                ecs.stop_task(
                    cluster=cluster,
                    task=t["taskArn"],
                    reason="Essential container in task exited",
                )
        except ClientError as exc:
            self.notes.append(f"cleanup run_task skipped: {exc.response['Error'].get('Code')}")

    def _cleanup_run_logs(self, task_id: str) -> None:
        """What the cleanup run wrote to its awslogs stream, over its last two minutes."""
        fam = FAMILY_BY_NAME[JOB_FAMILY]
        expired = self.rng.randint(800, 2400)
        orphans = self.rng.randint(3, 40)
        lines = [
            "cleanup: starting (RETENTION_DAYS from the task definition)",
            f"cleanup: {expired} uploads past retention in s3://cloudarch-uploads-{self.env}",
            f"cleanup: deleted {expired} uploads in {expired // 500 + 1} batches",
            f'{{"level":"warn","msg":"orphaned upload rows without objects","count":{orphans}}}',
            f"cleanup: removed {orphans} orphaned rows",
            "cleanup: vacuum analyze uploads (3.2 s)",
            "cleanup: done, exit 0",
        ]
        start = self.now - timedelta(minutes=2)
        events = [
            {
                "timestamp": int((start + timedelta(seconds=12 * i)).timestamp() * 1000),
                "message": line,
            }
            for i, line in enumerate(lines)
        ]
        self._put_logs(
            self.client("logs"), f"/ecs/{fam.name}", f"{fam.container}/{fam.container}/{task_id}", events
        )

    def application_autoscaling(self) -> None:
        if not self.autoscaling:
            return
        try:
            aas = self.client("application-autoscaling")
            rid = f"service/{self.clusters['main']}/overview-web"
            aas.register_scalable_target(
                ServiceNamespace="ecs",
                ResourceId=rid,
                ScalableDimension="ecs:service:DesiredCount",
                MinCapacity=1,
                MaxCapacity=3,
            )
            for name, metric, target in (
                ("overview-web-cpu-70", "ECSServiceAverageCPUUtilization", 70.0),
                ("overview-web-memory-80", "ECSServiceAverageMemoryUtilization", 80.0),
            ):
                aas.put_scaling_policy(
                    PolicyName=name,
                    ServiceNamespace="ecs",
                    ResourceId=rid,
                    ScalableDimension="ecs:service:DesiredCount",
                    PolicyType="TargetTrackingScaling",
                    TargetTrackingScalingPolicyConfiguration={
                        "TargetValue": target,
                        "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                        "ScaleInCooldown": 300,
                        "ScaleOutCooldown": 60,
                    },
                )
        except (ClientError, BotoCoreError) as exc:
            self.notes.append(f"application-autoscaling skipped: {exc}")

    def messaging(self) -> None:
        sns = self.client("sns")
        for name, app in (("assessment-alerts", "assessment"), ("ops-alerts", "platform")):
            arn = sns.create_topic(
                Name=name, Tags=tag_list({"app": app, "env": self.env, "team": TEAMS.get(app, "platform")})
            )["TopicArn"]
            self.topics[name] = arn
        sns.subscribe(
            TopicArn=self.topics["assessment-alerts"],
            Protocol="email",
            Endpoint=f"assessment-oncall+{self.env}@example.com",
        )
        sns.subscribe(
            TopicArn=self.topics["ops-alerts"],
            Protocol="email",
            Endpoint=f"ops+{self.env}@example.com",
        )
        sqs = self.client("sqs")
        qtags = self.base_tags("assessment")
        dlq_url = sqs.create_queue(
            QueueName="assessment-tasks-dlq",
            Attributes={"MessageRetentionPeriod": "1209600"},
            tags=qtags,
        )["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        url = sqs.create_queue(
            QueueName="assessment-tasks",
            Attributes={
                "VisibilityTimeout": "300",
                "MessageRetentionPeriod": "345600",
                "ReceiveMessageWaitTimeSeconds": "20",
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}),
            },
            tags=qtags,
        )["QueueUrl"]
        self.queues = {"assessment-tasks": url, "assessment-tasks-dlq": dlq_url}
        # a few messages so the queue isn't empty (backlog in prod)
        n = {"dev": 3, "staging": 12, "prod": 40}.get(self.env, 5)
        entries = [
            {
                "Id": f"m{i}",
                "MessageBody": json.dumps({"assessment_id": f"as-{1000 + i}", "action": "score"}),
            }
            for i in range(n)
        ]
        for i in range(0, len(entries), 10):
            sqs.send_message_batch(QueueUrl=url, Entries=entries[i : i + 10])
        # Poisoned messages that failed five receives: the dead-letter queue the console
        # highlights and an operator redrives once the worker is fixed.
        poisoned = {"dev": 0, "staging": 2, "prod": 4}.get(self.env, 0)
        for i in range(poisoned):
            sqs.send_message(
                QueueUrl=dlq_url,
                MessageBody=json.dumps(
                    {"assessment_id": f"as-09{90 + i}", "action": "score", "error": "scoring timed out after 300 s"}
                ),
            )

    def functions(self) -> None:
        """The assessment queue's worker and a gateway function per data store. The worker
        has two published versions and a `live` alias (prod sends a tenth of its traffic to
        the new version), reserved concurrency in prod, and an event source mapping from
        assessment-tasks to `live` (paused in staging, where the scorer is being fixed).
        moto runs no function without Docker: the mappings are created after every message
        is sent, so none is delivered."""
        iam = self.client("iam")
        lam = self.client("lambda")
        role = "quarterdeck-demo-lambda"
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
        try:
            role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        except iam.exceptions.EntityAlreadyExistsException:
            role_arn = iam.get_role(RoleName=role)["Role"]["Arn"]

        def package(source: str) -> bytes:
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as z:
                z.writestr("handler.py", source)
            return buf.getvalue()

        def create(name: str, app: str, runtime: str, memory: int, timeout: int, arch: str, code: str) -> str:
            return lam.create_function(
                FunctionName=name,
                Runtime=runtime,
                Role=role_arn,
                Handler="handler.handle",
                Code={"ZipFile": package(code)},
                MemorySize=memory,
                Timeout=timeout,
                Architectures=[arch],
                Description=f"{app} ({self.env})",
                Tags=self.base_tags(app),
            )["FunctionArn"]

        scorer = "assessment-scorer"
        create(scorer, "assessment", "python3.12", 1024, 300, "arm64",
               "def handle(event, context):\n    return {'scored': len(event['Records'])}\n")
        v1 = lam.publish_version(FunctionName=scorer, Description="scoring 2.3.0")["Version"]
        lam.update_function_code(
            FunctionName=scorer,
            ZipFile=package("def handle(event, context):\n    return {'scored': len(event['Records']), 'v': 2}\n"),
        )
        v2 = lam.publish_version(FunctionName=scorer, Description="scoring 2.4.0")["Version"]
        if self.env == "prod":
            lam.create_alias(FunctionName=scorer, Name="live", FunctionVersion=v1,
                             Description="what the queue's mapping invokes",
                             RoutingConfig={"AdditionalVersionWeights": {v2: 0.1}})
            lam.put_function_concurrency(FunctionName=scorer, ReservedConcurrentExecutions=20)
        else:
            lam.create_alias(FunctionName=scorer, Name="live", FunctionVersion=v2,
                             Description="what the queue's mapping invokes")
        queue_arn = self.client("sqs").get_queue_attributes(
            QueueUrl=self.queues["assessment-tasks"], AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        lam.create_event_source_mapping(
            FunctionName=f"{scorer}:live",
            EventSourceArn=queue_arn,
            BatchSize=10,
            Enabled=self.env != "staging",
        )
        for db in DATABASES:
            create(f"{db.ident}-gateway", db.app, "nodejs20.x", 256, 15, "x86_64",
                   "exports.handle = async () => ({ ok: true });\n")

    def databases(self) -> None:
        rds = self.client("rds")
        for db in DATABASES:
            multi_az = db.multi_az[self.env]
            kwargs: dict[str, Any] = dict(
                DBInstanceIdentifier=db.ident,
                DBInstanceClass=db.klass[self.env],
                Engine=db.engine,
                EngineVersion=db.version,
                DBName=db.db_name,
                MasterUsername="qdadmin",
                MasterUserPassword="not-a-real-password-1",
                AllocatedStorage=db.storage,
                StorageType="gp3",
                MultiAZ=multi_az,
                Port=db.port,
                StorageEncrypted=(db.ident == "overview-db") or self.env == "prod",
                BackupRetentionPeriod=1 if self.env == "dev" else 7,
                PreferredBackupWindow="02:00-02:30",
                PreferredMaintenanceWindow="sun:04:00-sun:04:30",
                DBSubnetGroupName=f"{self.env}-db-subnets",
                VpcSecurityGroupIds=[self.db_security_group],
                PubliclyAccessible=False,
                AutoMinorVersionUpgrade=True,
                DeletionProtection=self.env == "prod",
                CopyTagsToSnapshot=True,
                Tags=tag_list(self.base_tags(db.app)),
            )
            if not multi_az:
                kwargs["AvailabilityZone"] = f"{self.region}a"
            if db.ident == "overview-db":
                # overview always runs MultiAZ, encrypted, 7 days of backups
                kwargs["BackupRetentionPeriod"] = 7
            rds.create_db_instance(**kwargs)
            self.dbs.append(db.ident)
            snaps = [f"{db.ident}-manual-2026-09-30"]
            if self.env != "dev":
                snaps.append(f"{db.ident}-manual-2026-11-02-pre-release")
            for snap in snaps:
                rds.create_db_snapshot(
                    DBSnapshotIdentifier=snap,
                    DBInstanceIdentifier=db.ident,
                    Tags=tag_list({**self.base_tags(db.app), "reason": "manual"}),
                )
                self.snapshots.append(snap)

    # -- metrics -----------------------------------------------------------

    def _put(self, namespace: str, data: list[dict[str, Any]]) -> None:
        cw = self.client("cloudwatch")
        for i in range(0, len(data), 1000):
            cw.put_metric_data(Namespace=namespace, MetricData=data[i : i + 1000])

    def _datums(
        self,
        name: str,
        dims: list[dict[str, str]],
        values: list[float],
        unit: str,
        key: tuple[str, str],
    ) -> list[dict[str, Any]]:
        self.metric_values[key] = values
        return [
            {
                "MetricName": name,
                "Dimensions": dims,
                "Timestamp": ts,
                "Value": v,
                "Unit": unit,
            }
            for ts, v in zip(self.grid, values)
        ]

    def schedules(self) -> None:
        """An EventBridge Scheduler schedule beside the cleanup rule: the assessment app's
        weekly rescore, Mondays at 06:00 Berlin time, invoking the scorer's `live` alias with a
        payload, in a schedule group tagged with the app (Scheduler tags groups, not
        schedules). Disabled in dev, where nobody reads the scores."""
        sched = self.client("scheduler")
        account_region = f"{self.region}:{self.account}"
        try:
            sched.create_schedule_group(Name="assessment", Tags=tag_list(self.base_tags("assessment")))
        except ClientError as exc:
            if exc.response["Error"].get("Code") != "ConflictException":
                self.notes.append(f"schedule group skipped: {exc.response['Error'].get('Code')}")
                return
        try:
            sched.create_schedule(
                Name="assessment-rescore-weekly",
                GroupName="assessment",
                ScheduleExpression="cron(0 6 ? * MON *)",
                ScheduleExpressionTimezone="Europe/Berlin",
                Description="Rescores last week's assessments with the live model",
                State="DISABLED" if self.env == "dev" else "ENABLED",
                FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
                Target={
                    "Arn": f"arn:aws:lambda:{account_region}:function:assessment-scorer:live",
                    "RoleArn": f"arn:aws:iam::{self.account}:role/scheduler-invoke",
                    "Input": json.dumps({"rescore": "last-week"}),
                },
            )
        except ClientError as exc:
            self.notes.append(f"schedule skipped: {exc.response['Error'].get('Code')}")

    def app_servers(self) -> None:
        """The legacy admin app's servers: an EC2 launch template and an Auto Scaling group of
        app `cloudarch` across the private subnets (2 to 6 instances, 3 in prod), registered
        with a target group of instance targets behind the environment's load balancer on
        /admin. moto starts the instances (they are never reachable) and registers them."""
        ec2 = self.client("ec2")
        asg = self.client("autoscaling")
        elb = self.client("elbv2")
        name = "cloudarch-admin-servers"
        try:
            template = ec2.create_launch_template(
                LaunchTemplateName="cloudarch-admin",
                LaunchTemplateData={
                    "ImageId": "ami-03cf127a",
                    "InstanceType": "t3.medium",
                    "SecurityGroupIds": [self.security_group],
                },
                TagSpecifications=[
                    {"ResourceType": "launch-template", "Tags": tag_list(self.base_tags("cloudarch"))}
                ],
            )["LaunchTemplate"]["LaunchTemplateId"]
            ec2.create_launch_template_version(
                LaunchTemplateId=template,
                SourceVersion="1",
                VersionDescription="admin 4.2.1 AMI",
                LaunchTemplateData={"ImageId": "ami-03cf127a", "InstanceType": "t3.medium"},
            )
            target_groups = []
            if self.load_balancer:
                tg = elb.create_target_group(
                    Name=f"{self.env}-cloudarch-admin"[:32],
                    Protocol="HTTP",
                    Port=8080,
                    VpcId=self.vpc,
                    TargetType="instance",
                    HealthCheckPath="/admin/health",
                    Tags=tag_list(self.base_tags("cloudarch")),
                )["TargetGroups"][0]["TargetGroupArn"]
                target_groups.append(tg)
            desired = 3 if self.env == "prod" else 2
            asg.create_auto_scaling_group(
                AutoScalingGroupName=name,
                LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"},
                MinSize=2,
                MaxSize=6,
                DesiredCapacity=desired,
                VPCZoneIdentifier=",".join(self.subnets),
                TargetGroupARNs=target_groups,
                HealthCheckType="ELB",
                HealthCheckGracePeriod=120,
                Tags=[
                    {"Key": k, "Value": v, "PropagateAtLaunch": True, "ResourceId": name,
                     "ResourceType": "auto-scaling-group"}
                    for k, v in self.base_tags("cloudarch").items()
                ],
            )
        except ClientError as exc:
            self.notes.append(f"app servers skipped: {exc.response['Error'].get('Code')}")

    def metrics(self) -> None:
        firing = set(FIRING.get(self.env, []))
        rng = self.rng
        env_load = {"dev": 0.45, "staging": 0.7, "prod": 1.0}.get(self.env, 1.0)

        ecs_data: list[dict[str, Any]] = []
        for svc in SERVICES:
            dims = [
                {"Name": "ClusterName", "Value": self.clusters[svc.cluster_kind]},
                {"Name": "ServiceName", "Value": svc.name},
            ]
            cpu_base = svc.cpu_base * (0.6 + 0.4 * env_load)
            cpu_spike = rng.uniform(88, 96) if f"{svc.name}-cpu-high" in firing else None
            cpu = series(rng, self.grid, cpu_base, cpu_base * 0.35, 2.5, 1.0, 100.0, cpu_spike)
            mem_spike = rng.uniform(86, 93) if f"{svc.name}-memory-high" in firing else None
            mem = series(rng, self.grid, svc.mem_base, 3.0, 1.2, 5.0, 100.0, mem_spike)
            ecs_data += self._datums("CPUUtilization", dims, cpu, "Percent", (svc.name, "CPUUtilization"))
            ecs_data += self._datums("MemoryUtilization", dims, mem, "Percent", (svc.name, "MemoryUtilization"))
        self._put("AWS/ECS", ecs_data)

        rds_data: list[dict[str, Any]] = []
        for db in DATABASES:
            dims = [{"Name": "DBInstanceIdentifier", "Value": db.ident}]
            cpu_base = db.cpu_base * (0.6 + 0.4 * env_load)
            cpu = series(rng, self.grid, cpu_base, cpu_base * 0.4, 2.0, 0.5, 100.0)
            conn_base = db.conn_base * env_load + 2
            conns = [
                float(round(v))
                for v in series(rng, self.grid, conn_base, conn_base * 0.3, 1.5, 0.0, 5000.0)
            ]
            total = db.storage * GIB
            free0 = total * (db.free_fraction + rng.uniform(-0.03, 0.03))
            n = len(self.grid)
            free = [
                float(round(free0 - (i / n) * total * 0.004 + rng.gauss(0, total * 0.0004)))
                for i in range(n)
            ]
            rds_data += self._datums("CPUUtilization", dims, cpu, "Percent", (db.ident, "CPUUtilization"))
            rds_data += self._datums(
                "DatabaseConnections", dims, conns, "Count", (db.ident, "DatabaseConnections")
            )
            rds_data += self._datums(
                "FreeStorageSpace", dims, free, "Bytes", (db.ident, "FreeStorageSpace")
            )
        self._put("AWS/RDS", rds_data)

        # SQS backlog for the assessment queue (spikes where its alarms fire)
        qdims = [{"Name": "QueueName", "Value": "assessment-tasks"}]
        depth_spike = rng.uniform(1400, 2200) if "assessment-tasks-queue-depth" in firing else None
        depth = [
            float(round(v))
            for v in series(rng, self.grid, 25 * env_load + 5, 15 * env_load, 6.0, 0.0, 1e6, depth_spike)
        ]
        age_spike = rng.uniform(1900, 2600) if "assessment-tasks-oldest-message-age" in firing else None
        age = [
            float(round(v))
            for v in series(rng, self.grid, 40.0, 20.0, 12.0, 0.0, 1e6, age_spike)
        ]
        sqs_data = self._datums(
            "ApproximateNumberOfMessagesVisible", qdims, depth, "Count",
            ("assessment-tasks", "ApproximateNumberOfMessagesVisible"),
        )
        sqs_data += self._datums(
            "ApproximateAgeOfOldestMessage", qdims, age, "Seconds",
            ("assessment-tasks", "ApproximateAgeOfOldestMessage"),
        )
        # Traffic per five minutes: sent follows the day; received and deleted lag behind it
        # while the backlog grows.
        sent = [float(round(v)) for v in series(rng, self.grid, 180 * env_load + 20, 120 * env_load, 15.0, 0.0, 1e6)]
        behind = 0.55 if depth_spike is not None else 0.97
        received = [float(round(v * rng.uniform(behind, 1.0))) for v in sent]
        deleted = [float(round(v * rng.uniform(0.97, 1.0))) for v in received]
        for metric, values in (
            ("NumberOfMessagesSent", sent),
            ("NumberOfMessagesReceived", received),
            ("NumberOfMessagesDeleted", deleted),
        ):
            sqs_data += self._datums(metric, qdims, values, "Count", ("assessment-tasks", metric))
        poisoned = {"dev": 0, "staging": 2, "prod": 4}.get(self.env, 0)
        dlq_dims = [{"Name": "QueueName", "Value": "assessment-tasks-dlq"}]
        # The dead letters arrived over the last hours, one at a time.
        dlq_depth = [
            float(min(poisoned, max(0, (i - len(self.grid) + 4 * poisoned) // 4)))
            for i in range(len(self.grid))
        ]
        sqs_data += self._datums(
            "ApproximateNumberOfMessagesVisible", dlq_dims, dlq_depth, "Count",
            ("assessment-tasks-dlq", "ApproximateNumberOfMessagesVisible"),
        )
        self._put("AWS/SQS", sqs_data)

        # The scorer's invocations follow what the queue receives (a batch of ten each), its
        # errors rise where the backlog alarm fires, and throttles show where prod's reserved
        # concurrency caps it. No Duration points: moto cannot answer the p99 the console asks
        # for when it holds any.
        fdims = [{"Name": "FunctionName", "Value": "assessment-scorer"}]
        invocations = [float(max(0, round(v / 10))) for v in received]
        failing = depth_spike is not None
        errors = [float(round(v * (rng.uniform(0.08, 0.2) if failing and i >= len(self.grid) - SPIKE_POINTS else rng.uniform(0.0, 0.01))))
                  for i, v in enumerate(invocations)]
        throttles = [float(round(rng.uniform(0, 3))) if self.env == "prod" else 0.0 for _ in invocations]
        concurrent = [float(min(20 if self.env == "prod" else 50, max(1, round(v / 6)))) for v in invocations]
        lambda_data: list[dict[str, Any]] = []
        for metric, values in (
            ("Invocations", invocations),
            ("Errors", errors),
            ("Throttles", throttles),
            ("ConcurrentExecutions", concurrent),
        ):
            lambda_data += self._datums(metric, fdims, values, "Count", ("assessment-scorer", metric))
        for db in DATABASES:
            gdims = [{"Name": "FunctionName", "Value": f"{db.ident}-gateway"}]
            calls = [float(round(v)) for v in series(rng, self.grid, 60 * env_load + 5, 40 * env_load, 6.0, 0.0, 1e6)]
            lambda_data += self._datums("Invocations", gdims, calls, "Count", (f"{db.ident}-gateway", "Invocations"))
        self._put("AWS/Lambda", lambda_data)

        # Load balancer metrics of each target group: 5xx from the targets (a burst where the
        # service's alarms fire), response time, and its healthy and unhealthy hosts.
        lb_dim = self.load_balancer.split(":loadbalancer/", 1)[-1] if self.load_balancer else ""
        elb_data: list[dict[str, Any]] = []
        for svc in SERVICES:
            tg = self.target_groups.get(svc.name)
            if not tg or not lb_dim:
                continue
            dims = [
                {"Name": "TargetGroup", "Value": "targetgroup/" + tg.split(":targetgroup/", 1)[1]},
                {"Name": "LoadBalancer", "Value": lb_dim},
            ]
            burst = any(name.startswith(svc.name) for name in firing)
            errors = [
                float(round(v))
                for v in series(rng, self.grid, 1.0 * env_load, 1.5, 2.0, 0.0, 1e6, rng.uniform(40, 90) if burst else None)
            ]
            latency = series(rng, self.grid, 0.08 + 0.05 * env_load, 0.03, 1.5, 0.01, 30.0, rng.uniform(0.9, 1.6) if burst else None)
            hosts = float(min(svc.desired[self.env], int(os.environ.get("MOTO_ECS_SERVICE_RUNNING", "2"))))
            # staging's overview-web has a target failing its health checks (aws_replay.py):
            # its host counts say so over the spike.
            failing = 1.0 if (self.env, svc.name) == ("staging", "overview-web") else 0.0
            n = len(self.grid)
            unhealthy = [failing if i >= n - SPIKE_POINTS else 0.0 for i in range(n)]
            healthy = [hosts - u for u in unhealthy]
            elb_data += self._datums("HTTPCode_Target_5XX_Count", dims, errors, "Count", (svc.name, "HTTPCode_Target_5XX_Count"))
            elb_data += self._datums("TargetResponseTime", dims, latency, "Seconds", (svc.name, "TargetResponseTime"))
            elb_data += self._datums("HealthyHostCount", dims, healthy, "Count", (svc.name, "HealthyHostCount"))
            elb_data += self._datums("UnHealthyHostCount", dims, unhealthy, "Count", (svc.name, "UnHealthyHostCount"))
        if elb_data:
            self._put("AWS/ApplicationELB", elb_data)

    # -- alarms ------------------------------------------------------------

    def _alarm_specs(self) -> list[dict[str, Any]]:
        env = self.env
        main = self.clusters["main"]
        ops = [self.topics["ops-alerts"]] if env != "dev" else []
        asmt = [self.topics["assessment-alerts"]]

        def ecs_dims(svc: str) -> list[dict[str, str]]:
            return [{"Name": "ClusterName", "Value": main}, {"Name": "ServiceName", "Value": svc}]

        def rds_dims(db: str) -> list[dict[str, str]]:
            return [{"Name": "DBInstanceIdentifier", "Value": db}]

        q_dims = [{"Name": "QueueName", "Value": "assessment-tasks"}]
        missing = "notBreaching" if env == "dev" else "missing"
        return [
            dict(name="prospa-api-cpu-high", app="prospa", ns="AWS/ECS", metric="CPUUtilization",
                 dims=ecs_dims("prospa-api"), stat="Average", op="GreaterThanThreshold", threshold=80.0,
                 evals=3, unit="Percent", actions=ops, key=("prospa-api", "CPUUtilization"),
                 desc="prospa-api average CPU above 80% for 15 minutes"),
            dict(name="prospa-db-cpu-high", app="prospa", ns="AWS/RDS", metric="CPUUtilization",
                 dims=rds_dims("prospa-db"), stat="Average", op="GreaterThanThreshold", threshold=80.0,
                 evals=3, unit="Percent", actions=ops, key=("prospa-db", "CPUUtilization"),
                 desc="prospa-db (MySQL) CPU above 80% for 15 minutes"),
            dict(name="cloudarch-main-app-cpu-high", app="cloudarch", ns="AWS/ECS", metric="CPUUtilization",
                 dims=ecs_dims("cloudarch-main-app"), stat="Average", op="GreaterThanThreshold",
                 threshold=85.0, evals=3, unit="Percent", actions=[],
                 key=("cloudarch-main-app", "CPUUtilization"),
                 desc="cloudarch-main-app average CPU above 85% for 15 minutes"),
            dict(name="cloudarch-waf-blocked-requests", app="cloudarch", ns="AWS/WAFV2",
                 metric="BlockedRequests",
                 dims=[{"Name": "WebACL", "Value": f"cloudarch-{env}-web-acl"},
                       {"Name": "Rule", "Value": "ALL"},
                       {"Name": "Region", "Value": self.region}],
                 stat="Sum", op="GreaterThanThreshold", threshold=1000.0, evals=1, unit=None,
                 actions=ops, key=None, missing=missing,
                 desc="More than 1000 requests blocked by the cloudarch WAF web ACL in 5 minutes"),
            dict(name="cloudarch-apigw-5xx", app="cloudarch", ns="AWS/ApiGateway", metric="5XXError",
                 dims=[{"Name": "ApiName", "Value": f"cloudarch-{env}-api"}],
                 stat="Sum", op="GreaterThanThreshold", threshold=10.0, evals=2, unit=None,
                 actions=ops, key=None, missing=missing,
                 desc="cloudarch API Gateway returned more than 10 5XX errors per 5 minutes"),
            dict(name="overview-web-memory-high", app="overview", ns="AWS/ECS", metric="MemoryUtilization",
                 dims=ecs_dims("overview-web"), stat="Average", op="GreaterThanThreshold", threshold=80.0,
                 evals=3, unit="Percent", actions=ops, key=("overview-web", "MemoryUtilization"),
                 desc="overview-web memory above 80% (autoscaling max 3 tasks reached?)"),
            dict(name="overview-db-free-storage-low", app="overview", ns="AWS/RDS",
                 metric="FreeStorageSpace", dims=rds_dims("overview-db"), stat="Minimum",
                 op="LessThanThreshold", threshold=float(5 * GIB), evals=1, unit="Bytes", actions=ops,
                 key=("overview-db", "FreeStorageSpace"),
                 desc="overview-db has less than 5 GiB of free storage"),
            dict(name="assessment-backend-cpu-high", app="assessment", ns="AWS/ECS",
                 metric="CPUUtilization", dims=ecs_dims("assessment-backend"), stat="Average",
                 op="GreaterThanThreshold", threshold=80.0, evals=3, unit="Percent", actions=asmt,
                 key=("assessment-backend", "CPUUtilization"),
                 desc="assessment-backend average CPU above 80% for 15 minutes"),
            dict(name="assessment-tasks-queue-depth", app="assessment", ns="AWS/SQS",
                 metric="ApproximateNumberOfMessagesVisible", dims=q_dims, stat="Maximum",
                 op="GreaterThanThreshold", threshold=500.0, evals=3, unit=None, actions=asmt,
                 key=("assessment-tasks", "ApproximateNumberOfMessagesVisible"),
                 desc="More than 500 assessment tasks waiting in the queue for 15 minutes"),
            dict(name="assessment-tasks-oldest-message-age", app="assessment", ns="AWS/SQS",
                 metric="ApproximateAgeOfOldestMessage", dims=q_dims, stat="Maximum",
                 op="GreaterThanThreshold", threshold=900.0, evals=3, unit=None, actions=asmt,
                 key=("assessment-tasks", "ApproximateAgeOfOldestMessage"),
                 desc="Oldest assessment task has waited more than 15 minutes"),
            dict(name="assessment-db-connections-high", app="assessment", ns="AWS/RDS",
                 metric="DatabaseConnections", dims=rds_dims("assessment-db"), stat="Average",
                 op="GreaterThanThreshold", threshold=80.0, evals=3, unit=None, actions=asmt,
                 key=("assessment-db", "DatabaseConnections"),
                 desc="assessment-db has more than 80 open connections"),
        ]

    @staticmethod
    def _fmt_value(v: float) -> str:
        return f"{v:.1f}" if abs(v) < 1e6 else f"{v:.0f}"

    def _reason(self, spec: dict[str, Any], state: str) -> tuple[str, dict[str, Any]]:
        evals = spec["evals"]
        op_words = {
            "GreaterThanThreshold": "greater than",
            "LessThanThreshold": "less than",
        }[spec["op"]]
        threshold = spec["threshold"]
        query_date = self.now.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        data: dict[str, Any] = {
            "version": "1.0",
            "queryDate": query_date,
            "statistic": spec["stat"],
            "period": 300,
            "threshold": threshold,
        }
        if state == "INSUFFICIENT_DATA":
            data.update(recentDatapoints=[], evaluatedDatapoints=[])
            return (
                f"Insufficient Data: {evals} datapoint{'s were' if evals > 1 else ' was'} unknown.",
                data,
            )
        values = self.metric_values.get(spec["key"]) if spec.get("key") else None
        if not values:
            data.update(recentDatapoints=[], evaluatedDatapoints=[])
            return (
                f"Threshold Crossed: no datapoints were received for {evals} period"
                f"{'s' if evals > 1 else ''} and {evals} missing datapoint"
                f"{'s were' if evals > 1 else ' was'} treated as [NonBreaching].",
                data,
            )
        pts = list(zip(self.grid, values))[-evals:][::-1]
        start = pts[-1][0]
        data["startDate"] = start.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        data["recentDatapoints"] = [round(v, 3) for _, v in pts[::-1]]
        data["evaluatedDatapoints"] = [
            {"timestamp": ts.strftime("%Y-%m-%dT%H:%M:%S.000+0000"), "sampleCount": 1.0, "value": v}
            for ts, v in pts
        ]
        listing = ", ".join(
            f"{self._fmt_value(v)} ({ts.strftime('%d/%m/%y %H:%M:%S')})" for ts, v in pts
        )
        thr = self._fmt_value(threshold)
        if state == "ALARM":
            return (
                f"Threshold Crossed: {evals} out of the last {evals} datapoints [{listing}] were "
                f"{op_words} the threshold ({thr}) (minimum {evals} datapoint"
                f"{'s' if evals > 1 else ''} for OK -> ALARM transition).",
                data,
            )
        return (
            f"Threshold Crossed: {evals} datapoint{'s' if evals > 1 else ''} [{listing}] "
            f"{'were' if evals > 1 else 'was'} not {op_words} the threshold ({thr}) "
            f"(minimum 1 datapoint for ALARM -> OK transition).",
            data,
        )

    def cloudwatch_alarms(self) -> None:
        cw = self.client("cloudwatch")
        firing = set(FIRING.get(self.env, []))
        insufficient = set(INSUFFICIENT.get(self.env, []))
        for spec in self._alarm_specs():
            kwargs: dict[str, Any] = dict(
                AlarmName=spec["name"],
                AlarmDescription=f"{spec['desc']} ({self.env}). app={spec['app']}",
                ActionsEnabled=bool(spec["actions"]),
                Namespace=spec["ns"],
                MetricName=spec["metric"],
                Dimensions=spec["dims"],
                Statistic=spec["stat"],
                Period=300,
                EvaluationPeriods=spec["evals"],
                DatapointsToAlarm=spec["evals"],
                Threshold=spec["threshold"],
                ComparisonOperator=spec["op"],
                TreatMissingData=spec.get("missing", "missing"),
                Tags=tag_list(self.base_tags(spec["app"])),
            )
            if spec["actions"]:
                kwargs["AlarmActions"] = spec["actions"]
                kwargs["OKActions"] = spec["actions"]
            if spec["unit"]:
                kwargs["Unit"] = spec["unit"]
            cw.put_metric_alarm(**kwargs)
            self.alarms.append(spec["name"])
            if spec["name"] in firing:
                state = "ALARM"
            elif spec["name"] in insufficient:
                state = "INSUFFICIENT_DATA"
            else:
                state = "OK"
            reason, data = self._reason(spec, state)
            cw.set_alarm_state(
                AlarmName=spec["name"],
                StateValue=state,
                StateReason=reason,
                StateReasonData=json.dumps(data),
            )

    def scaling_signals(self) -> None:
        """The alarm pairs Application Auto Scaling made for overview-web's target tracking:
        with load below target, the low alarm of each pair sits in ALARM, as in a real account."""
        cw = self.client("cloudwatch")
        pages = cw.get_paginator("describe_alarms").paginate(AlarmNamePrefix="TargetTracking-")
        for page in pages:
            for alarm in page.get("MetricAlarms", []):
                low = "-AlarmLow-" in alarm["AlarmName"]
                cw.set_alarm_state(
                    AlarmName=alarm["AlarmName"],
                    StateValue="ALARM" if low else "OK",
                    StateReason=(
                        "Threshold Crossed: 15 datapoints were less than the threshold"
                        if low
                        else "Threshold Crossed: no datapoint was greater than the threshold"
                    ),
                )

    # -- bulk --------------------------------------------------------------

    def bulk_services(self) -> None:
        n = self.extra_services
        if n <= 0:
            return
        ecs = self.client("ecs")
        clusters = [f"{self.env}-bulk-{c}" for c in "abc"]
        for name in clusters:
            ecs.create_cluster(clusterName=name, tags=ecs_tags({"env": self.env, "purpose": "bulk"}))
        td = ecs.register_task_definition(
            family="bulk",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            executionRoleArn=f"arn:aws:iam::{self.account}:role/ecsTaskExecutionRole",
            containerDefinitions=[
                {
                    "name": "worker",
                    "image": f"{ECR_REGISTRY_ACCOUNT}.dkr.ecr.{self.region}.amazonaws.com/bulk-worker:1.0.0",
                    "essential": True,
                    "cpu": 256,
                    "memory": 512,
                }
            ],
        )["taskDefinition"]["taskDefinitionArn"]
        self.taskdefs["bulk"] = [td]
        netconf = self._network_config()
        for i in range(1, n + 1):
            cluster = clusters[(i - 1) % 3]
            name = f"svc-{i:04d}"
            ecs.create_service(
                cluster=cluster,
                serviceName=name,
                taskDefinition=td,
                desiredCount=1,
                launchType="FARGATE",
                networkConfiguration=netconf,
                propagateTags="SERVICE",
                enableECSManagedTags=True,
                tags=ecs_tags({"app": f"bulk-{i % 10}", "env": self.env, "team": "bench"}),
            )
            self.services.append((cluster, name, td))

    # -- summary -----------------------------------------------------------

    def summary(self) -> str:
        cw = self.client("cloudwatch")
        firing = []
        total = 0
        pager = cw.get_paginator("describe_alarms")
        for page in pager.paginate(AlarmTypes=["MetricAlarm"]):
            for alarm in page.get("MetricAlarms", []):
                total += 1
                # The low alarm of a target-tracking pair in ALARM is scaling at work, not a page.
                if alarm["StateValue"] == "ALARM" and not alarm["AlarmName"].startswith(
                    "TargetTracking-"
                ):
                    firing.append(alarm["AlarmName"])
        generated = total - len(self.alarms)
        n_td = sum(len(v) for v in self.taskdefs.values())
        alarms = f"{total} alarms"
        if generated:
            alarms += f" ({generated} from target tracking)"
        n_clusters = len(set(c for c, _, _ in self.services) | set(self.clusters.values()))
        line = (
            f"{self.env} ({self.account}): {len(self.services)} services in "
            f"{n_clusters} clusters, {n_td} task definitions, "
            f"{len(self.dbs)} dbs, {len(self.snapshots)} snapshots, {alarms}, "
            f"{len(firing)} firing"
        )
        if firing:
            line += f" [{', '.join(sorted(firing))}]"
        return line


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Seed a moto server with Quarterdeck demo data")
    p.add_argument("--endpoint", required=True, help="moto server URL, e.g. http://127.0.0.1:5000")
    p.add_argument("--region", default="eu-west-1")
    p.add_argument(
        "--extra-services",
        type=int,
        default=0,
        metavar="N",
        help="also create N bulk services per account (svc-0001...) for benchmarks",
    )
    p.add_argument("--reset", action="store_true", help="POST /moto-api/reset before seeding")
    p.add_argument(
        "--target-health",
        metavar="FILE",
        help="write the target states real AWS would report where moto says healthy "
        "(a starting target, a failing one, one draining) as JSON, for scripts/aws_replay.py",
    )
    p.add_argument(
        "--no-autoscaling",
        action="store_true",
        help="skip the overview-web Application Auto Scaling target/policies "
        "(they add TargetTracking-* alarms)",
    )
    args = p.parse_args(argv)
    if args.extra_services < 0:
        p.error("--extra-services must be >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    endpoint = args.endpoint.rstrip("/")
    # Explicit dummy credentials only: a stray profile must not interfere,
    # and a local moto must never be reached through an HTTP proxy.
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(var, None)
    for var in ("NO_PROXY", "no_proxy"):
        current = os.environ.get(var, "")
        os.environ[var] = ",".join(x for x in (current, "127.0.0.1", "localhost") if x)
    started = time.monotonic()
    try:
        check_endpoint(endpoint)
        if args.reset:
            reset_moto(endpoint)
        keep_tasks_running(endpoint)
        base = boto3.session.Session(
            aws_access_key_id="test",
            aws_secret_access_key="test",
            aws_session_token=None,
            region_name=args.region,
        )
        now = datetime.now(timezone.utc)
        lines = []
        overrides: dict[str, dict[str, dict[str, str]]] = {}
        for env, account in ACCOUNTS:
            seeder = AccountSeeder(
                base,
                endpoint,
                args.region,
                env,
                account,
                args.extra_services,
                not args.no_autoscaling,
                now,
            )
            try:
                seeder.run()
            except ClientError as exc:
                err = exc.response.get("Error", {})
                raise SeedError(
                    f"{env} ({account}): {exc.operation_name} failed: "
                    f"{err.get('Code')}: {err.get('Message')}"
                    " (the seed expects a freshly reset moto; pass --reset)"
                ) from exc
            for note in seeder.notes:
                log(f"{env}: note: {note}")
            lines.append(seeder.summary())
            overrides.update(seeder.target_health_overrides())
    except SeedError as exc:
        log(f"error: {exc}")
        return 1
    except (BotoCoreError, ClientError) as exc:
        log(f"error: {exc}")
        return 1
    if args.target_health:
        with open(args.target_health, "w", encoding="utf-8") as out:
            json.dump(overrides, out, indent=2, sort_keys=True)
    for line in lines:
        print(line)
    print(f"seeded {len(lines)} accounts at {endpoint} in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
