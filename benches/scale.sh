#!/usr/bin/env bash
# The scale bench: N concurrent paced streams (default N = 100, 1,000, 10,000; 100 chunks each,
# one every 50 ms) through one client, against the loopback stand-in (`stream_server`, one
# tokio thread) in another process, for each client kind: ollama-hyper (multi-thread tokio),
# ollama-smol (one thread), ollama-blocking (a thread per stream, N <= 1,000 only), and
# ollama-rs 0.3.6 (multi-thread tokio, its default). Prints per N and kind: memory per open
# stream (client RSS and heap at the plateau minus the idle client, / N; the kernel's TCP
# buffers apart), p50/p99/max added latency, CPU us per chunk of the client (and of the server),
# and whether every chunk of every stream arrived.
#
#   benches/scale.sh            # release build, N = 100, 1000, 10000, with ollama-rs
#   benches/scale.sh --quick    # CI smoke: debug build, N = 100 and 500, 20 chunks, no ollama-rs
#   benches/scale.sh --streams "100 1000" --chunks 100 --interval-us 50000 --no-ollama-rs
#
# Raises the open-file limit to the hard limit first (10,000 streams need 10,000 descriptors in
# the client and 10,000 in the server); fails with a message if the hard limit is too low. Bounded:
# each client run has a time limit, the server exits by itself after 30 minutes and is
# stopped when this script ends. Results: $target/scale-report/results.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."

streams_list="100 1000 10000" chunks=100 interval_us=50000 ollama_rs=1 profile=release
while [[ $# -gt 0 ]]; do
  case "$1" in
    --streams) streams_list=$2; shift 2 ;;
    --chunks) chunks=$2; shift 2 ;;
    --interval-us) interval_us=$2; shift 2 ;;
    --no-ollama-rs) ollama_rs=0; shift ;;
    --quick) streams_list="100 500" chunks=20 ollama_rs=0 profile=debug; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

max_n=0
for n in $streams_list; do ((n > max_n)) && max_n=$n; done
need=$((max_n + 256)) # per process: the client and the server each hold one end of each stream
hard=$(ulimit -Hn)
if [[ $hard != unlimited ]] && ((hard < need)); then
  echo "the hard open-file limit is $hard; $max_n streams need about $need per process" \
    "(raise it: ulimit -Hn, /etc/security/limits.conf, LimitNOFILE=)" >&2
  exit 1
fi
ulimit -n "$hard"

target_dir=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
log_dir="$target_dir/scale-report"
mkdir -p "$log_dir"
results="$log_dir/results.jsonl"
: >"$results"

flags=()
[[ $profile == release ]] && flags+=(--release)
build() {
  cargo build "${flags[@]}" -q -p benches --bin stream_server --bin scale_client "$@" \
    >"$log_dir/build.log" 2>&1
}
echo "building ($profile; log: $log_dir/build.log)" >&2
if [[ $ollama_rs == 1 ]] && ! build --features ollama-rs; then
  echo "note: ollama-rs could not be built here (see $log_dir/build.log): its rows are skipped" >&2
  ollama_rs=0
fi
if [[ $ollama_rs == 0 ]]; then
  build || { tail -n 30 "$log_dir/build.log" >&2; exit 1; }
fi
bin="$target_dir/$profile"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, $(uname -sr); open files $(ulimit -n)" >&2
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

rm -f "$log_dir/server.port"
"$bin/stream_server" --max-secs 1800 --max-conns $((max_n + 1000)) --chunks "$chunks" \
  >"$log_dir/server.port" 2>"$log_dir/server.log" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  [[ -s "$log_dir/server.port" ]] && break
  sleep 0.1
done
port=$(head -n1 "$log_dir/server.port")
[[ -n "$port" ]] || { echo "the server did not start" >&2; exit 1; }

kinds=(hyper smol blocking)
[[ $ollama_rs == 1 ]] && kinds+=(ollama-rs)
bound=$((chunks * interval_us / 1000000 + 150))
for n in $streams_list; do
  for kind in "${kinds[@]}"; do
    if [[ $kind == blocking ]] && ((n > 1000)); then
      continue # a thread per stream: 10,000 threads is not what the blocking client is for
    fi
    echo "N=$n $kind" >&2
    out=$(timeout "$bound" "$bin/scale_client" --kind "$kind" --port "$port" --streams "$n" \
      --chunks "$chunks" --interval-us "$interval_us" --server-pid "$server" \
      --clk-tck "$(getconf CLK_TCK)" 2>>"$log_dir/client.log") || true
    [[ -n "$out" ]] || out="{\"kind\": \"$kind\", \"streams\": $n, \"ok\": false, \"error\": \"no report (see client.log)\"}"
    echo "$out" >>"$results"
    # Let the closed connections' TIME_WAIT and the server settle between runs.
    sleep 1
  done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$results" "$load_start" "$load_end" "$chunks" "$interval_us" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(f"scale: {sys.argv[4]} chunks per stream, one every {int(sys.argv[5]) / 1000:g} ms; "
      f"load average {sys.argv[2]} at the start, {sys.argv[3]} at the end")
head = (f"{'N':>6} {'client':<10} {'heap/stream':>12} {'RSS/stream':>11} {'TCP buf/stream':>15}"
        f" {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'CPU us/chunk':>13} {'server us/chunk':>16}"
        f" {'all bytes':>10}")
print(head)
failed = False
for r in rows:
    if "heap_per_stream_bytes" not in r:
        print(f"{r.get('streams', '?'):>6} {r.get('kind', '?'):<10} failed: {r.get('error')}")
        failed = True
        continue
    kib = lambda b: f"{b / 1024:.1f} KiB"
    ok = "yes" if r["ok"] else f"NO ({r['chunks']}/{r['expected_chunks']})"
    failed |= not r["ok"]
    print(f"{r['streams']:>6} {r['kind']:<10} {kib(r['heap_per_stream_bytes']):>12}"
          f" {kib(r['rss_per_stream_bytes']):>11} {kib(r['tcp_mem_per_stream_bytes']):>15}"
          f" {r['lat_p50_ms']:>7.2f} {r['lat_p99_ms']:>7.2f} {r['lat_max_ms']:>7.2f}"
          f" {r['cpu_us_per_chunk']:>13.2f} {r['server_cpu_us_per_chunk']:>16.2f} {ok:>10}")
    if r.get("first_error"):
        print(f"       first error: {r['first_error']}")
sys.exit(1 if failed else 0)
EOF
