#!/usr/bin/env bash
# Fetch the front-end packages pinned in package.json / package-lock.json with npm and copy the built files the
# portal serves into designsystemet/ and fonts/ next to this script. Run it by hand after changing a version
# (see README.md) and commit the result: `make run`, the tests and production never run npm.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

command -v npm >/dev/null 2>&1 || { echo "npm is needed to update the vendored files (Node.js 20 or newer)." >&2; exit 1; }

cp "$here/package.json" "$here/package-lock.json" "$work/"
# npm ci installs exactly what the lock file says and fails if package.json and the lock disagree.
# --ignore-scripts: nothing from the registry runs on this machine.
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)

modules="$work/node_modules"
css="$modules/@digdir/designsystemet-css"
web="$modules/@digdir/designsystemet-web"
inter="$modules/@fontsource-variable/inter"
htmx="$modules/htmx.org"

copy() {  # copy SOURCE DESTINATION (relative to this folder), creating folders as needed
    install -D -m 0644 "$1" "$here/$2"
}

rm -rf "$here/designsystemet" "$here/fonts" "$here/htmx"

# Designsystemet's component CSS (every component, in @layer ds) and its default theme (colour, size and
# typography tokens). The municipal colours are set on top of the theme in static/css/portal.css.
copy "$css/dist/src/index.css" designsystemet/css/index.css
copy "$css/dist/theme/designsystemet.css" designsystemet/css/theme/designsystemet.css
copy "$css/LICENSE" designsystemet/css/LICENSE

# The web components as one self-contained file (the UMD build: no bare imports, so a plain
# <script type="module"> loads it without a bundler or import map). The source map is copied too because the
# bundle names it, and Django's manifest storage refuses to collect a file whose source map is missing.
copy "$web/dist/umd/index.js" designsystemet/web/designsystemet-web.js
copy "$web/dist/umd/index.js.map" designsystemet/web/index.js.map
copy "$web/LICENSE" designsystemet/web/LICENSE
# Code bundled into designsystemet-web.js that ships its own licence file.
for package in core dom utils; do
    copy "$modules/@floating-ui/$package/LICENSE" "designsystemet/web/licenses/floating-ui-$package.LICENSE"
done

# Inter, the typeface of Designsystemet: the variable weight axis, upright, every subset (the browser fetches
# only the subsets a page needs, by unicode-range).
copy "$inter/index.css" fonts/inter/index.css
copy "$inter/LICENSE" fonts/inter/LICENSE
for font in $(grep -o 'files/[^)]*\.woff2' "$inter/index.css" | sort -u); do
    copy "$inter/$font" "fonts/inter/$font"
done

# htmx, for in-place actions on staff pages (every action also works as a plain form post without it).
copy "$htmx/dist/htmx.min.js" htmx/htmx.min.js
copy "$htmx/LICENSE" htmx/LICENSE

# The bundle is renamed on copy, so its source map comment must point at the copied map.
grep -q '^//# sourceMappingURL=index.js.map$' "$here/designsystemet/web/designsystemet-web.js" || {
    echo "designsystemet-web.js no longer names index.js.map; check the copy steps." >&2
    exit 1
}

echo "Copied into $here:"
for package in "$css" "$web" "$inter" "$htmx"; do
    node -e 'const p = require(process.argv[1]); console.log(`  ${p.name} ${p.version} (${p.license})`)' \
        "$package/package.json"
done
(cd "$here" && find designsystemet fonts htmx -type f | sort | xargs du -h)
