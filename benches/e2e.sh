#!/usr/bin/env bash
# End to end over loopback: our clients, a hyper lower bound and ollama-rs on the same stream
# from benches/src/bin/stream_server.rs (a separate process, so its CPU is not counted), each
# client kind in its own process (src/bin/e2e_client.rs). Prints one table of CPU µs per
# chunk (median of the runs), ratios and peak RSS, then the concurrency table.
#
#   benches/e2e.sh                 # 3 runs of each kind and 20 pairs, N = 200,000 chunks
#   benches/e2e.sh --runs 5        # on a noisy machine
#   benches/e2e.sh --quick         # 1 run, 3 pairs, N = 20,000, 200 concurrent streams (smoke)
#
# The paired table is the one to quote: each of our ways of running is measured against a
# lower bound P times, ours then the bound then ours..., alternating which goes first, and the
# ratio of each pair is taken before the median, so a busy moment hits both sides of a pair.
#
# Options: --runs R, --pairs P (default 20), --chunks N, --streams S (concurrent streams, default 1000),
# --conc-chunks C (chunks per concurrent stream, default 200), --interval-us U (the server's
# pause before each line of a concurrent stream, default 20000), --no-ollama-rs, --busy.
#
# --busy keeps every core busy with a nice-19 spinner while clients run. On an idle VM a client
# that sleeps between chunks pays for the CPU's idle-state exits (we saw every kind, the
# bounds too, move 2-3x between a quiet and a loaded machine); the spinner takes almost no CPU
# from a nice-0 client but keeps cores out of idle, so the per-chunk cost is the client's own.
# Bounded: every client run has a time limit, the server exits by itself after 30 minutes,
# and it is stopped when this script ends.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3 pairs=20 chunks=200000 streams=1000 conc_chunks=200 interval_us=20000 ollama_rs=1 busy=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --pairs) pairs=$2; shift 2 ;;
    --chunks) chunks=$2; shift 2 ;;
    --streams) streams=$2; shift 2 ;;
    --conc-chunks) conc_chunks=$2; shift 2 ;;
    --interval-us) interval_us=$2; shift 2 ;;
    --no-ollama-rs) ollama_rs=0; shift ;;
    --busy) busy=1; shift ;;
    --quick) runs=1 pairs=3 chunks=20000 streams=200; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

target_dir=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
log_dir="$target_dir/e2e-report"
mkdir -p "$log_dir"
results="$log_dir/results.jsonl"
paired="$log_dir/pairs.jsonl"
: >"$results"
: >"$paired"

build() {
  cargo build --release -q -p benches --bin stream_server --bin e2e_client "$@" \
    >"$log_dir/build.log" 2>&1
}
echo "building (release; log: $log_dir/build.log)" >&2
note=""
if [[ $ollama_rs == 1 ]] && ! build --features ollama-rs; then
  note="note: ollama-rs could not be built here (see $log_dir/build.log): its rows are skipped"
  echo "$note" >&2
  ollama_rs=0
fi
if [[ $ollama_rs == 0 ]]; then
  build || { tail -n 30 "$log_dir/build.log" >&2; exit 1; }
fi
bin="$target_dir/release"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
machine="machine: $(nproc) cores, ${cpu:-unknown CPU}, $(uname -sr), $(rustc --version)"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

rm -f "$log_dir/server.port" # not a stale one from an earlier run
"$bin/stream_server" --max-secs 1800 >"$log_dir/server.port" 2>"$log_dir/server.log" &
server=$!
spinners=()
stop_all() {
  kill "$server" "${spinners[@]}" 2>/dev/null || true
}
trap stop_all EXIT
if [[ $busy == 1 ]]; then
  for _ in $(seq "$(nproc)"); do
    # Bounded like the server: gone after 30 minutes even if this script is killed.
    nice -n 19 timeout 1800 sh -c 'while :; do :; done' &
    spinners+=("$!")
  done
fi
for _ in $(seq 50); do
  [[ -s "$log_dir/server.port" ]] && break
  sleep 0.1
done
port=$(head -n1 "$log_dir/server.port")
[[ -n "$port" ]] || { echo "the server did not start" >&2; exit 1; }

kinds=(floor lower-bound-discard lower-bound-discard-inline lower-bound-serde
  lower-bound-serde-inline lower-bound-serde-mt lower-bound-serde-mt-main hyper-ct hyper-mt
  hyper-mt-spawned smol blocking)
# ours:bound. lower-bound-serde (current-thread, body read in a spawned task) is the best bound;
# lower-bound-serde-mt-main is hyper-mt's like-for-like one (multi-thread, read in block_on).
pair_list=(hyper-ct:lower-bound-serde hyper-mt:lower-bound-serde
  hyper-mt:lower-bound-serde-mt-main hyper-mt-spawned:lower-bound-serde smol:lower-bound-serde
  blocking:lower-bound-serde)
if [[ $ollama_rs == 1 ]]; then
  kinds+=(ollama-rs-ct ollama-rs-mt)
  pair_list+=(ollama-rs-ct:hyper-ct ollama-rs-mt:hyper-mt)
fi

client() {
  # One client process, bounded in time; a failure is recorded, not fatal.
  local out rc=0
  out=$(timeout 300 "$bin/e2e_client" --port "$port" "$@" 2>>"$log_dir/client.log") || rc=$?
  if [[ -z "$out" ]]; then
    out="{\"kind\": \"$2\", \"ok\": false, \"error\": \"exit status $rc, no report\"}"
  fi
  # extra: more fields for the object (the pair and its index).
  echo "${out%\}}${extra:-}}" >>"${into:-$results}"
}

# Rounds rather than each kind's runs in a row, so that a busy moment of this shared machine
# spreads over all kinds instead of landing on one.
for round in $(seq "$runs"); do
  echo "round $round/$runs: ${kinds[*]}" >&2
  for kind in "${kinds[@]}"; do
    client --kind "$kind" --chunks "$chunks"
  done
done
for i in $(seq "$pairs"); do
  echo "pairs $i/$pairs: ${pair_list[*]}" >&2
  for p in "${pair_list[@]}"; do
    a=${p%%:*} b=${p#*:}
    order=("$a" "$b")
    ((i % 2 == 0)) && order=("$b" "$a")
    for kind in "${order[@]}"; do
      into="$paired" extra=", \"pair\": \"$p\", \"index\": $i" client --kind "$kind" --chunks "$chunks"
    done
  done
done
echo "concurrency: $streams streams x $conc_chunks chunks, paced ${interval_us} us, then unpaced" >&2
for kind in conc-hyper conc-smol; do
  client --kind "$kind" --streams "$streams" --chunks "$conc_chunks" --interval-us "$interval_us"
  client --kind "$kind" --streams "$streams" --chunks "$conc_chunks" --interval-us 0
done

echo "$machine"
echo "load average at start: $load_start; end: $(cut -d' ' -f1-3 /proc/loadavg)"
[[ $busy == 0 ]] || echo "--busy: $(nproc) nice-19 spinners kept the cores out of idle states"
[[ -z "$note" ]] || echo "$note"
echo
python3 - "$results" "$chunks" "$runs" "$paired" <<'PY'
"""The tables, from one JSON object per client run."""
import json
import statistics
import sys

path, chunks, runs, pairs_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
prs = [json.loads(l) for l in open(pairs_path) if l.strip()]
if prs:
    by = {}
    for r in prs:
        side = "a" if r["kind"] == r["pair"].split(":")[0] else "b"
        by.setdefault(r["pair"], {}).setdefault(r["index"], {})[side] = r
    n = max(len(v) for v in by.values())
    print(f"Paired: N = {chunks:,} chat chunks; {n} pairs per row, ours and the bound run")
    print("alternately (which goes first alternates too); ratio = CPU of A / CPU of B within")
    print("each pair; median of the ratios, min..max. RSS = median peak RSS (VmHWM), A / B.")
    h = (f"{'A':<18} {'B':<26} {'A us/chunk':>10} {'B us/chunk':>10} {'A/B median':>10}"
         f" {'min..max':>12} {'A RSS MiB':>9} {'B RSS MiB':>9} {'RSS A/B':>7} {'ok':>6}")
    print(h)
    print("-" * len(h))
    for pair, idx in by.items():
        a, b = pair.split(":")
        full = [v for v in idx.values() if "a" in v and "b" in v
                and "cpu_us_per_chunk" in v["a"] and "cpu_us_per_chunk" in v["b"]]
        ok = sum(1 for v in full if v["a"].get("ok") and v["b"].get("ok"))
        if not full:
            print(f"{a:<18} {b:<26} no complete pair")
            continue
        ratios = [v["a"]["cpu_us_per_chunk"] / v["b"]["cpu_us_per_chunk"] for v in full]
        ca = statistics.median(v["a"]["cpu_us_per_chunk"] for v in full)
        cb = statistics.median(v["b"]["cpu_us_per_chunk"] for v in full)
        ra = statistics.median(v["a"]["hwm_kib"] for v in full) / 1024
        rb = statistics.median(v["b"]["hwm_kib"] for v in full) / 1024
        print(f"{a:<18} {b:<26} {ca:>10.3f} {cb:>10.3f} {statistics.median(ratios):>9.2f}x"
              f" {min(ratios):>5.2f}..{max(ratios):<5.2f} {ra:>9.1f} {rb:>9.1f} {ra / rb:>6.2f}x"
              f" {ok:>3}/{len(full):<2}")
    print()
rows = [json.loads(l) for l in open(path) if l.strip()]
single = {}
for r in rows:
    if not r["kind"].startswith("conc-"):
        single.setdefault(r["kind"], []).append(r)

def med(rs, key):
    vals = [r[key] for r in rs if key in r]
    return statistics.median(vals) if vals else None

def mib(kib):
    return f"{kib / 1024:.1f}" if kib is not None else "-"

cpu = {k: med(rs, "cpu_us_per_chunk") for k, rs in single.items()}
lb = cpu.get("lower-bound-serde")

def runtime(kind):
    return "mt" if kind.endswith("-mt") or "-mt-" in kind else "ct"

print(f"End to end over loopback: N = {chunks:,} chat chunks of ~133 bytes, one HTTP chunk per")
print(f"line; CPU = user + sys of the client process from request to end of stream, median of")
print(f"{runs} run(s). vs-bound = CPU / lower-bound-serde (goal <= 1.1x); vs-ollama-rs = ollama-rs")
print("CPU on the same runtime / ours (goal >= 1.3x ct, >= 3x mt). Peak RSS = VmHWM of the")
print("process; anon = its anonymous RSS (heap, stacks) at the end; 'floor' = runtime + client,")
print("no request. ok = runs with every chunk and every text byte received.")
header = (f"{'kind':<28} {'CPU us/chunk':>12} {'min..max':>13} {'vs-bound':>8} {'vs-ollama-rs':>12}"
          f" {'peak RSS MiB':>12} {'anon MiB':>8} {'ok':>5}")
print(header)
print("-" * len(header))
for kind, rs in single.items():
    c = cpu[kind]
    vals = [r["cpu_us_per_chunk"] for r in rs if "cpu_us_per_chunk" in r]
    spread = f"{min(vals):.2f}..{max(vals):.2f}" if vals else "-"
    vs_lb = f"{c / lb:.2f}x" if c and lb and kind != "floor" else "-"
    ref = cpu.get(f"ollama-rs-{runtime(kind)}")
    vs_ors = f"{ref / c:.2f}x" if c and ref and kind != "floor" else "-"
    ok = f"{sum(1 for r in rs if r.get('ok'))}/{len(rs)}"
    cell = f"{c:.3f}" if c is not None and kind != "floor" else "-"
    if any("skipped" in r for r in rs):
        print(f"{kind:<28} skipped: {rs[0]['skipped']}")
        continue
    print(f"{kind:<28} {cell:>12} {spread if kind != 'floor' else '-':>13} {vs_lb:>8} {vs_ors:>12}"
          f" {mib(med(rs, 'hwm_kib')):>12} {mib(med(rs, 'anon_kib')):>8} {ok:>5}")
    for r in rs:
        if not r.get("ok"):
            detail = r.get("error") or (
                f"tokens {r.get('tokens')}/{r.get('expected_tokens')}, text bytes "
                f"{r.get('text_bytes')}/{r.get('expected_text_bytes')}, done {r.get('done')}")
            print(f"{'':<28} failed run: {detail}")

conc = [r for r in rows if r["kind"].startswith("conc-")]
if conc:
    print()
    print("Concurrency: streams through ONE client (conc-hyper: multi-thread tokio; conc-smol: one")
    print("async-executor thread). Latency = client receive time - the server's send time written")
    print("in each line (kernel loopback + client scheduling + decoding). Paced: the server pauses")
    print("before each line; unpaced: as fast as it can (latency then is mostly queueing).")
    h = (f"{'kind':<11} {'pacing':>8} {'streams ok':>10} {'chunks':>8} {'wall s':>7} {'chunks/s':>9}"
         f" {'CPU us/chunk':>12} {'p50 ms':>7} {'p99 ms':>7} {'p99.9 ms':>8} {'max ms':>7} {'peak RSS MiB':>12}")
    print(h)
    print("-" * len(h))
    for r in conc:
        if "streams" not in r:
            print(f"{r['kind']:<11} failed: {r.get('error')}")
            continue
        pacing = f"{r['interval_us'] / 1000:g} ms" if r["interval_us"] else "none"
        print(f"{r['kind']:<11} {pacing:>8} {r['complete_streams']:>5}/{r['streams']:<4}"
              f" {r['chunks']:>8} {r['wall_us'] / 1e6:>7.2f} {r['chunks_per_s']:>9.0f}"
              f" {r['cpu_us_per_chunk']:>12.2f} {r['lat_p50_us'] / 1000:>7.2f}"
              f" {r['lat_p99_us'] / 1000:>7.2f} {r['lat_p999_us'] / 1000:>8.2f}"
              f" {r['lat_max_us'] / 1000:>7.2f} {mib(r['hwm_kib']):>12}")
        if r.get("first_error"):
            print(f"{'':<11} first error ({r['failed_streams']} failed): {r['first_error']}")
PY
