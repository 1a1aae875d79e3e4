#!/usr/bin/env bash
# Smoke test of a running local stack with no Node.js involved (Java Kafka tools from the cached
# libs, redis-cli, curl with SigV4, promtool):
#
#   deploy/local/stack.sh up kafka kafka-sasl redis redis-cluster s3 prometheus
#   deploy/local/smoke.sh [component...]      # default: whatever `stack.sh status` shows running
#
# Kafka: creates a topic, produces and consumes one message over PLAINTEXT (19092) and over
# SASL_SSL/PLAIN (19094, CA from KAFKA_SASL_CA_FILE), and checks a wrong password is refused.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec 3>&1 1>&2
# shellcheck source=lib/common.sh
source "$LOCAL_DIR/lib/common.sh"
# shellcheck source=lib/kafka.sh
source "$LOCAL_DIR/lib/kafka.sh"
# shellcheck source=lib/redis.sh
source "$LOCAL_DIR/lib/redis.sh"
# shellcheck source=lib/s3proxy.sh
source "$LOCAL_DIR/lib/s3proxy.sh"
# shellcheck source=lib/tools.sh
source "$LOCAL_DIR/lib/tools.sh"

PASSED=0
FAILED=0
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
STAMP="$(date +%s)-$$"

check() {
  local what="$1"
  shift
  local t0
  t0=$(now_s)
  if "$@"; then
    PASSED=$((PASSED + 1))
    log "ok   $what ($(($(now_s) - t0))s)"
  else
    FAILED=$((FAILED + 1))
    log "FAIL $what"
  fi
}

# ------------------------------------------------------------------ kafka

kafka_producer_class() {
  if [[ "$(kafka_major)" == 3 ]]; then echo kafka.tools.ConsoleProducer; else echo org.apache.kafka.tools.ConsoleProducer; fi
}

# kafka_roundtrip BOOTSTRAP CLIENT_CONFIG: create topic, produce 1 message, consume it back.
kafka_roundtrip() {
  local bootstrap="$1" cfg="$2" topic="smoke-$STAMP-$RANDOM" msg="hello-$STAMP-$RANDOM" got
  KAFKA_TOOL_TIMEOUT=60 kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" \
    --command-config "$cfg" --create --if-not-exists --topic "$topic" --partitions 3 --replication-factor 1 >&2 || return 1
  printf '%s\n' "$msg" | KAFKA_TOOL_TIMEOUT=60 kafka_tool "$(kafka_producer_class)" --bootstrap-server "$bootstrap" \
    --producer.config "$cfg" --topic "$topic" --producer-property acks=all >&2 || return 1
  got="$(KAFKA_TOOL_TIMEOUT=90 kafka_tool org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$bootstrap" \
    --consumer.config "$cfg" --topic "$topic" --from-beginning --max-messages 1 --timeout-ms 60000 \
    --group "smoke-$STAMP" 2>>"$TMP/consumer.err")" || {
    cat "$TMP/consumer.err" >&2
    return 1
  }
  # (Kafka 4.x console tools also print deprecation notes about --consumer.config on stdout)
  grep -qxF -- "$msg" <<<"$got" || {
    log "expected '$msg', consumed '$got'"
    return 1
  }
}

kafka_plain_roundtrip() {
  : >"$TMP/plain.properties"
  kafka_roundtrip "$BIND_HOST:$KAFKA_PORT" "$TMP/plain.properties"
}

sasl_properties() {
  local password="$1"
  cat <<EOF
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="$KAFKA_SASL_USERNAME" password="$password";
ssl.truststore.type=PEM
ssl.truststore.location=$KAFKA_CA_FILE
EOF
}

kafka_sasl_roundtrip() {
  sasl_properties "$KAFKA_SASL_PASSWORD" >"$TMP/sasl.properties"
  kafka_roundtrip "$BIND_HOST:$KAFKA_SASL_PORT" "$TMP/sasl.properties"
}

kafka_sasl_bad_password_refused() {
  sasl_properties 'AKID#WRONG' >"$TMP/sasl-bad.properties"
  if KAFKA_TOOL_TIMEOUT=60 kafka_tool org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$BIND_HOST:$KAFKA_SASL_PORT" --command-config "$TMP/sasl-bad.properties" \
    --list >/dev/null 2>"$TMP/bad.err"; then
    log "a wrong password was accepted"
    return 1
  fi
  grep -q 'SaslAuthenticationException\|Authentication failed' "$TMP/bad.err"
}

kafka_tls_cert_ok() {
  # the CA verifies the broker's certificate for both 127.0.0.1 and localhost
  openssl s_client -connect "$BIND_HOST:$KAFKA_SASL_PORT" -CAfile "$KAFKA_CA_FILE" \
    -verify_return_error -verify_ip 127.0.0.1 </dev/null >"$TMP/s_client.out" 2>&1 &&
    openssl s_client -connect "$BIND_HOST:$KAFKA_SASL_PORT" -CAfile "$KAFKA_CA_FILE" \
      -verify_return_error -verify_hostname localhost -servername localhost </dev/null >>"$TMP/s_client.out" 2>&1
}

# ------------------------------------------------------------------ redis

redis_roundtrip() {
  local v="v-$STAMP"
  [[ "$(redis-cli -p "$REDIS_PORT" set "smoke:$STAMP" "$v")" == OK ]] &&
    [[ "$(redis-cli -p "$REDIS_PORT" get "smoke:$STAMP")" == "$v" ]]
}

redis_cluster_roundtrip() {
  local i port
  redis_cluster_ok || return 1
  # keys spread over all three masters; write through one node, read through another
  for i in 1 2 3 4 5 6; do
    [[ "$(redis-cli -c -p "${REDIS_CLUSTER_PORTS[0]}" set "smoke:$STAMP:$i" "$i")" == OK ]] || return 1
  done
  for i in 1 2 3 4 5 6; do
    port="${REDIS_CLUSTER_PORTS[2]}"
    [[ "$(redis-cli -c -p "$port" get "smoke:$STAMP:$i")" == "$i" ]] || return 1
  done
}

# ------------------------------------------------------------------ s3

# curl 7.88 (Debian 12) signs SigV4 but does not add x-amz-content-sha256, which S3 requires
s3_curl() {
  curl -sS -f -m 30 --aws-sigv4 "aws:amz:$S3_REGION:s3" --user "$S3_ACCESS_KEY_ID:$S3_SECRET_ACCESS_KEY" \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$@"
}

s3_roundtrip() {
  local bucket="smoke-$STAMP" url="http://$BIND_HOST:$S3_PORT" got
  printf 'hello %s\n' "$STAMP" >"$TMP/object.txt"
  s3_curl -X PUT "$url/$bucket" >/dev/null || return 1
  s3_curl -T "$TMP/object.txt" "$url/$bucket/dir/object.txt" >/dev/null || return 1
  got="$(s3_curl "$url/$bucket/dir/object.txt")" || return 1
  [[ "$got" == "hello $STAMP" ]] || return 1
  s3_curl "$url/$bucket?list-type=2" | grep -q '<Key>dir/object.txt</Key>' || return 1
  s3_curl -X DELETE "$url/$bucket/dir/object.txt" >/dev/null &&
    s3_curl -X DELETE "$url/$bucket" >/dev/null
}

s3_bad_key_refused() {
  local code
  code="$(curl -s -o /dev/null -m 30 -w '%{http_code}' --aws-sigv4 "aws:amz:$S3_REGION:s3" \
    --user "$S3_ACCESS_KEY_ID:wrong-secret" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
    "http://$BIND_HOST:$S3_PORT/")"
  [[ "$code" == 403 ]]
}

# ------------------------------------------------------------------ main

components=("$@")
if ((${#components[@]} == 0)); then
  kafka_status >/dev/null && components+=(kafka kafka-sasl)
  redis_status >/dev/null && components+=(redis)
  redis_cluster_status >/dev/null && components+=(redis-cluster)
  s3proxy_status >/dev/null && components+=(s3)
  prometheus_status >/dev/null && components+=(prometheus)
  chromium_status >/dev/null && components+=(chromium)
fi
((${#components[@]} > 0)) || die "nothing is running; start it with deploy/local/stack.sh up"
log "smoke: ${components[*]}"

for c in "${components[@]}"; do
  case "$c" in
    kafka) check "kafka PLAINTEXT topic/produce/consume" kafka_plain_roundtrip ;;
    kafka-sasl)
      check "kafka SASL_SSL certificate verifies for 127.0.0.1 and localhost" kafka_tls_cert_ok
      check "kafka SASL_SSL/PLAIN topic/produce/consume" kafka_sasl_roundtrip
      check "kafka SASL_SSL refuses a wrong password" kafka_sasl_bad_password_refused
      ;;
    redis) check "redis SET/GET" redis_roundtrip ;;
    redis-cluster) check "redis-cluster SET/GET across 3 masters" redis_cluster_roundtrip ;;
    s3) check "s3 create bucket/put/get/list/delete (SigV4, path-style)" s3_roundtrip
        check "s3 refuses a wrong secret" s3_bad_key_refused ;;
    prometheus) check "promtool runs" promtool --version ;;
    chromium) check "chromium runs headless" timeout 60 "$CHROMIUM_BIN" --headless --no-sandbox --disable-gpu --dump-dom 'data:text/html,<p>ok</p>' ;;
    *) die "unknown component '$c'" ;;
  esac
done

printf 'smoke: %s passed, %s failed\n' "$PASSED" "$FAILED" >&3
((FAILED == 0))
