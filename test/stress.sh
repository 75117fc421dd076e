#!/usr/bin/env bash
# `npm run test:stress`: the whole `npm test` while one busy loop per core holds the CPU, with every
# end-to-end test run three times. A test that passes only on an idle machine fails here; run it
# after touching anything that waits (tests, polling, timers, the player) and before trusting CI.
set -uo pipefail
cd "$(dirname "$0")/.."
loops=()
stop_loops() { for pid in "${loops[@]}"; do kill "$pid" 2>/dev/null; done; }
trap stop_loops EXIT
for _ in $(seq "$(nproc)"); do
  node -e 'for (;;) {}' &
  loops+=($!)
done
echo "stress: ${#loops[@]} busy loops (pids ${loops[*]}); end-to-end tests repeated 3 times"
bash test/run-all.sh --repeat-each 3
