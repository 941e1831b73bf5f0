#!/usr/bin/env bash
# Runs every fuzz target of the repository for a short while. It finds each
# `func FuzzXxx(` in the *_test.go files (skipping testdata and directories
# the go tool ignores) and runs, one after the other:
#   go test -run='^$' -fuzz='^FuzzXxx$' -fuzztime=<time> ./<its package>
# Usage: scripts/fuzz.sh [time]      time per target, default $FUZZTIME or 5s
# A failing target leaves its input in <package>/testdata/fuzz/FuzzXxx/:
# commit that file with the fix, so that every later `go test` replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${1:-${FUZZTIME:-5s}}"

targets=$(find . \( -name testdata -o -name vendor -o -name '[._]?*' \) -prune -o -name '*_test.go' -print |
  xargs grep -HoE '^func Fuzz[A-Za-z0-9_]*\(' |
  sed -E 's|^\./(.*)/[^/]*:func (Fuzz[A-Za-z0-9_]*)\($|\1 \2|; s|^\./[^/]*:func (Fuzz[A-Za-z0-9_]*)\($|. \1|' |
  sort -u)
if [ -z "$targets" ]; then
  echo "fuzz.sh: no fuzz targets found" >&2
  exit 1
fi

failed=()
flaked=()
start=$SECONDS
while read -r dir name; do
  echo "== $name in ./$dir ($fuzztime)"
  corpus="$dir/testdata/fuzz/$name"
  before=$(ls "$corpus" 2>/dev/null || true)
  status=0
  out=$(go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" "./$dir" 2>&1) || status=$?
  grep -v '^fuzz: elapsed' <<<"$out" || true
  [ $status -eq 0 ] && continue
  # Go 1.26's fuzz coordinator can end a -fuzztime run with a bare "context
  # deadline exceeded" and no failing input (golang/go#75804, fixed in Go
  # 1.27): that is not a finding. Anything else, or a new file in the
  # corpus, is.
  if [ "$(ls "$corpus" 2>/dev/null || true)" = "$before" ] && grep -qx '    context deadline exceeded' <<<"$out"; then
    flaked+=("$name in ./$dir")
  else
    failed+=("$name in ./$dir")
  fi
done <<<"$targets"

echo "fuzz.sh: $(wc -l <<<"$targets") targets in $((SECONDS - start))s"
if [ ${#flaked[@]} -gt 0 ]; then
  printf 'fuzz.sh: stopped by the -fuzztime race of golang/go#75804, no failing input: %s\n' "${flaked[@]}" >&2
fi
if [ ${#failed[@]} -gt 0 ]; then
  printf 'fuzz.sh: FAILED %s\n' "${failed[@]}" >&2
  exit 1
fi
