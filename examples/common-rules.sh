#!/bin/sh
# Rules for common cases, on top of `illumio-monitor rules load-defaults`.
# Each line is validated by the tool before it is written; a rule whose id
# exists already is refused with an error, so re-running it changes nothing.
# Usage: sh common-rules.sh --config /etc/illumio-monitor/config.json
# Set IMON to the command if it is not on PATH (word-split: IMON="node bin/illumio-monitor.js").
IMON=${IMON:-illumio-monitor}


# Remote administration blocked or about to be blocked in production.
$IMON "$@" rules add --id blocked-rdp --name "Blocked RDP" --type traffic \
  --decision blocked --decision potentially_blocked --port 3389 --proto tcp \
  --threshold 5 --window 10 --cooldown 60 --severity high
$IMON "$@" rules add --id blocked-ssh-prod --name "Blocked SSH into production" --type traffic \
  --decision blocked --port 22 --proto tcp --dst-label env=prod \
  --threshold 5 --window 10 --cooldown 60 --severity high

# SMB between workloads: a classic lateral-movement path.
$IMON "$@" rules add --id blocked-smb --name "Blocked SMB" --type traffic \
  --decision blocked --port 445 --proto tcp --src-ip 10.0.0.0/8 \
  --threshold 10 --window 10 --cooldown 30 --severity high

# Database ports reached from outside the private ranges.
$IMON "$@" rules add --id db-from-outside --name "Database traffic from outside" --type traffic \
  --decision blocked --decision potentially_blocked --port 5432 --proto tcp \
  --exclude-src-ip 10.0.0.0/8 --exclude-src-ip 172.16.0.0/12 --exclude-src-ip 192.168.0.0/16 \
  --threshold 1 --window 15 --cooldown 60 --severity critical

# Who changes policy, firewall settings and API keys.
$IMON "$@" rules add --id policy-changes --name "Policy changes" --type event \
  --event-type 'sec_policy.*' --event-type 'rule_set.*' --event-type 'sec_rule.*' \
  --threshold 1 --window 10 --cooldown 10 --severity medium
$IMON "$@" rules add --id firewall-settings --name "Firewall settings changed" --type event \
  --event-type firewall_settings.update --threshold 1 --window 10 --cooldown 10 --severity high
$IMON "$@" rules add --id api-key-changes --name "API keys created or deleted" --type event \
  --event-type api_key.create --event-type api_key.delete \
  --threshold 1 --window 10 --cooldown 10 --severity medium

# VENs unpaired or deactivated: workloads leaving protection.
$IMON "$@" rules add --id ven-unpaired --name "VEN unpaired or deactivated" --type event \
  --event-type agent.deactivate --event-type agents.unpair --event-type workloads.unpair \
  --threshold 1 --window 10 --cooldown 30 --severity high

# Permission denied on the API, many times: a misused or stolen key.
$IMON "$@" rules add --id api-authorization-failures --name "API authorization failures" --type event \
  --event-type request.authorization_failed --threshold 10 --window 10 --cooldown 60 --severity medium
