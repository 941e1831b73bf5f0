#!/usr/bin/env bash
# Static checks with staticcheck (honnef.co/go/tools), installed at the
# pinned version when missing. Usage: scripts/staticcheck.sh
#
# fail_on_findings is false while the tree still has findings in code
# being worked on; set it to true once `scripts/staticcheck.sh` prints
# nothing, so that new findings fail CI.
set -euo pipefail
cd "$(dirname "$0")/.."
version=v0.8.2
fail_on_findings=false

bin="$(go env GOPATH)/bin/staticcheck"
if ! "$bin" -version 2>/dev/null | grep -qF "(${version#v})"; then
  echo "installing staticcheck $version" >&2
  go install "honnef.co/go/tools/cmd/staticcheck@$version"
fi

if out=$("$bin" ./... 2>&1); then
  echo "staticcheck $version: no findings"
  exit 0
fi
echo "$out"
if [ "$fail_on_findings" = true ]; then
  echo "staticcheck: findings above" >&2
  exit 1
fi
echo "staticcheck: findings above (reported, not failing yet: see fail_on_findings in $0)" >&2
