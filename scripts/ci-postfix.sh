#!/usr/bin/env bash
# CI only (Debian/Ubuntu, as root, no systemd): install Postfix and the SASL
# PLAIN/LOGIN plugins without questions, and make sure `postfix start` works,
# so test/postfix-integration.test.ts can configure a real Postfix.
# Idempotent: a second call installs nothing and leaves a running Postfix be.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "ci-postfix.sh: run as root (it installs packages)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

if ! installed postfix || ! installed libsasl2-modules; then
  # 'Local only' gives a main.cf that listens on loopback; the test then
  # turns it into a relay.
  debconf-set-selections <<'SEL'
postfix postfix/main_mailer_type select Local only
postfix postfix/mailname string localhost
SEL
  apt-get update -q
  apt-get install -y -q --no-install-recommends postfix libsasl2-modules
fi

# The package's post-install may leave a main.cf listening on all
# interfaces; keep CI's Postfix on loopback before it ever starts.
postconf -e 'inet_interfaces = loopback-only'

postfix check
if postfix status >/dev/null 2>&1; then
  echo "ci-postfix.sh: postfix already running"
else
  postfix start
fi
postfix status
