#!/bin/sh
# Installs the side-by-side baselines of the benchmark (Debian packages): fail2ban
# (fail2ban-regex), crowdsec (replayed offline), ripgrep (literal-scan ceiling) and
# gnuplot (the plot).  Kept apart from scripts/setup.sh: the product does not need them.
#
# CrowdSec's postinst registers the machine with the online Central API unless
# /etc/crowdsec/online_api_credentials.yaml already exists and is non-empty (see the
# package's README.Debian), so we create it first; a policy-rc.d keeps dpkg from
# starting the crowdsec daemon.  The bench only replays files (crowdsec -dsn ... with
# its local API on 127.0.0.1, stopped after the replay), with the offline hub the package ships.
set -eu
PKGS="fail2ban crowdsec ripgrep gnuplot-nox time"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "bench/setup: installing$missing"
$SUDO mkdir -p /etc/crowdsec
if [ ! -s /etc/crowdsec/online_api_credentials.yaml ]; then
    echo "# wardwatch bench: online API (CAPI) registration disabled on purpose" |
        $SUDO tee /etc/crowdsec/online_api_credentials.yaml >/dev/null
fi
POLICY=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
    $SUDO chmod 755 "$POLICY"
    made_policy=1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confold $missing >/dev/null
[ -n "$made_policy" ] && $SUDO rm -f "$POLICY"
# The daemons must not run in the background of a benchmark.
if command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl disable --now crowdsec fail2ban >/dev/null 2>&1 || true
fi
exit 0
