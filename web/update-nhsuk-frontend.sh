#!/bin/sh
# Vendors the NHS design system's compiled files into web/assets/nhsuk-frontend/:
# `npm pack nhsuk-frontend@VERSION`, then only what the console serves: the minified
# CSS and JS and the images the CSS names.  Two changes, so nothing loads from
# another host: the @font-face rules (Frutiger from assets.nhs.uk) are removed (our
# wardwatch.css sets Arial), and the CSS's absolute image URLs (/assets/images/...)
# become relative to the CSS file.  The source-map comments go too (no map is
# shipped).  Run from the repository: sh web/update-nhsuk-frontend.sh [VERSION]
set -eu
VERSION="${1:-10.6.1}"
here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/assets/nhsuk-frontend"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "nhsuk-frontend@$VERSION" >/dev/null && tar xzf ./*.tgz)
dist="$tmp/package/dist/nhsuk"
integrity="$(cd "$tmp" && sha256sum ./*.tgz | cut -d' ' -f1)"
rm -rf "$dest/images"
mkdir -p "$dest/images"
python3 - "$dist/nhsuk-frontend.min.css" "$dest/nhsuk-frontend.min.css" <<'PY'
import re, sys
css = open(sys.argv[1], encoding="utf-8").read()
css = re.sub(r"@font-face\{[^}]*\}", "", css)
css = css.replace("url(/assets/images/", "url(images/")
css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
if re.search(r"https?://", css):
    sys.exit("the CSS still names another host: " + re.search(r"https?://\S{0,60}", css).group(0))
open(sys.argv[2], "w", encoding="utf-8").write(css)
PY
sed '/^\/\/# sourceMappingURL=/d' "$dist/nhsuk-frontend.min.js" >"$dest/nhsuk-frontend.min.js"
for img in $(grep -o 'url(images/[^)]*)' "$dest/nhsuk-frontend.min.css" | sed 's/url(images\///; s/)$//' | sort -u) \
           favicon.svg favicon.ico; do
    cp "$dist/assets/images/$img" "$dest/images/$img"
done
sed -e "s/@VERSION@/$VERSION/g" -e "s/@SHA256@/$integrity/g" "$here/nhsuk-frontend.VENDORED.in" >"$dest/VENDORED.md"
echo "vendored nhsuk-frontend $VERSION into $dest"
