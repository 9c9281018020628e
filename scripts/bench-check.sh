#!/usr/bin/env bash
# bench-check.sh: linkrot's checking speed against other link checkers, side
# by side in one run, on a loopback site (cmd/fakeweb -bench): N pages over
# 50 named hosts with 20 ms latency each, including 404s, 410s, 500s,
# soft-404 pages, 301/302 redirects to live pages, and pages that answer
# 429 (Retry-After: 1) or 503 once before answering 200.
#
#   scripts/bench-check.sh              # N=10000
#   N=2000 PEERS="muffet" scripts/bench-check.sh
#   OLD_LINKROT=/tmp/linkrot-old PEERS=linkinator scripts/bench-check.sh
#
# linkrot runs `check --all` at concurrency 256, per_host 64, no per-host
# pacing, archive off, one failure makes dead. The peers check the same
# pages under 127.0.0.1 from one page that lists them all: muffet 2.11.5
# (built from its Go module into a temp dir: --max-connections 512
# --one-page-only), linkinator (npm, into a temp dir) and linkchecker (apt),
# each skipped with a note when it does not install. Each tool gets a fresh
# fakeweb, so throttled pages throttle each of them once.
#
# Printed per tool: wall time, peak RSS, requests served, broken links
# reported, precision and recall against fakeweb's truth. All traffic stays
# on 127.0.0.1. Nothing is installed outside the temp dir except
# linkchecker, which apt puts where apt puts things.
set -euo pipefail

N=${N:-10000}
LATENCY=${LATENCY:-20ms}
PEERS=${PEERS-"muffet linkinator linkchecker"}
PEER_TIMEOUT=${PEER_TIMEOUT:-600}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/bench-check.XXXXXX)
fwpid=""
cleanup() {
	if [ -n "$fwpid" ]; then kill "$fwpid" 2>/dev/null || true; wait "$fwpid" 2>/dev/null || true; fi
	if [ -n "${KEEP:-}" ]; then echo "bench-check: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

echo "bench-check: building linkrot and fakeweb into $tmp" >&2
(cd "$root" && go build -o "$tmp/linkrot" ./cmd/linkrot && go build -o "$tmp/fakeweb" ./cmd/fakeweb)

# start_fakeweb starts a fresh fakeweb; sets fwpid and addr.
start_fakeweb() {
	rm -f "$tmp/fw.log"
	"$tmp/fakeweb" -bench "$N" -latency "$LATENCY" -urls-out "$tmp/urls.txt" \
		-resolve-out "$tmp/resolve.txt" -truth-out "$tmp/truth.tsv" >"$tmp/fw.log" 2>&1 &
	fwpid=$!
	for _ in $(seq 1 200); do
		grep -q ready "$tmp/fw.log" 2>/dev/null && break
		sleep 0.1
	done
	addr=$(awk '/^fakeweb: http /{print $3}' "$tmp/fw.log")
}

# stop_fakeweb stops it and prints how many requests it served.
stop_fakeweb() {
	kill -TERM "$fwpid"
	wait "$fwpid" || true
	fwpid=""
	sed -n 's/^fakeweb: stopping after \([0-9]*\) requests.*/\1/p' "$tmp/fw.log"
}

# timed NAME CMD…: runs CMD under /usr/bin/time; writes wall s and peak KiB.
timed() {
	local name=$1
	shift
	/usr/bin/time -f "%e %M %U %S" -o "$tmp/$name.time" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || true
}

# score NAME: reads $tmp/NAME.broken (paths reported broken) and prints
# the row.
score() {
	local name=$1 reqs=$2
	python3 - "$tmp/truth.tsv" "$tmp/$name.broken" "$tmp/$name.time" "$name" "$reqs" "$N" <<'EOF'
import sys
truth = {}
for line in open(sys.argv[1]):
    p, kind, v = line.rstrip("\n").split("\t")
    truth[p] = (kind, v == "broken")
said = set(l.strip() for l in open(sys.argv[2]) if l.strip())
wall, rss, user, sys_ = open(sys.argv[3]).read().strip().splitlines()[-1].split()[:4]
tp = sum(1 for p in said if truth.get(p, ("", False))[1])
fp = len(said) - tp
real = sum(1 for k, b in truth.values() if b)
fn = real - tp
wrong = {}
for p in said:
    k, b = truth.get(p, ("?", False))
    if not b:
        wrong[k] = wrong.get(k, 0) + 1
prec = tp / len(said) if said else 1.0
rec = tp / real if real else 1.0
print(f"{sys.argv[4]:<12} wall {float(wall):7.2f} s  peak RSS {int(rss)/1024:7.1f} MiB  cpu {float(user)+float(sys_):6.2f} s  "
      f"requests {sys.argv[5]:>6}  broken {len(said):>5} (truth {real})  precision {prec:.3f}  recall {rec:.3f}"
      + (f"  false alarms by kind {wrong}" if wrong else ""))
EOF
}

results=()

# --- linkrot --------------------------------------------------------------
# run_linkrot NAME BINARY: one linkrot build on a fresh fakeweb and catalog.
run_linkrot() {
	local name=$1 bin=$2
	start_fakeweb
	echo "bench-check: $name: fakeweb on $addr with $N bench pages, latency $LATENCY" >&2
	local work="$tmp/$name-work"
	mkdir -p "$work/docs"
	split -l 1000 -d -a 3 "$tmp/urls.txt" "$work/docs/list"
	for f in "$work/docs"/list*; do mv "$f" "$f.txt"; done
	{
		printf 'data_dir: data\nsources: [docs]\nreports:\n  formats: []\n'
		printf 'archive:\n  enabled: false\n  external:\n    wayback:\n      enabled: false\n    memento:\n      enabled: false\n'
		printf 'crawler:\n  concurrency: 256\n  per_host: 64\n  per_host_interval: 0s\n  retries: 2\n'
		printf 'dead_after:\n  failures: 1\n  min_span: 0s\n'
		printf 'network:\n  allow_private: true\n  resolve_only: true\n  resolve:\n'
		while read -r r; do printf '    - "%s"\n' "$r"; done <"$tmp/resolve.txt"
	} >"$work/config.yaml"
	(cd "$work" && "$bin" --config config.yaml add >/dev/null)
	(cd "$work" && timed "$name" "$bin" --config config.yaml check --all)
	reqs=$(stop_fakeweb)
	(cd "$work" && "$bin" --config config.yaml links --json) |
		python3 -c '
import json, sys
from urllib.parse import urlsplit
for line in sys.stdin:
    l = json.loads(line)
    if l["state"] in ("dead", "suspect"):
        print(urlsplit(l["url"]).path)
' >"$tmp/$name.broken"
	results+=("$(score "$name" "$reqs")")
}

run_linkrot linkrot "$tmp/linkrot"
linkrot_wall=$(tail -1 "$tmp/linkrot.time" | cut -d" " -f1)
# One request per page at 256 in flight is the bound no checker beats;
# linkrot's own requests (retries, probes, robots.txt) are in "requests".
bound=$(python3 -c "print(f'{$reqs*${LATENCY%ms}/1000/256:.2f}')")
# OLD_LINKROT=path/to/an/older/build adds it as a row, for before/after
# figures measured in the same sitting.
if [ -n "${OLD_LINKROT:-}" ]; then
	run_linkrot linkrot-old "$OLD_LINKROT"
fi

# --- muffet ---------------------------------------------------------------
if [[ " $PEERS " == *" muffet "* ]]; then
	mkdir -p "$tmp/gobin"
	if (cd "$tmp" && GOFLAGS= GOBIN="$tmp/gobin" go install github.com/raviqqe/muffet/v2@v2.11.5) >"$tmp/muffet-install.log" 2>&1; then
		start_fakeweb
		timed muffet "$tmp/gobin/muffet" --max-connections 512 --one-page-only --timeout 30 "http://$addr/all"
		reqs=$(stop_fakeweb)
		# muffet prints each broken link as "\t<status>\t<url>".
		grep -oE 'http://127\.0\.0\.1:[0-9]+/b/[0-9]+' "$tmp/muffet.out" | sed -E 's#http://[^/]+##' | sort -u >"$tmp/muffet.broken" || true
		results+=("$(score muffet "$reqs")")
	else
		results+=("muffet       not run: the Go module proxy refused github.com/raviqqe/muffet/v2@v2.11.5 ($(grep -m1 -oE '[0-9]{3} [A-Za-z ]+' "$tmp/muffet-install.log" || echo 'install failed'))")
	fi
fi

# --- linkinator -----------------------------------------------------------
if [[ " $PEERS " == *" linkinator "* ]]; then
	if (cd "$tmp" && npm install --prefix "$tmp/npm" --no-audit --no-fund linkinator@6.1.4) >"$tmp/linkinator-install.log" 2>&1; then
		start_fakeweb
		timed linkinator timeout "$PEER_TIMEOUT" "$tmp/npm/node_modules/.bin/linkinator" "http://$addr/all" --concurrency 512 --timeout 30000 --format json
		reqs=$(stop_fakeweb)
		python3 -c '
import json, sys
from urllib.parse import urlsplit
d = json.load(open(sys.argv[1]))
for l in d.get("links", []):
    if l.get("state") == "BROKEN":
        p = urlsplit(l["url"]).path
        if p.startswith("/b/"):
            print(p)
' "$tmp/linkinator.out" >"$tmp/linkinator.broken" 2>/dev/null || true
		results+=("$(score linkinator "$reqs")")
	else
		results+=("linkinator   not run: npm install failed (see the log)")
	fi
fi

# --- linkchecker ----------------------------------------------------------
if [[ " $PEERS " == *" linkchecker "* ]]; then
	if command -v linkchecker >/dev/null || { apt-get install -y -q linkchecker >"$tmp/linkchecker-install.log" 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q linkchecker >>"$tmp/linkchecker-install.log" 2>&1; }; }; then
		start_fakeweb
		timed linkchecker timeout "$PEER_TIMEOUT" linkchecker --no-status --no-robots -r 1 -t 100 -o csv "http://$addr/all"
		reqs=$(stop_fakeweb)
		python3 -c '
import csv, sys
from urllib.parse import urlsplit
rows = [l for l in open(sys.argv[1]) if not l.startswith("#")]
for r in csv.DictReader(rows, delimiter=";"):
    if r.get("valid", "").lower() in ("false", "0"):
        p = urlsplit(r.get("urlname") or r.get("url") or "").path
        if p.startswith("/b/"):
            print(p)
' "$tmp/linkchecker.out" >"$tmp/linkchecker.broken" 2>/dev/null || true
		results+=("$(score linkchecker "$reqs")")
	else
		results+=("linkchecker  not run: apt-get install linkchecker failed")
	fi
fi

echo
echo "bench-check: $N pages, latency $LATENCY, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%s\n' "${results[@]}"
echo "linkrot wall ${linkrot_wall} s against its request bound ${bound} s (requests × latency / 256): $(python3 -c "print(f'{$linkrot_wall/max($bound,0.001):.2f}')")×"
