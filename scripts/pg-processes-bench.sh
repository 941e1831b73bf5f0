#!/usr/bin/env bash
# Deposits per second of ONE and of TWO `lre serve` processes on one
# PostgreSQL database, loaded at once by `lre bench --url` (one per process,
# the senders split between them). Each run gets a database of its own.
#
#   go build -o lre ./cmd/lre
#   scripts/pg-processes-bench.sh postgres://postgres@127.0.0.1:5432
#
# Environment: LRE (binary, ./lre), DURATION (10s), CONCURRENCY (64 in all),
# SIZE (100KB). Needs psql to create the databases.
set -euo pipefail
server=${1:?usage: $0 postgres://user@host:port (a role that may create databases)}
lre=${LRE:-./lre}
duration=${DURATION:-10s}
concurrency=${CONCURRENCY:-64}
size=${SIZE:-100KB}
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_healthy() {
	for _ in $(seq 100); do
		curl -fsS "$1/healthz" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "lre at $1 did not become healthy" >&2
	return 1
}

serve() { # data url port log
	"$lre" serve --data "$1" --store "$2" --listen "127.0.0.1:$3" --tsa "" --smtp "" \
		--bounce-listen "" >"$4" 2>&1 &
	pids+=($!)
	echo $!
}

run() { # number of processes
	local n=$1 db url key
	db="lre_procs_${n}_$$"
	psql -q "$server/postgres" -c "CREATE DATABASE $db"
	url="$server/$db?sslmode=disable"
	key=$("$lre" users add --data "$work/d$n-1" --store "$url" --email bench@example.org \
		--name Bench --org Bench | tail -n 1)
	local ports=() spids=()
	for i in $(seq "$n"); do
		ports+=("$(free_port)")
		if [ "$i" -gt 1 ]; then cp -r "$work/d$n-1" "$work/d$n-$i"; rm -rf "$work/d$n-$i/mailbox"; fi
		spids+=("$(serve "$work/d$n-$i" "$url" "${ports[-1]}" "$work/serve-$n-$i.log")")
		wait_healthy "http://127.0.0.1:${ports[-1]}"
	done
	local outs=() bpids=()
	for i in $(seq "$n"); do
		outs+=("$work/bench-$n-$i.txt")
		"$lre" bench --url "http://127.0.0.1:${ports[$((i-1))]}" --key "$key" --pid "${spids[$((i-1))]}" \
			--size "$size" --duration "$duration" --concurrency $((concurrency / n)) >"${outs[-1]}" 2>&1 &
		bpids+=($!)
	done
	wait "${bpids[@]}"
	local total=0
	for f in "${outs[@]}"; do
		line=$(grep -E "^$size " "$f" | head -n 1)
		echo "  process: $line"
		total=$(( total + $(awk '{print $3}' <<<"$line") ))
	done
	echo "$n process(es) on one PostgreSQL: $total letters/s in all ($concurrency senders, $size, $duration)"
	for p in "${spids[@]}"; do kill "$p"; done
}

run 1
run 2
