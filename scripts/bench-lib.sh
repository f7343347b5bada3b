# Shared by the scripts/bench-* benchmarks (sourced after lib.sh): a temporary directory,
# processes stopped by PID on exit, free loopback ports, and CPU accounting from /proc.
# Each benchmark adds the PIDs it starts to PIDS; the EXIT trap stops them (SIGTERM, then
# waits), so nothing a benchmark starts outlives it.

TMP=$(mktemp -d)
PIDS=()
bench_cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap bench_cleanup EXIT INT TERM

# A free TCP port on loopback.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Waits up to 15 s for something to listen on loopback port $1.
wait_port() {
  for _ in $(seq 150); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "nothing listens on port $1" >&2; return 1
}
# User + system CPU (clock ticks) of the given PIDs, all their threads.
ticks() {
  local total=0 pid
  for pid in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
  echo "$total"
}
# CPU microseconds per call: per_call TICKS_BEFORE TICKS_AFTER CALLS.
per_call() { python3 -c "import os; print(f'{($2 - $1) * 1e6 / os.sysconf(\"SC_CLK_TCK\") / $3:.0f}')"; }
# Resident set size of PID $1 in MB (VmRSS).
rss_mb() { awk '/^VmRSS:/ {printf "%.1f\n", $2 / 1024}' "/proc/$1/status"; }
# The gRPC floor server (../shared/bench/grpc-floor), built once into the build directory.
FLOOR_DIR=${BULLETIN_GRPC_FLOOR_DIR:-$BULLETIN_ROOT/../shared/bench/grpc-floor}
build_floor() {
  if [ ! -x "$BULLETIN_BUILD/floor/echo_server" ]; then
    log "building the gRPC floor from $FLOOR_DIR"
    "$FLOOR_DIR/build.sh" "$BULLETIN_BUILD/floor" >/dev/null
  fi
}
