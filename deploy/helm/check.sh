#!/usr/bin/env bash
# Checks the chart helm/trail-insight without a cluster:
#   1. `helm lint --strict` with the default values and with deploy/helm/ci-values.yaml
#      ("all features on");
#   2. `helm template` with both, validated by `kubeconform -strict` against the Kubernetes JSON
#      schemas that install-tools.sh unpacks (no network: kubeconform's default schema source is
#      on GitHub). Kinds without a schema (the ServiceMonitor CRD) are skipped and reported in the
#      summary; libs/testing/src/deploy-checks.integration-spec.ts checks those structurally;
#   3. templates/checks.yaml: each invalid combination below must fail with its message.
#
#   bash deploy/helm/check.sh [--out DIR]     DIR keeps default.yaml and ci.yaml (rendered)
#
# Installs helm/kubeconform first when missing (deploy/helm/install-tools.sh). Exit 0 only when
# every step passed; ends with "check.sh: N passed, N failed".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CHART="$ROOT/helm/trail-insight"
CI_VALUES="$ROOT/deploy/helm/ci-values.yaml"
RELEASE=trail-insight
NAMESPACE=trail-insight

OUT=""
while (($# > 0)); do
  case "$1" in
    --out)
      OUT="$2"
      shift 2
      ;;
    *)
      printf 'usage: %s [--out DIR]\n' "$0" >&2
      exit 2
      ;;
  esac
done
if [[ -z "$OUT" ]]; then
  OUT="$(mktemp -d)"
  trap 'rm -rf "$OUT"' EXIT
fi
mkdir -p "$OUT"

eval "$(bash "$ROOT/deploy/helm/install-tools.sh")"

passed=0
failed=0
pass() {
  passed=$((passed + 1))
  printf 'ok    %s\n' "$1"
}
fail() {
  failed=$((failed + 1))
  printf 'FAIL  %s\n' "$1"
}

# step NAME COMMAND...: runs COMMAND, shows its output, counts the outcome.
step() {
  local name="$1"
  shift
  local output
  if output="$("$@" 2>&1)"; then
    pass "$name"
  else
    fail "$name"
  fi
  [[ -z "$output" ]] || printf '%s\n' "$output" | sed 's/^/      /'
}

kubeconform_check() {
  "$KUBECONFORM" -strict -ignore-missing-schemas -summary \
    -kubernetes-version "$KUBE_SCHEMA_VERSION" \
    -schema-location "$KUBE_SCHEMA_DIR/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    "$1"
}

render() {
  "$HELM" template "$RELEASE" "$CHART" --namespace "$NAMESPACE" \
    --kube-version "$KUBE_SCHEMA_VERSION" "$@"
}

step "helm lint --strict (default values)" "$HELM" lint --strict "$CHART"
step "helm lint --strict (ci-values.yaml)" "$HELM" lint --strict "$CHART" -f "$CI_VALUES"

for variant in default ci; do
  args=()
  [[ "$variant" == ci ]] && args=(-f "$CI_VALUES")
  if render "${args[@]}" >"$OUT/$variant.yaml" 2>"$OUT/$variant.err"; then
    pass "helm template ($variant)"
    step "kubeconform ($variant: $(grep -c '^kind:' "$OUT/$variant.yaml") resources)" \
      kubeconform_check "$OUT/$variant.yaml"
  else
    fail "helm template ($variant)"
    sed 's/^/      /' "$OUT/$variant.err"
  fi
done

# must_fail NAME EXPECTED-MESSAGE-PART HELM-ARGS...: rendering must fail, naming the problem.
must_fail() {
  local name="$1" expected="$2"
  shift 2
  local output
  if output="$(render "$@" 2>&1 >/dev/null)"; then
    fail "checks.yaml rejects: $name (rendered without error)"
  elif [[ "$output" != *"$expected"* ]]; then
    fail "checks.yaml rejects: $name (message lacks '$expected')"
    printf '%s\n' "$output" | head -n 5 | sed 's/^/      /'
  else
    pass "checks.yaml rejects: $name"
  fi
}

must_fail "image without a digest" "image.digest is required" --set image.digest=
must_fail "image with a tag as digest" "is not a digest" --set image.digest=latest
must_fail "unknown service" "services.sink-s3: unknown service" --set services.sink-s3.enabled=true
must_fail "every service disabled" "every service is disabled" \
  --set services.ingest.enabled=false --set services.detector.enabled=false \
  --set services.aggregator.enabled=false --set services.console.enabled=false
must_fail "redis url missing" "Redis URL missing" --set redis.env.REDIS_URL=
must_fail "redis url with a password" "holds a password" \
  --set 'redis.env.REDIS_URL=redis://:hunter2@redis:6379'
must_fail "both a Redis URL and cluster nodes" "set exactly one of REDIS_URL" \
  --set redis.env.REDIS_CLUSTER_NODES=redis-0:6379
must_fail "a Redis variable no service reads" "no service reads it" --set redis.env.REDIS_DB=2
must_fail "Redis password as a plain value" "must come from an existing Secret" \
  --set redis.env.REDIS_PASSWORD=hunter2
must_fail "REDIS_PREFIX and its deprecated name STATE_PREFIX differ" \
  'redis.env.STATE_PREFIX ("dev:") is the deprecated name of redis.env.REDIS_PREFIX ("prod:")' \
  --set redis.env.REDIS_PREFIX=prod: --set redis.env.STATE_PREFIX=dev:
must_fail "detector and console on different key prefixes" "the console reads them under" \
  --set services.console.env.REDIS_PREFIX=other:
must_fail "STATE_PREFIX from a Secret (only the plain deprecated name is read)" "no service reads it" \
  --set redis.secretEnv.STATE_PREFIX.name=s --set redis.secretEnv.STATE_PREFIX.key=k
must_fail "kafka brokers missing" "KAFKA_BROKERS is required" --set kafka.env.KAFKA_BROKERS=
must_fail "sasl without a secret" "kafka.secretEnv.KAFKA_SASL_USERNAME" \
  --set kafka.env.KAFKA_SASL_MECHANISM=plain
must_fail "credential as a plain value" "must come from an existing Secret" \
  --set services.sink-oss.env.OSS_ACCESS_KEY_SECRET=plain-text
must_fail "secret reference without a key" "must be {name: <existing Secret>, key: <key in it>}" \
  --set secretEnv.LOG_LEVEL.name=only-a-name
must_fail "HTTP_PORT set by values" "is set by the chart" --set env.HTTP_PORT=9000
must_fail "sink-sls without project" "services.sink-sls.env.SLS_PROJECT is empty" \
  --set services.sink-sls.enabled=true
must_fail "sink-sls without region or endpoint" "neither services.sink-sls.env.SLS_REGION" \
  --set services.sink-sls.enabled=true --set services.sink-sls.env.SLS_PROJECT=audit \
  --set services.sink-sls.env.SLS_LOGSTORE=insights
must_fail "sink-sls without its Secret" "services.sink-sls.secretEnv.SLS_ACCESS_KEY_ID is missing" \
  --set services.sink-sls.enabled=true --set services.sink-sls.env.SLS_PROJECT=audit \
  --set services.sink-sls.env.SLS_LOGSTORE=insights --set services.sink-sls.env.SLS_REGION=cn-hangzhou
must_fail "sink-oss without bucket" "services.sink-oss.env.OSS_BUCKET is empty" \
  --set services.sink-oss.enabled=true
must_fail "sink-oss without its Secret" "services.sink-oss.secretEnv.OSS_ACCESS_KEY_ID is missing" \
  --set services.sink-oss.enabled=true --set services.sink-oss.env.OSS_BUCKET=audit \
  --set services.sink-oss.env.OSS_REGION=cn-hangzhou
must_fail "detector PDB that blocks drains" "maxUnavailable is 0" \
  --set services.detector.pdb.maxUnavailable=0
must_fail "grace period too short" "is below 10 s" --set pod.terminationGracePeriodSeconds=5
must_fail "detector replicas > partitions (warnings as errors)" \
  "services.detector.replicas (8) > kafka.env.KAFKA_TOPIC_PARTITIONS (6)" \
  --set services.detector.replicas=8 --set checks.warningsAreErrors=true
must_fail "ServiceMonitor without metrics Services" "needs metrics.service.enabled" \
  --set metrics.serviceMonitor.enabled=true --set metrics.service.enabled=false

# The same finding is only a warning by default: a comment in the rendered output (and a line of
# the install notes).
if rendered="$(render --set services.detector.replicas=8 2>&1)" &&
  [[ "$rendered" == *"# WARNING: services.detector.replicas (8) > kafka.env.KAFKA_TOPIC_PARTITIONS (6)"* ]]; then
  pass "detector replicas > partitions is a warning by default"
else
  fail "detector replicas > partitions is a warning by default"
  printf '%s\n' "$rendered" | head -n 20 | sed 's/^/      /'
fi

# The deprecated redis.env.STATE_PREFIX (one release): given to the detector and the console as
# REDIS_PREFIX, never rendered itself, and a warning.
if rendered="$(render --set redis.env.STATE_PREFIX=legacy: 2>&1)" &&
  [[ "$rendered" == *"# WARNING: redis.env.STATE_PREFIX is deprecated"* ]] &&
  [[ "$(grep -A1 -- '- name: REDIS_PREFIX$' <<<"$rendered" | grep -c 'value: "legacy:"')" == 2 ]] &&
  [[ "$rendered" != *"name: STATE_PREFIX"* ]]; then
  pass "deprecated redis.env.STATE_PREFIX becomes REDIS_PREFIX of the detector and the console, with a warning"
else
  fail "deprecated redis.env.STATE_PREFIX becomes REDIS_PREFIX of the detector and the console, with a warning"
  printf '%s\n' "$rendered" | grep -n -A1 'PREFIX\|WARNING' | head -n 20 | sed 's/^/      /'
fi

printf 'check.sh: %d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
