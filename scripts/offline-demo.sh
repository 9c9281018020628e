#!/usr/bin/env bash
# Offline demo: a simulated internet (cmd/fakeweb) as a process, linkrot
# pointed at it through network.resolve, three runs a few seconds apart, then
# `linkrot serve`. Nothing leaves this machine: resolve_only makes every name
# that fakeweb does not serve fail as not found instead of asking DNS.
#
#   bash scripts/offline-demo.sh [WORKDIR]     # then open http://127.0.0.1:8080
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mkdir -p "${1:-/tmp/linkrot-demo}" && cd "${1:-/tmp/linkrot-demo}" && pwd)
mkdir -p "$work/docs"
cd "$repo"
go build -o "$work/fakeweb" ./cmd/fakeweb
go build -o "$work/linkrot" ./cmd/linkrot

"$work/fakeweb" -demo -urls-out "$work/urls.txt" -ca-out "$work/ca.pem" \
  -resolve-out "$work/resolve.txt" >"$work/fakeweb.log" 2>&1 &
fakeweb=$!
trap 'kill $fakeweb 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q ready "$work/fakeweb.log" 2>/dev/null && break; sleep 0.1; done

# Documents: every demo URL, and an article whose source URL a line wrap split.
{ echo "Demo links"; echo; cat "$work/urls.txt"; } >"$work/docs/links.txt"
cat >"$work/docs/article.txt" <<'TEXT'
Russia Calls for Joint Effort With U.S. to Fight Islamic State

September 29, 2014

A short summary written for the linkrot demo.

Original url:
https://www.themoscowtimes.com/2014/09/29/russia-calls-for-joint-effort-with-us-to-fight-islamic-stat
e-a39862
TEXT

{
  cat <<YAML
data_dir: data
sources: [docs]
schedule: "@every 1h"
crawler:
  per_host_interval: 0s
  timeout: 3s
  retries: 0
recheck:
  suspect: 1s   # recheck failing links at once, so the demo reaches "dead"
dead_after:
  failures: 2
  min_span: 1s
archive:
  external:
    wayback:
      availability_url: https://web.archive.org/wayback/available
      cdx_url: https://web.archive.org/cdx/search/cdx
    memento:
      enabled: false
network:
  allow_private: true
  resolve_only: true
  ca_file: $work/ca.pem
  resolve:
YAML
  sed 's/.*/    - "&"/' "$work/resolve.txt"
} >"$work/config.yaml"

cd "$work"
for i in 1 2 3; do
  echo "== run $i"
  ./linkrot --config config.yaml run || true   # a run with dead links still exits 0
  sleep 2
done
./linkrot --config config.yaml report --format text | head -40
echo "== linkrot serve: open http://127.0.0.1:8080 (Ctrl-C to stop)"
./linkrot --config config.yaml serve --listen 127.0.0.1:8080
