# Sourced by bench/run.sh and bench/rss.sh after they set SHARED: stops with what the
# benchmark reads from the shared folder, and where to get it, when that is absent.
need() { # what the benchmark reads from $SHARED, and where to get it when it is absent
    missing=""
    for d in data/otrf sigma/rules sigma/rules-emerging-threats sigma/rules-threat-hunting \
             sigma/regression; do
        [ -d "$SHARED/$d" ] || missing="$missing $d"
    done
    [ -z "$missing" ] && return 0
    cat >&2 <<EOF
bench: the corpora are built from a shared folder ($SHARED), which lacks:$missing
  data/otrf/*.zip            OTRF Security-Datasets' Windows JSON datasets (the zips
                             under datasets/atomic/windows of github.com/OTRF/Security-Datasets)
  sigma/rules, sigma/rules-emerging-threats, sigma/rules-threat-hunting
                             SigmaHQ's rules (github.com/SigmaHQ/sigma, or a release archive)
  sigma/regression           SigmaHQ's regression_data (the .evtx samples), same repository
Point WW_SHARED at a folder laid out like that and run again.
EOF
    exit 2
}
need
