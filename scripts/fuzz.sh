#!/usr/bin/env bash
# Runs every Go fuzz target for the given time each (default 10s; `npm test` runs it with 10s):
#   scripts/fuzz.sh 10m     # a longer search, e.g. before a release
# A crasher is written under the package's testdata/fuzz/<Target>/ by Go; commit it and it runs as a regular
# test case from then on (go test always replays testdata/fuzz).
source "$(dirname "$0")/lib.sh"

fuzztime="${1:-10s}"
for target in "./pkg/query FuzzParse" "./pkg/query FuzzResolveWindow" "./pkg/settings FuzzParse"; do
  read -r pkg name <<<"$target"
  stage "fuzz $pkg $name ($fuzztime)"
  go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime"
done
