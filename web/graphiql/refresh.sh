#!/usr/bin/env bash
# Re-fetch the vendored GraphiQL files with `npm pack` and check them against the integrity
# hashes in index.html. Run after changing a version here and in index.html.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
vendor="$here/assets/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# package@version  file inside the package
files=(
  "react@18.2.0 umd/react.production.min.js"
  "react-dom@18.2.0 umd/react-dom.production.min.js"
  "js-cookie@3.0.5 dist/js.cookie.min.js"
  "graphiql@3.8.3 graphiql.min.css"
  "graphiql@3.8.3 graphiql.min.js"
  "@graphiql/plugin-explorer@1.0.2 dist/style.css"
  "@graphiql/plugin-explorer@1.0.2 dist/index.umd.js"
)

for entry in "${files[@]}"; do
  read -r package file <<<"$entry"
  unpacked="$work/$package"
  if [ ! -d "$unpacked" ]; then
    mkdir -p "$unpacked"
    tarball="$(cd "$work" && npm pack --silent "$package" | tail -n 1)"
    tar -xzf "$work/$tarball" -C "$unpacked" --strip-components=1
    mkdir -p "$vendor/$package"
    # @graphiql/plugin-explorer ships no LICENSE file; it is MIT (package.json) and lives in
    # the graphql/graphiql repository, whose LICENSE the graphiql package carries.
    licence="$unpacked/LICENSE"
    [ -f "$licence" ] || licence="$work/graphiql@3.8.3/LICENSE"
    cp "$licence" "$vendor/$package/LICENSE"
  fi
  mkdir -p "$(dirname "$vendor/$package/$file")"
  cp "$unpacked/$file" "$vendor/$package/$file"
  hash="sha384-$(openssl dgst -sha384 -binary "$vendor/$package/$file" | base64 -w0)"
  if grep -qF "$hash" "$here/index.html"; then
    echo "ok        $package/$file"
  else
    echo "MISMATCH  $package/$file: $hash is not in index.html" >&2
    exit 1
  fi
done
