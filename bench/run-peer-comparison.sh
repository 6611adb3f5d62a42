#!/usr/bin/env bash
# Peer comparison: every scenario runs against nginx+nchan, the ceiling peer (scenarios c, e and f only) and
# logcast, each started fresh for it, with the same load generator (bench/target/logcast-bench.jar); prints
# logcast/nchan and logcast/ceiling for each figure. Loopback only.
# What each scenario measures: docs/benchmarks.md.
#
# Usage: bench/run-peer-comparison.sh [scenario ...]      scenarios: a b c d e f (default: all)
#
# Environment:
#   TARGETS            which servers to run, in order (default: "nchan ceiling logcast"); ceiling is the best-case
#                      Netty peer (dev.logcast.bench.ceiling.CeilingPeer: no parsing, no storage), what this machine
#                      allows a broker on Netty; it runs in (c), (e) and (f) only: (a) and (d) measure no throughput,
#                      and in (b) it writes each event to each subscriber on its own (no coalescing), no ceiling there
#   CEILING_PORT       port for the ceiling peer (default: 17071; must be free)
#   DURATION, WARMUP   measured window and warm-up of each run (default: 10s, 2s)
#   DRAIN              how long the generator waits, after publishing stops, for answers and then deliveries
#                      (default: 20s; it only takes that long when deliveries are still on their way)
#   BROKER_PORT        port for the logcast under test (default: 17070; must be free)
#   BROKER_CMD         command that starts logcast in the foreground, given `serve --port P --data.dir D ...` as
#                      arguments (default: bin/logcast); it must exec the broker so its pid is the broker's
#   BROKER_ARGS        extra `serve` flags (default: --auth.mode none, as nchan runs without auth)
#   (not LOGCAST_*: logcast reads every LOGCAST_<KEY> variable as configuration and stops on unknown keys)
#   PIN                1 (default): broker on CPU 1, load generator on CPU 0, as the nchan setup assumes; 0: no pinning
#   LOADER_JAVA        java executable of the load generator (default: the one bin/logcast runs the broker on,
#                      `bin/logcast --java`)
#   LOADER_JAVA_OPTS   JVM options of the load generator (default: -Xms1g -Xmx2g)
#   BUSY_RETRIES       runs again (fresh server) a run during which other processes took over 20 % of a core
#                      (otherCpuPct), up to this many times (default: 2)
#   ROUNDS             runs every scenario on every server this many times, round by round (default: 1); the summary
#                      shows medians, and each ratio is the median of the ratios measured within one round
#   SKIP_BUILD         1: use the jars as they are
#   OUT                directory for each run's table and JSON (default: bench/target/peer-comparison)
set -euo pipefail

repo="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
shared="$(cd -- "$repo/../shared" && pwd -P)"
nchan="$shared/peers/nchan"
jar="$repo/bench/target/logcast-bench.jar"
out="${OUT:-$repo/bench/target/peer-comparison}"
targets="${TARGETS:-nchan ceiling logcast}"
duration="${DURATION:-10s}"
warmup="${WARMUP:-2s}"
drain="${DRAIN:-20s}"
logcast_port="${BROKER_PORT:-17070}"
ceiling_port="${CEILING_PORT:-17071}"
logcast_args="${BROKER_ARGS:---auth.mode none}"
pin="${PIN:-1}"
loader_opts="${LOADER_JAVA_OPTS:--Xms1g -Xmx2g}"
loader_java="${LOADER_JAVA:-$("$repo/bin/logcast" --java)}"
busy_retries="${BUSY_RETRIES:-2}"
rounds="${ROUNDS:-1}"
scenarios=("$@")
[[ ${#scenarios[@]} -gt 0 ]] || scenarios=(a b c d e f)

log() { printf '[peer-comparison] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
alive() { local s; s="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1; [[ -n $s && $s != Z* ]]; }

# Scenario flags for the load generator (the same for both brokers) and the figures compared for it.
scenario_args() {
  # a long drain: in (c) the generator, at its limit, reads some streams seconds behind, and a delivery it has not
  # read when the drain ends counts as lost
  local common=(--duration "$duration" --warmup "$warmup" --drain "$drain")
  case "$1" in
    a) echo "${common[*]} --subscribers 100 --publishers 4 --rate 2000 --events-per-post 1 --inflight 8" ;;
    b) echo "${common[*]} --subscribers 1000 --publishers 4 --rate 0 --events-per-post 1 --inflight 2" ;;
    c) echo "${common[*]} --subscribers 1000 --publishers 4 --rate 0 --events-per-post 100 --inflight 1" ;;
    d) echo "${common[*]} --idle --subscribers 10000" ;;
    e) echo "${common[*]} --subscribers 0 --publishers 4 --rate 0 --events-per-post 1 --inflight 8" ;;
    f) echo "${common[*]} --subscribers 0 --publishers 4 --rate 0 --events-per-post 100 --inflight 2" ;;
    *) die "unknown scenario '$1' (a b c d e f)" ;;
  esac
}
scenario_figures() {
  case "$1" in
    a) echo "deliveredPerSec expectedDeliveries delivered lost unanswered latencyP50Us latencyP99Us latencyP999Us" ;;
    b|c) echo "publishedPerSec deliveredPerSec lost unanswered latencyP50Us latencyP99Us" ;;
    d) echo "openAtEnd rssPerStreamBytes serverRssKiB" ;;
    e|f) echo "publishedPerSec unanswered" ;;
  esac
  # and for every scenario: what the broker cost, and whether the measurement itself can be trusted
  echo "serverCpuPct serverRssMaxKiB loaderCpuPct otherCpuPct"
}
scenario_title() {
  case "$1" in
    a) echo "(a) 100 subscribers, 2,000 events/s, 1 event/POST" ;;
    b) echo "(b) 1,000 subscribers, max rate, 1 event/POST" ;;
    c) echo "(c) 1,000 subscribers, max rate, 100 events/POST (nchan: 100 POSTs)" ;;
    d) echo "(d) 10,000 idle streams" ;;
    e) echo "(e) ingest only, 1 event/POST, 4 connections" ;;
    f) echo "(f) ingest only, 100 events/POST (nchan: 100 POSTs), 4 connections" ;;
  esac
}

ensure_nchan() {
  if [[ -x /usr/sbin/nginx && -f /usr/lib/nginx/modules/ngx_nchan_module.so ]]; then
    return
  fi
  [[ $(id -u) -eq 0 ]] || die "nginx-light and libnginx-mod-nchan are missing and installing them needs root"
  log "installing nginx-light and libnginx-mod-nchan (policy-rc.d keeps the package from starting nginx)"
  local own_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light libnginx-mod-nchan >/dev/null
  if [[ $own_policy -eq 1 ]]; then
    rm -f /usr/sbin/policy-rc.d
  fi
}

build() {
  if [[ ${SKIP_BUILD:-0} == 1 && -f $jar ]]; then
    return
  fi
  log "building the broker and the bench jar"
  (cd "$repo" && mvn -q -B -pl bench -am -Dmaven.test.skip=true package)
  [[ -f $jar ]] || die "no $jar after the build"
}

pinned() {  # pinned CPU COMMAND...
  local cpu="$1"; shift
  if [[ $pin == 1 && $(nproc) -ge 2 ]]; then
    taskset -c "$cpu" "$@"
  else
    "$@"
  fi
}

server_pid=""
server_kind=""
logcast_data=""

start_nchan() {
  local started
  if [[ -s /tmp/logcast-peer-nchan/nginx.pid ]] && alive "$(cat /tmp/logcast-peer-nchan/nginx.pid)"; then
    die "nchan is already running (pid $(cat /tmp/logcast-peer-nchan/nginx.pid)); stop it with $nchan/stop.sh so each run starts fresh"
  fi
  started="$(pinned 1 "$nchan/start.sh")" || die "nchan did not start"
  server_pid="$(tail -n 1 <<<"$started")"
  curl -fsS --max-time 2 http://127.0.0.1:18080/healthz >/dev/null || die "nchan does not answer /healthz"
}

stop_nchan() {
  "$nchan/stop.sh" 2>/dev/null || true
  server_pid=""
}

# launch NAME PORT LOGFILE COMMAND...: starts a JVM server in the background (on CPU 1 when pinning) and waits until
# its /healthz answers; NAME is for messages. The command must exec the JVM (taskset and bin/logcast do), so that
# $server_pid is the JVM's.
launch() {
  local name="$1" port="$2" logfile="$3"
  shift 3
  local cmd=("$@")
  if curl -s --max-time 1 -o /dev/null "http://127.0.0.1:$port/healthz"; then
    die "something already listens on 127.0.0.1:$port; set the port of $name to a free one"
  fi
  if [[ $pin == 1 && $(nproc) -ge 2 ]]; then
    cmd=(taskset -c 1 "${cmd[@]}")
  fi
  "${cmd[@]}" >"$logfile" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    if curl -fs --max-time 1 -o /dev/null "http://127.0.0.1:$port/healthz"; then
      return 0
    fi
    alive "$server_pid" || break
    sleep 0.2
  done
  log "$name did not answer /healthz on port $port; its log:"
  tail -n 20 "$logfile" >&2 || true
  terminate "$name"
  return 1
}

# terminate NAME: SIGTERM to $server_pid, SIGKILL if it has not exited 15 s later
terminate() {
  if [[ -n $server_pid ]] && alive "$server_pid"; then
    kill -TERM "$server_pid"
    for _ in $(seq 1 150); do
      alive "$server_pid" || break
      sleep 0.1
    done
    if alive "$server_pid"; then
      log "$1 $server_pid did not exit 15 s after SIGTERM; sending SIGKILL"
      kill -KILL "$server_pid" 2>/dev/null || true
    fi
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# The ceiling peer runs on the JVM and with the JVM options bin/logcast gives the broker.
start_ceiling() {
  local opts
  read -r -a opts <<<"$("$repo/bin/logcast" --java-opts)"
  launch "the ceiling peer" "$ceiling_port" "$out/ceiling-$1.log" \
    "$("$repo/bin/logcast" --java)" "${opts[@]}" -cp "$jar" dev.logcast.bench.ceiling.CeilingPeer --port "$ceiling_port"
}

start_logcast() {
  logcast_data="$(mktemp -d /tmp/logcast-bench-data.XXXXXX)"
  local cmd
  if [[ -n ${BROKER_CMD:-} ]]; then
    read -r -a cmd <<<"$BROKER_CMD"
  else
    cmd=("$repo/bin/logcast")
  fi
  # shellcheck disable=SC2086
  launch logcast "$logcast_port" "$out/logcast-$1.log" \
    "${cmd[@]}" serve --port "$logcast_port" --data.dir "$logcast_data" $logcast_args || { stop_logcast; return 1; }
}

stop_logcast() {
  terminate logcast
  [[ -n $logcast_data ]] && rm -rf -- "$logcast_data"
  logcast_data=""
}

stop_server() {
  case "$server_kind" in
    nchan) stop_nchan ;;
    ceiling) terminate "the ceiling peer" ;;
    logcast) stop_logcast ;;
  esac
  server_kind=""
}

cleanup() {
  [[ -z $server_pid ]] || stop_server
}
trap cleanup EXIT

run_one() {  # run_one SCENARIO TARGET
  local scenario="$1" target="$2" port args
  server_kind="$target"
  case "$target" in
    nchan)
      start_nchan
      port=18080 ;;
    ceiling)
      start_ceiling "$scenario" || { log "($scenario) ceiling: not run"; server_kind=""; return 0; }
      port="$ceiling_port" ;;
    *)
      start_logcast "$scenario" || { log "($scenario) logcast: not run"; server_kind=""; return 0; }
      port="$logcast_port" ;;
  esac
  read -r -a args <<<"$(scenario_args "$scenario")"
  log "($scenario) $target, server pid $server_pid: $loader_java loadgen --target $target --port $port ${args[*]}"
  # shellcheck disable=SC2086
  if pinned 0 "$loader_java" $loader_opts -jar "$jar" --target "$target" --port "$port" --server-pid "$server_pid" --json \
      "${args[@]}" >"$out/$scenario-$target.txt" 2>&1; then
    grep -v '^{' "$out/$scenario-$target.txt" >&2
    grep '^{' "$out/$scenario-$target.txt" | tail -n 1 >"$out/$scenario-$target.json"
  else
    log "($scenario) $target: the load generator failed:"
    cat "$out/$scenario-$target.txt" >&2
  fi
  stop_server
}

figure() {  # figure FILE KEY -> the value, or "-"
  local v=""
  [[ -f $1 ]] && v="$(grep -o "\"$2\":[^,}]*" "$1" | head -n 1 | cut -d: -f2)"
  [[ -n $v && $v != null ]] && echo "$v" || echo "-"
}

median() {  # median VALUE... ("-" ignored) -> the median, or "-"
  printf '%s\n' "$@" | awk '$1 != "-" { v[n++] = $1 + 0 } END {
    if (n == 0) { print "-"; exit }
    for (i = 1; i < n; i++) for (j = i; j > 0 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
    m = (n % 2) ? v[int(n/2)] : (v[n/2-1] + v[n/2]) / 2
    if (m == int(m)) printf "%d\n", m; else printf "%.3f\n", m }'
}

ratio() {  # ratio L N -> L/N with two decimals, or "-"
  awk -v n="$2" -v l="$1" 'BEGIN { if (n == "-" || l == "-" || n + 0 == 0) print "-"; else printf "%.2f", l / n }'
}

summary() {
  printf '\n%-44s %-20s %14s %14s %14s %10s %10s\n' "scenario" "figure" "nchan" "ceiling" "logcast" "lc/nchan" \
    "lc/ceiling"
  local s f r t v vals rn rc
  for s in "${scenarios[@]}"; do
    for f in $(scenario_figures "$s"); do
      declare -A med=()
      rn=() rc=()
      for t in nchan ceiling logcast; do
        vals=()
        for r in $(seq 1 "$rounds"); do vals+=("$(figure "$out/$s-$t-r$r.json" "$f")"); done
        med[$t]="$(median "${vals[@]}")"
      done
      for r in $(seq 1 "$rounds"); do
        v="$(figure "$out/$s-logcast-r$r.json" "$f")"
        rn+=("$(ratio "$v" "$(figure "$out/$s-nchan-r$r.json" "$f")")")
        rc+=("$(ratio "$v" "$(figure "$out/$s-ceiling-r$r.json" "$f")")")
      done
      printf '%-44s %-20s %14s %14s %14s %10s %10s\n' "$(scenario_title "$s")" "$f" "${med[nchan]}" \
        "${med[ceiling]}" "${med[logcast]}" "$(median "${rn[@]}")" "$(median "${rc[@]}")"
      if (( rounds > 1 )) && [[ " ${rn[*]} " == *[0-9]* ]]; then
        printf '%-44s %-20s %s\n' "" "  lc/nchan by round" "${rn[*]}"
      fi
      if (( rounds > 1 )) && [[ " ${rc[*]} " == *[0-9]* ]]; then
        printf '%-44s %-20s %s\n' "" "  lc/ceiling by round" "${rc[*]}"
      fi
      unset med
    done
  done
  printf '\nHigher is better for */s figures, lower for latency, CPU and RSS. Runs: %s\n' "$out"
  if (( rounds > 1 )); then
    printf 'Figures are medians of %d rounds; a ratio is the median of the rounds'"'"' ratios, each measured within one\n' "$rounds"
    printf 'round (the servers back to back).\n'
  fi
  printf 'ceiling: a best-case Netty peer (no parsing, no storage, each POST written to every subscriber at once).\n'
  printf 'otherCpuPct is CPU that other processes took during a run: well above 0 means a busy machine and disturbed\n'
  printf 'figures; loaderCpuPct near 100 means the load generator, not the broker, may have been the limit.\n'
}

mkdir -p "$out"
rm -f "$out"/*-r[0-9]*.json "$out"/*-r[0-9]*.txt
for s in "${scenarios[@]}"; do scenario_args "$s" >/dev/null; done
for t in $targets; do
  case "$t" in nchan|ceiling|logcast) ;; *) die "unknown target '$t' (nchan ceiling logcast)" ;; esac
done
[[ $rounds =~ ^[1-9][0-9]?$ ]] || die "ROUNDS must be 1..99"
ensure_nchan
build
# 10,000 streams need as many descriptors in the load generator (nginx raises its own limit in start.sh)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[[ $(ulimit -n) == unlimited || $(ulimit -n) -ge 10100 ]] || log "ulimit -n is $(ulimit -n): scenario (d) needs 10,100"

busy() {  # busy FILE: the run's otherCpuPct is over 20
  local other
  other="$(figure "$1" otherCpuPct)"
  [[ $other != - ]] && awk -v o="$other" 'BEGIN { exit !(o > 20) }'
}

for r in $(seq 1 "$rounds"); do
  for s in "${scenarios[@]}"; do
    for t in $targets; do
      if [[ $t == ceiling && ( $s == a || $s == b || $s == d ) ]]; then
        continue
      fi
      for attempt in $(seq 0 "$busy_retries"); do
        rm -f "$out/$s-$t.json" "$out/$s-$t.txt"
        (( rounds == 1 )) || log "round $r of $rounds"
        run_one "$s" "$t"
        busy "$out/$s-$t.json" || break
        if [[ $attempt -lt $busy_retries ]]; then
          log "($s) $t: other processes took $(figure "$out/$s-$t.json" otherCpuPct) % of a core; running it again"
        fi
      done
      [[ -f $out/$s-$t.json ]] && cp "$out/$s-$t.json" "$out/$s-$t-r$r.json"
      [[ -f $out/$s-$t.txt ]] && cp "$out/$s-$t.txt" "$out/$s-$t-r$r.txt"
    done
  done
done
summary | tee "$out/summary.txt"
