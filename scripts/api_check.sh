#!/usr/bin/env bash
# Runs schemathesis (PyPI) against a running console's automation API: every operation of
# /api/v1/openapi.json with generated valid and invalid input, checking that nothing answers
# 5xx and every response matches the document. Needs a console with dev sign-in (the demo's and
# the test command's) and the project's venv.
#   scripts/api_check.sh BASE_URL
set -euo pipefail
QD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="${1:?usage: scripts/api_check.sh BASE_URL}"
venv="$QD_ROOT/.venv"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "4.32.5"; then
    echo "==> installing schemathesis 4.32.5 into $venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==4.32.5" >&2
fi
jar="$(mktemp)"
trap 'rm -f "$jar"' EXIT
# An admin of the dev sign-in creates a short-lived operator token for the run.
curl -fsS -c "$jar" -b "$jar" -o /dev/null -H "Origin: $base" \
    --data-urlencode user=api-check --data-urlencode role=admin --data-urlencode next=/ \
    "$base/auth/dev-login"
name="schemathesis-$(date +%s)"
secret="$(curl -fsS -c "$jar" -b "$jar" -H "Origin: $base" \
    --data-urlencode "name=$name" --data-urlencode owner=api-check --data-urlencode 'envs=*' \
    --data-urlencode role=operator --data-urlencode days=1 \
    "$base/api/create_token" | "$venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["secret"])')"
cd "$QD_ROOT/.test" 2>/dev/null || cd "$(mktemp -d)"
"$venv/bin/schemathesis" run "$base/api/v1/openapi.json" \
    --header "Authorization: Bearer $secret" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --max-examples "${QD_API_CHECK_EXAMPLES:-40}" \
    --generation-deterministic \
    --request-timeout 10 \
    --workers 1 \
    --warnings off
