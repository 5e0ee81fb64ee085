#!/bin/sh
# Installs every Debian package wardwatch needs to build, test and fuzz.
# Safe to run again: it only calls apt-get when something is missing.
set -eu
PKGS="build-essential cmake pkg-config clang libclang-rt-14-dev
      libyaml-dev libpcre2-dev libcmocka-dev libsqlite3-dev zlib1g-dev libzstd-dev zstd
      libarchive-dev libcurl4-openssl-dev libssl-dev libmicrohttpd-dev librelp-dev curl python3 unzip openssl
      nftables iproute2 chromium rsyslog rsyslog-gnutls rsyslog-relp
      libivykis0 libnet1 libsodium-dev liboath-dev libqrencode-dev"
# libivykis0 and libnet1: the libraries of syslog-ng's loggen, which
# tests/integration/serve_loggen.sh unpacks from syslog-ng-core (apt-get download):
# syslog-ng-core itself conflicts with rsyslog.
# The console (lib/web): GnuTLS for its HTTPS and certificate; WebDriver for its tests.
PKGS="$PKGS libgnutls28-dev chromium-driver python3-selenium"
# The console's tests sign responders and admins in with a TOTP code.
PKGS="$PKGS oathtool"
# The incidents' STIX 2.1 export is validated against the OASIS JSON schemas.
PKGS="$PKGS python3-jsonschema"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "setup: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
