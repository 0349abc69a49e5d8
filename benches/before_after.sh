#!/usr/bin/env bash
# Paired before/after on the e2e bench: one stream_server, two e2e_client binaries (say, built
# from main and from a branch), alternating which goes first in each pair; the ratio of each
# pair is taken before the median, so a busy moment hits both sides. Prints one line per kind.
#
#   git archive main | tar -x -C /tmp/before && ln -s "$PWD/../shared" /tmp/shared
#   (cd /tmp/before && CARGO_TARGET_DIR=$PWD/target cargo build --release -p benches --bin e2e_client)
#   cargo build --release -p benches --bin stream_server --bin e2e_client
#   benches/before_after.sh /tmp/before/target/release/e2e_client target/release/e2e_client
#
# Options (environment): PAIRS (default 10), CHUNKS (default 200000), KINDS (default
# "hyper-ct hyper-mt smol"), BUSY=1 (a nice-19 spinner per core, as e2e.sh --busy).
# Bounded: every client run and spinner has a time limit; the server exits after 15 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$1 after=$2
pairs=${PAIRS:-10} chunks=${CHUNKS:-200000} kinds=${KINDS:-"hyper-ct hyper-mt smol"}
target_dir=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
out=$(mktemp -d)
"$target_dir/release/stream_server" --max-secs 900 >"$out/port" 2>"$out/server.log" &
pids=("$!")
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$out"' EXIT
if [[ ${BUSY:-0} == 1 ]]; then
  for _ in $(seq "$(nproc)"); do
    nice -n 19 timeout 900 sh -c 'while :; do :; done' &
    pids+=("$!")
  done
fi
for _ in $(seq 50); do [[ -s "$out/port" ]] && break; sleep 0.1; done
port=$(head -n1 "$out/port")
[[ -n "$port" ]] || { echo "the server did not start" >&2; exit 1; }
for kind in $kinds; do
  for p in $(seq "$pairs"); do
    if ((p % 2)); then order="before after"; else order="after before"; fi
    for side in $order; do
      bin=$before
      [[ $side == after ]] && bin=$after
      r=$(timeout 300 "$bin" --port "$port" --kind "$kind" --chunks "$chunks")
      echo "{\"side\": \"$side\", \"pair\": $p, \"r\": $r}" >>"$out/pairs.jsonl"
    done
  done
done
python3 - "$out/pairs.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
kinds = dict.fromkeys(r["r"]["kind"] for r in rows)
for kind in kinds:
    by = {}
    for r in rows:
        if r["r"]["kind"] == kind:
            assert r["r"].get("ok"), r
            by.setdefault(r["pair"], {})[r["side"]] = r["r"]["cpu_us_per_chunk"]
    ratios = [v["after"] / v["before"] for v in by.values()]
    b = statistics.median(v["before"] for v in by.values())
    a = statistics.median(v["after"] for v in by.values())
    print(f"{kind}: before {b:.3f} µs/chunk, after {a:.3f} µs/chunk, median of pair ratios "
          f"{statistics.median(ratios):.3f} ({len(ratios)} pairs, {min(ratios):.2f}–{max(ratios):.2f})")
PY
