#!/usr/bin/env bash
# quickstart.sh - on a fresh Debian 12 machine: install what is needed, build, analyse samples/
# into samples.db and write the HTML report samples.html. Run as root (or with sudo).
set -eu
cd "$(dirname "$0")"
if [ "$(id -u)" = 0 ]; then
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(cat .ci/packages)
else
	echo "quickstart.sh: not root: skipping the package installation" >&2
fi
autoreconf -fi
./configure
make -j2
rm -f samples.db
./pcapstate analyze -q -d samples.db -r samples/
./pcapstate report -d samples.db --html samples.html
echo "quickstart.sh: wrote samples.db and samples.html"
