# shellcheck shell=bash
# Tools that are installed but not run as servers.
#   prometheus  Debian's prometheus package, for `promtool` (rule/config checks) -> PROMTOOL
#               The package's own service is not started (policy-rc.d, see apt_install).
#   chromium    Debian's chromium, for headless browser tests             -> CHROMIUM_PATH

PROMTOOL_BIN=/usr/bin/promtool
CHROMIUM_BIN=/usr/bin/chromium

prometheus_prepare() {
  if ! command -v promtool >/dev/null 2>&1; then
    apt_install prometheus
  fi
  PROMTOOL_BIN="$(command -v promtool)" || die "prometheus: promtool still missing after install"
}
prometheus_start() { :; }
prometheus_wait() { :; }
prometheus_stop() { :; }
prometheus_status() {
  if command -v promtool >/dev/null 2>&1; then
    printf 'prometheus: installed (%s; no server is run)\n' "$(command -v promtool)"
    return 0
  fi
  printf 'prometheus: not installed\n'
  return 1
}
prometheus_env() { emit PROMTOOL "$PROMTOOL_BIN"; }

chromium_prepare() {
  if [[ ! -x "$CHROMIUM_BIN" ]]; then
    # fonts so screenshots show text; the rest of chromium's recommends are desktop extras
    apt_install chromium fonts-liberation
  fi
  [[ -x "$CHROMIUM_BIN" ]] || die "chromium: $CHROMIUM_BIN still missing after install"
}
chromium_start() { :; }
chromium_wait() { :; }
chromium_stop() { :; }
chromium_status() {
  if [[ -x "$CHROMIUM_BIN" ]]; then
    printf 'chromium: installed (%s)\n' "$CHROMIUM_BIN"
    return 0
  fi
  printf 'chromium: not installed\n'
  return 1
}
chromium_env() { emit CHROMIUM_PATH "$CHROMIUM_BIN"; }
