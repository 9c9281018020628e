#!/usr/bin/env bash
# Offline demo: the story of one link, in under a minute, with nothing
# leaving this machine. A simulated internet (cmd/fakeweb) runs as a
# process; linkrot reaches it through network.resolve, and resolve_only
# makes every other name fail as not found instead of asking DNS.
#
#   1. an article cites six links (one of them split by a line wrap);
#   2. linkrot scans it, checks the links and archives the live pages;
#   3. the news site takes one article down (fakeweb gets SIGUSR1);
#   4. two checks a second apart confirm it dead (suspect, then dead);
#   5. its local copy is restored, `fix` rewrites the article to cite the
#      copy, and the report shows the dead link and where to get it back.
#
#   bash scripts/offline-demo.sh [--serve] [--showcase] [WORKDIR]
#
# --serve     keep going: `linkrot serve` on http://127.0.0.1:8080 (Ctrl-C stops)
# --showcase  also cite one URL per failure kind fakeweb knows (slower: timeouts,
#             throttling), to browse every state in the UI
# DEMO_LINKROT_BIN and DEMO_FAKEWEB_BIN (paths to built binaries) skip the builds (tests set them).
set -euo pipefail
serve=false showcase=false
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --serve) serve=true ;;
    --showcase) showcase=true ;;
    *) echo "offline-demo: unknown option $1" >&2; exit 1 ;;
  esac
  shift
done
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mkdir -p "${1:-/tmp/linkrot-demo}" && cd "${1:-/tmp/linkrot-demo}" && pwd)
rm -rf "$work/docs" "$work/data" "$work/restored"
mkdir -p "$work/docs"
say() { printf '\n== %s\n' "$*"; }

if [[ -n ${DEMO_LINKROT_BIN:-} && -n ${DEMO_FAKEWEB_BIN:-} ]]; then
  linkrot=$DEMO_LINKROT_BIN fakeweb_bin=$DEMO_FAKEWEB_BIN
else
  say "building linkrot and fakeweb"
  (cd "$repo" && go build -o "$work/fakeweb" ./cmd/fakeweb && go build -o "$work/linkrot" ./cmd/linkrot)
  linkrot=$work/linkrot fakeweb_bin=$work/fakeweb
fi
start=$SECONDS

"$fakeweb_bin" -demo -urls-out "$work/urls.txt" -story-out "$work/story.txt" -ca-out "$work/ca.pem" \
  -resolve-out "$work/resolve.txt" >"$work/fakeweb.log" 2>&1 &
fakeweb=$!
trap 'kill $fakeweb 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q ready "$work/fakeweb.log" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$work/fakeweb.log" || { echo "offline-demo: fakeweb did not start" >&2; cat "$work/fakeweb.log" >&2; exit 1; }

# The article. Its last link was split by a line wrap: linkrot repairs it.
story=$(sed -n 1p "$work/story.txt")
{
  echo "# Notes on the river park"
  echo
  echo "The council approved the park: $story"
  sed -n '2,$p' "$work/story.txt" | sed 's/^/See also: /'
  echo
  echo "Background: https://www.themoscowtimes.com/2014/09/29/russia-calls-for-joint-effort-with-us-to-fight-islamic-stat"
  echo "e-a39862"
} >"$work/docs/article.md"
if $showcase; then
  { echo "Every failure kind"; echo; cat "$work/urls.txt"; } >"$work/docs/showcase.txt"
fi

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
reports:
  formats: [text, html]
network:
  allow_private: true
  resolve_only: true
  ca_file: $work/ca.pem
  resolve:
YAML
  sed 's/.*/    - "&"/' "$work/resolve.txt"
} >"$work/config.yaml"

cd "$work"
lr() { "$linkrot" --config config.yaml "$@"; }

say "1. the article cites these links"
cat docs/article.md
say "2. scan it, check every link, archive the live pages"
lr add docs
lr check

say "3. the news site takes the article down"
kill -USR1 "$fakeweb"
for _ in $(seq 50); do grep -q "taken down" fakeweb.log && break; sleep 0.1; done

say "4. check again: first failure (suspect) ..."
lr check --all
sleep 1.1   # dead_after.min_span
say "   ... and again a second later: confirmed dead (and public copies looked up)"
lr check --lookup

say "5. its local copy, restored"
lr restore -o restored "$story"
ls restored
grep -o '<title>[^<]*</title>' restored/* | head -1 || true

say "6. fix rewrites the article to cite the copy"
lr fix --write --archive local --local-base http://127.0.0.1:8080 docs/article.md
cat docs/article.md

say "7. the report"
lr report --format text
echo
echo "offline demo: done in $((SECONDS - start))s (builds not counted); files in $work"

if $serve; then
  say "linkrot serve: open http://127.0.0.1:8080 (Ctrl-C to stop)"
  lr serve --listen 127.0.0.1:8080
fi
