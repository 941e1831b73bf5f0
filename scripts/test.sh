#!/usr/bin/env bash
# The whole test suite: installs the outside tools the tests check our
# outputs with (openssl, poppler, NSS tools, chromium) and PostgreSQL's server
# binaries, then vet, staticcheck,
# the race tests (the process-level tests of e2e/ included: they kill the real
# binary, fill a small tmpfs, drive a browser) and every fuzz target for 5s.
# Usage: scripts/test.sh [extra go test flags]
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v openssl   >/dev/null || need+=(openssl)
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v certutil  >/dev/null || need+=(libnss3-tools)
command -v chromium  >/dev/null || need+=(chromium)
command -v softhsm2-util >/dev/null || need+=(softhsm2)
[ -f /usr/share/java/pdfbox2.jar ] || need+=(libpdfbox2-java)
[ -f /usr/share/java/bcpkix.jar ]  || need+=(libbcpkix-java)
command -v javac     >/dev/null || need+=(default-jdk-headless)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# Debian's python3 (not a pyenv one) checks ETSI evidence (internal/etsicheck)
/usr/bin/python3 -c 'import jsonschema, jwcrypto' 2>/dev/null || need+=(python3-jsonschema python3-jwcrypto)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  elif command -v sudo >/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing tools: ${need[*]} (install them with apt-get)" >&2
  fi
fi

go mod download
go vet ./...
# core is the domain: it must not depend on any adapter or infrastructure;
# the transparency tree (tlog) is a pure leaf both sides may import.
adapters='lre/(storage|web|certs|cmd|rfc3161|smtp|webhook|metrics|audit|oidc|internal|jades)(/|$)'
infra='go.etcd.io/bbolt|coreos/go-oidc|golang.org/x/oauth2|labstack/echo|go-pdf/fpdf|emersion/go-smtp|jackc/pgx|chromedp|prometheus/client_golang|digitorus/|jhillyerd/enmime'
if go list -deps ./core/... | grep -E "$infra|$adapters"; then
  echo "core imports infrastructure (see README, Architecture)" >&2
  exit 1
fi
scripts/staticcheck.sh
# Fuzz first, so that the race tests' summary closes the output.
scripts/fuzz.sh 5s
# The store conformance suite: the store's own tests and those that run the
# service on a store built by internal/lretest, again on a throw-away
# PostgreSQL cluster (internal/pgtest). e2e and cmd/lre stay out of this
# pass: their tests run the real binary, or its commands on a data
# directory's bbolt file (e2e/postgres_test.go starts PostgreSQL itself), so
# a second pass would only repeat them.
LRE_TEST_STORE=postgres go test -race -count=1 "$@" ./storage/... $(go list -f '{{if or (.Imports) (.TestImports) (.XTestImports)}}{{.ImportPath}} {{join .XTestImports " "}} {{join .TestImports " "}}{{end}}' ./... | awk '/internal\/lretest/ {print $1}' | grep -v -e internal/lretest -e '/e2e$' -e '/cmd/lre$' | sort -u)
go test -race -count=1 "$@" ./...
