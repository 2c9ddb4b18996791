#!/usr/bin/env bash
# Checks the demo's HTML reports the way a user sees them: every page under demo-out/ (written by
# `stexplain demo` first when missing) must link only to files that exist, and must render in
# headless Chromium to a screenshot that is not blank. Screenshots go to report-check-out/.
# Needs a release build; installs chromium from Debian when missing (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh chromium
bin="$(swift build -c release --show-bin-path)/stexplain"
demo=demo-out
shots=report-check-out
[[ -f "$demo/index.html" ]] || "$bin" demo --out "$demo"
rm -rf "$shots"
mkdir -p "$shots"

failures=0
fail() { echo "report-check: $*" >&2; failures=$((failures + 1)); }

pages=$(find "$demo" -name '*.html' | sort)
for page in $pages; do
  folder=$(dirname "$page")
  # src/href targets, and the frame pictures the slider swaps in (data-frames="DIR/" → DIR/0000.png).
  links=$( { grep -oE '(src|href)="[^"#]+"' "$page" | sed -E 's/^(src|href)="(.*)"$/\2/'
             grep -oE 'data-frames="[^"]+"' "$page" | sed -E 's/^data-frames="(.*)"$/\10000.png/'; } || true)
  for link in $links; do
    case "$link" in
      http:*|https:*|//*) fail "$page links to the network: $link" ;;
      *) [[ -e "$folder/$link" ]] || fail "$page links to a missing file: $link" ;;
    esac
  done
done

shot_number=0
for page in $pages; do
  shot_number=$((shot_number + 1))
  shot="$shots/$(printf '%03d' "$shot_number")-$(echo "${page#"$demo"/}" | tr '/' '_' | sed 's/\.html$//').png"
  timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --allow-file-access-from-files \
    --window-size=1200,1600 --screenshot="$PWD/$shot" "file://$PWD/$page" >/dev/null 2>&1 \
    || { fail "$page: chromium could not render it"; continue; }
  [[ -s "$shot" ]] || { fail "$page: no screenshot"; continue; }
  # A blank page is one flat colour: require a spread of grey levels and some dark pixels.
  stats=$(ffmpeg -v error -i "$shot" -vf "format=gray,signalstats,metadata=print:file=-" -f null - 2>/dev/null)
  low=$(echo "$stats" | sed -n 's/.*signalstats.YMIN=//p' | head -1)
  average=$(echo "$stats" | sed -n 's/.*signalstats.YAVG=//p' | head -1)
  if [[ -z "$low" || "$low" -gt 64 ]] || awk -v a="$average" 'BEGIN { exit !(a > 254) }'; then
    fail "$page: the screenshot looks blank (darkest grey $low, mean $average)"
  fi
done

count=$(echo "$pages" | wc -l)
if [[ $failures -ne 0 ]]; then
  echo "report-check: $failures problem(s) in $count pages" >&2
  exit 1
fi
echo "report-check: $count pages, every linked file exists, every screenshot non-blank ($shots/)"
