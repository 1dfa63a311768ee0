#!/bin/sh
# Copies the Bootstrap Italia files the product serves from node_modules (installed by
# `npm ci`) into internal/web/static/vendor/, which the web package embeds in the binary.
# Run from the repository root. Idempotent: the target folder is rebuilt from scratch.
set -eu

src=node_modules/bootstrap-italia/dist
dst=internal/web/static/vendor/bootstrap-italia

if [ ! -f "$src/css/bootstrap-italia.min.css" ]; then
	echo "assets: $src not found: run 'npm ci' first (or 'make assets')" >&2
	exit 1
fi

rm -rf "$dst"
mkdir -p "$dst/css" "$dst/js" "$dst/svg" "$dst/fonts"

cp "$src/css/bootstrap-italia.min.css" "$dst/css/"
# The bundle (with Popper and the other plugins) sets window.BOOTSTRAP_ITALIA_VERSION, which
# the national validator of municipal sites reads.
cp "$src/js/bootstrap-italia.bundle.min.js" "$dst/js/"
cp "$src/svg/sprites.svg" "$dst/svg/"

# Fonts: the CSS names the families but declares no @font-face (Bootstrap Italia's JS loader
# would inject one as an inline <style>, which our Content-Security-Policy forbids), so
# internal/web/static/fonts.css declares them and points at these files. woff2 and woff serve
# browsers; ttf is kept for PDF generation. eot and svg fonts serve only obsolete browsers.
for family in Titillium_Web Lora Roboto_Mono; do
	if [ ! -d "$src/fonts/$family" ]; then
		echo "assets: font folder $src/fonts/$family missing" >&2
		exit 1
	fi
	mkdir -p "$dst/fonts/$family"
	for f in "$src/fonts/$family"/*.woff2 "$src/fonts/$family"/*.woff "$src/fonts/$family"/*.ttf "$src/fonts/$family"/LICENSE*; do
		if [ -f "$f" ]; then cp "$f" "$dst/fonts/$family/"; fi
	done
done

# The version copied, for humans and for the startup check's messages.
version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' node_modules/bootstrap-italia/package.json | head -n 1)
printf '%s\n' "$version" >"$dst/VERSION"
cp node_modules/bootstrap-italia/LICENSE "$dst/LICENSE" 2>/dev/null || true

echo "assets: Bootstrap Italia $version copied to $dst"
