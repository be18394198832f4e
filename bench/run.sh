#!/usr/bin/env bash
# bench/run.sh — the measurement harness of issue 12 (see bench/README.md).
#
# Generates a synthetic plan and inbox (COMMUNES × HOUSEHOLDS) with the
# project's own form writer, then measures, each as a child process: the
# baseline (excelize's streaming row iterator over every file), a full
# `doithoai run` on a fresh state, an idle run (nothing new) and
# `doithoai status`. Prints the figures as Markdown and writes them to
# $WORK/results.md and $WORK/results.json.
#
#   COMMUNES=20 HOUSEHOLDS=2000 bench/run.sh      # the issue's first row
#   bench/run.sh --communes 100 --households 2000
#   nice -n 10 bench/run.sh                       # national scale (defaults)
#
# Environment (or the matching --flag):
#   COMMUNES     communes of the plan                    (default 2500: 10,000 submissions)
#   HOUSEHOLDS   M1 rows per commune                     (default 1000: 2.5 M roster rows)
#   CLUSTER_SIZE communes per cluster                    (default 3)
#   WORK         workspace folder        (default ${TMPDIR:-/tmp}/doithoai-bench-<C>x<H>)
#   TIMEOUT      stop any one child after this long      (default 30m)
#   MEM_CAP_MIB  stop a child past this resident memory  (default 12288)
#   WORKERS      files the baseline reads at once        (default 0: one per core)
#   SEED         generator seed                          (default 1)
#   REUSE=1      keep an existing inbox of the same scale instead of regenerating
#   KEEP=1       keep inbox, state and outbox afterwards (default: only the results stay)
#   RUN_ARGS     extra flags of every doithoai run      (e.g. "--held-rows 1": the roster out of memory)
set -euo pipefail
cd "$(dirname "$0")/.."

COMMUNES=${COMMUNES:-2500}
HOUSEHOLDS=${HOUSEHOLDS:-1000}
TIMEOUT=${TIMEOUT:-30m}
MEM_CAP_MIB=${MEM_CAP_MIB:-12288}
WORKERS=${WORKERS:-0}
SEED=${SEED:-1}
CLUSTER_SIZE=${CLUSTER_SIZE:-3}
while [ $# -gt 0 ]; do
	case "$1" in
	--communes) COMMUNES=$2; shift 2 ;;
	--households) HOUSEHOLDS=$2; shift 2 ;;
	--work) WORK=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--mem-cap-mib) MEM_CAP_MIB=$2; shift 2 ;;
	--workers) WORKERS=$2; shift 2 ;;
	--seed) SEED=$2; shift 2 ;;
	--cluster-size) CLUSTER_SIZE=$2; shift 2 ;;
	-h|--help) sed -n '2,27p' "$0"; exit 0 ;;
	*) echo "bench/run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
WORK=${WORK:-${TMPDIR:-/tmp}/doithoai-bench-${COMMUNES}x${HOUSEHOLDS}c${CLUSTER_SIZE}}
BIN="$WORK/bin"
mkdir -p "$BIN"

echo "== building doithoai, geninbox, measure" >&2
go build -o "$BIN/doithoai" ./cmd/doithoai
go build -o "$BIN/geninbox" ./bench/cmd/geninbox
go build -o "$BIN/measure" ./bench/cmd/measure

if [ "${REUSE:-}" = 1 ] && [ -f "$WORK/manifest.json" ] &&
	grep -q "\"communes\": $COMMUNES," "$WORK/manifest.json" && grep -q "\"households\": $HOUSEHOLDS," "$WORK/manifest.json" &&
	grep -q "\"clusters\": $(( (COMMUNES + CLUSTER_SIZE - 1) / CLUSTER_SIZE ))," "$WORK/manifest.json"; then
	echo "== reusing the inbox in $WORK (generated earlier; its generation time is the earlier one)" >&2
else
	echo "== generating $COMMUNES communes × $HOUSEHOLDS households into $WORK" >&2
	rm -rf "$WORK/inbox" "$WORK/state" "$WORK/outbox" "$WORK/manifest.json"
	"$BIN/geninbox" -dir "$WORK" -communes "$COMMUNES" -households "$HOUSEHOLDS" -cluster-size "$CLUSTER_SIZE" -seed "$SEED" >&2
fi

echo "== measuring (each child: timeout $TIMEOUT, memory cap $MEM_CAP_MIB MiB)" >&2
status=0
"$BIN/measure" -dir "$WORK" -doithoai "$BIN/doithoai" -workers "$WORKERS" \
	-timeout "$TIMEOUT" -mem-cap-mib "$MEM_CAP_MIB" -run-args "${RUN_ARGS:-}" || status=$?

if [ "${KEEP:-}" != 1 ]; then
	rm -rf "$WORK/inbox" "$WORK/state" "$WORK/outbox" "$BIN"
fi
echo "== results in $WORK/results.md" >&2
exit $status
