#!/usr/bin/env bash
# Runs the decoder and embed benchmarks and the allocation report, then prints one table of
# throughput and ratios against the serde_json baseline measured in the same run.
#
#   benches/report.sh            # full criterion times (the machine should be quiet)
#   benches/report.sh --quick    # 1 s warm-up, 3 s measurement per benchmark
#
# Extra arguments go to criterion (e.g. a filter: `benches/report.sh --quick chat`).
set -euo pipefail
cd "$(dirname "$0")/.."

criterion_args=()
if [[ "${1:-}" == "--quick" ]]; then
  criterion_args+=(--warm-up-time 1 --measurement-time 3)
  shift
fi
criterion_args+=("$@")

target_dir=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
log_dir="$target_dir/bench-report"
mkdir -p "$log_dir"
stamp="$log_dir/started"
touch "$stamp"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
machine="machine: $(nproc) cores, ${cpu:-unknown CPU}, $(uname -sr), $(rustc --version)"
load="load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

for bench in decode embed; do
  echo "running benches/$bench.rs (log: $log_dir/$bench.log)" >&2
  cargo bench -p benches --bench "$bench" -- "${criterion_args[@]}" >"$log_dir/$bench.log" 2>&1 || {
    tail -n 30 "$log_dir/$bench.log" >&2
    exit 1
  }
done
echo "running the allocation report" >&2
cargo run --release -q -p benches --bin alloc_report >"$log_dir/alloc.txt" 2>"$log_dir/alloc.log"

echo "$machine"
echo "$load; end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 - "$target_dir/criterion" "$stamp" <<'PY'
"""One table from criterion's results of this run (median time per iteration)."""
import json
import os
import sys
from pathlib import Path

root, stamp = Path(sys.argv[1]), os.path.getmtime(sys.argv[2])
results = {}  # group -> function -> (seconds, bytes, elements)
for bench in root.glob("*/*/new/benchmark.json"):
    if bench.stat().st_mtime < stamp:
        continue  # left over from an earlier run
    meta = json.loads(bench.read_text())
    est = json.loads((bench.parent / "estimates.json").read_text())
    seconds = est["median"]["point_estimate"] * 1e-9
    tp = meta.get("throughput") or {}
    both = tp.get("ElementsAndBytes") or {}
    nbytes = both.get("bytes", tp.get("Bytes"))
    elems = both.get("elements", tp.get("Elements"))
    results.setdefault(meta["group_id"], {})[meta["function_id"]] = (seconds, nbytes, elems)

def rate(v, i):
    return v[i] / v[0] if v and v[i] else None

def fmt(x, width, unit=""):
    return f"{x:{width}.1f}{unit}" if x is not None else " " * (width - 1) + "-" + unit

print("Decoder throughput: MB/s (million lines/s); ratio = ours / serde-line (memchr + serde_json")
print("into a borrowing struct), measured in the same run. serde-ignored = validation only.")
header = (f"{'input / feeding':<24} {'ours-borrowed':>18} {'ours-owned':>18} {'serde-line':>18}"
          f" {'serde-ignored':>18} {'borrowed':>9} {'owned':>7} {'ignored':>8}")
print(header)
print("-" * len(header))
for group in sorted(g for g in results if g.startswith("decode-")):
    fns = results[group]
    cells, mbs = [], {}
    for f in ("ours-borrowed", "ours-owned", "serde-line", "serde-ignored"):
        v = fns.get(f)
        b, l = rate(v, 1), rate(v, 2)
        mbs[f] = b
        cells.append(f"{fmt(b and b / 1e6, 9)} ({fmt(l and l / 1e6, 5)})")
    base = mbs.get("serde-line")
    ratios = [f"{mbs[f] / base:.2f}x" if base and mbs.get(f) else "-"
              for f in ("ours-borrowed", "ours-owned", "serde-ignored")]
    print(f"{group[len('decode-'):]:<24} " + " ".join(f"{c:>18}" for c in cells)
          + f" {ratios[0]:>9} {ratios[1]:>7} {ratios[2]:>8}")

embeds = sorted(g for g in results if g.startswith("embed-"))
if embeds:
    print()
    print("Embeddings (/api/embed body): MB/s (million floats/s); ratio = ours / serde_json")
    print("into a struct with `embeddings: Vec<Vec<f32>>`, same run.")
    print(f"{'input':<24} {'ours':>18} {'serde-struct':>18} {'ratio':>7}")
    for group in embeds:
        fns = results[group]
        o, s = fns.get("ours"), fns.get("serde-struct")
        cells = [f"{fmt(rate(v, 1) and rate(v, 1) / 1e6, 9)} ({fmt(rate(v, 2) and rate(v, 2) / 1e6, 5)})"
                 for v in (o, s)]
        ratio = f"{s[0] / o[0]:.2f}x" if o and s else "-"
        print(f"{group[len('embed-'):]:<24} {cells[0]:>18} {cells[1]:>18} {ratio:>7}")
PY
echo
cat "$log_dir/alloc.txt"
