#!/usr/bin/env bash
# Static checks with staticcheck (honnef.co/go/tools), installed at the
# pinned version when missing. Any finding fails. Usage: scripts/staticcheck.sh
set -euo pipefail
cd "$(dirname "$0")/.."
version=v0.8.2

bin="$(go env GOPATH)/bin/staticcheck"
if ! "$bin" -version 2>/dev/null | grep -qF "(${version#v})"; then
  echo "installing staticcheck $version" >&2
  go install "honnef.co/go/tools/cmd/staticcheck@$version"
fi
"$bin" ./...
echo "staticcheck $version: no findings"
