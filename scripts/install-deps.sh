#!/usr/bin/env bash
# The one list of system packages flowlens needs to build, run and test.
# Idempotent: installs only what is missing. Debian/Ubuntu (apt); sudo when not root.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake pkg-config ccache git clang
  # libFuzzer and clang's sanitizer runtimes (make test-fuzz): clang only recommends them,
  # and --no-install-recommends below would leave them out
  libclang-rt-dev
  # runtime libraries
  liblua5.4-dev lua5.4 lua-dkjson
  libhiredis-dev redis-server redis-tools libsqlite3-dev
  libcivetweb-dev
  libssl-dev libargon2-dev liboath-dev libcap-dev libqrencode-dev
  libspdlog-dev libfmt-dev
  libcli11-dev
  nlohmann-json3-dev
  # the daemon's malloc (tcmalloc_minimal)
  libgoogle-perftools-dev
  # packet capture and DPI
  libpcap-dev libndpi-dev
  # host enrichment: GeoIP/ASN databases, asynchronous DNS, MAC vendors (IEEE lists)
  libmaxminddb-dev libc-ares-dev ieee-data
  # Lua's HTTP client (libcurl) and RRD timeseries (librrd; rrdtool checks the files in tests)
  libcurl4-openssl-dev librrd-dev rrdtool
  # SNMP from scripts (net-snmp); the tests run their own snmpd (Debian also starts its
  # service on install, on localhost only)
  libsnmp-dev snmpd
  # ZMQ subscriber for scripts (spec section 22)
  libzmq3-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  curl wrk python3 procps
  # packet benchmarks (ndpiReader, GNU time for peak RSS) and live-capture tests
  libndpi-bin time tcpreplay iproute2
  # resolver tests: a DNS server on loopback
  dnsmasq-base
  # REST answers checked against the OpenAPI description; /metrics parsed by Prometheus's parser
  python3-jsonschema python3-prometheus-client
  # the web UI: built with npm (Vite, ECharts), tested in headless Chromium (Playwright)
  nodejs chromium
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# npm ships inside NodeSource's nodejs; Debian's nodejs needs its own npm package.
if ! command -v npm >/dev/null 2>&1 && ! dpkg-query -W -f='${Status}' npm 2>/dev/null | grep -q "install ok installed"; then
  missing+=(npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: missing packages (${missing[*]}) and no apt-get; install them by hand" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
