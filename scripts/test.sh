#!/usr/bin/env bash
# Runs Sidi's whole test suite on both engines: embedded SQLite always, and
# PostgreSQL on the local server (started here when it is installed but
# stopped). Installs Debian's chromium and CJK fonts for the browser tests
# when run as root and they are missing, and axe-core from npm for the
# accessibility test (npm from Debian too when it is missing).
set -euo pipefail
cd "$(dirname "$0")/.."

axe_dir=internal/web/testdata/axe
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || need_apt+=(fonts-noto-cjk)
[ -f "$axe_dir/node_modules/axe-core/axe.min.js" ] || command -v npm >/dev/null 2>&1 || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "warning: missing ${need_apt[*]}; browser tests will fail (install with apt-get)" >&2
  fi
fi
if [ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ]; then
  echo "== npm ci in $axe_dir (axe-core for the accessibility test)"
  if ! (command -v npm >/dev/null 2>&1 && cd "$axe_dir" && npm ci --no-audit --no-fund); then
    if [ "${CI:-}" = true ]; then
      echo "CI needs axe-core but npm ci failed in $axe_dir" >&2
      exit 1
    fi
    echo "warning: axe-core not installed; the accessibility test will be skipped" >&2
  fi
fi

if [ -z "${SIDI_TEST_POSTGRES:-}" ]; then
  if command -v pg_isready >/dev/null 2>&1; then
    if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
      echo "== starting PostgreSQL"
      if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
      fi
      for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
    fi
    if pg_isready -h 127.0.0.1 -p 5432 -q; then
      export SIDI_TEST_POSTGRES="postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
    fi
  fi
fi
if [ -n "${SIDI_TEST_POSTGRES:-}" ]; then
  echo "== PostgreSQL tests on ${SIDI_TEST_POSTGRES%%\?*}"
elif [ "${CI:-}" = true ]; then
  echo "CI needs PostgreSQL but none answers on 127.0.0.1:5432" >&2
  exit 1
else
  echo "warning: no PostgreSQL; its tests will be skipped" >&2
fi

# The MQTT tests (telemetry ingest, kill -9 of an ingester) use Mosquitto on
# 127.0.0.1:1883, started here when it is installed but not answering.
mqtt_up() { (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; }
if [ -z "${SIDI_TEST_MQTT:-}" ]; then
  if ! mqtt_up && command -v mosquitto >/dev/null 2>&1 && [ -f /etc/mosquitto/mosquitto.conf ]; then
    echo "== starting Mosquitto"
    mosquitto -d -c /etc/mosquitto/mosquitto.conf || true
    for _ in $(seq 1 20); do mqtt_up && break; sleep 0.5; done
  fi
  if mqtt_up; then
    export SIDI_TEST_MQTT="tcp://127.0.0.1:1883"
  fi
fi
if [ -n "${SIDI_TEST_MQTT:-}" ]; then
  echo "== MQTT tests on $SIDI_TEST_MQTT"
elif [ "${CI:-}" = true ]; then
  echo "CI needs an MQTT broker but none answers on 127.0.0.1:1883" >&2
  exit 1
else
  echo "warning: no MQTT broker; its tests will be skipped" >&2
fi

echo "== go vet"
go vet ./...
echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt needed on: $unformatted" >&2; exit 1; fi
echo "== go test (SQLite + PostgreSQL)"
go test -count=1 -timeout 30m "$@" ./...
