#!/usr/bin/env bash
# Fails, with one line on stderr, when a Cargo.lock is stale: when cargo
# would have to change it to build its workspace (the root, python/ and
# fuzz/ are three workspaces with a lock file each). Run by .ci/run before
# anything is built; run it by hand after changing a Cargo.toml.
#
# Offline first: with the registry's index and crates already cached (any
# earlier build) it needs no network. Only when that fails for want of
# something uncached does it ask the registry.
#
# To refresh a stale lock file without bumping anything else, run
# `cargo metadata --format-version 1 >/dev/null` in its workspace and
# commit the change.
set -uo pipefail
cd "$(dirname "$0")/.."

status=0
for ws in . python fuzz; do
  lock="$ws/Cargo.lock"
  [ "$ws" = . ] && lock=Cargo.lock
  if [ ! -f "$lock" ]; then
    echo "check_locks: $lock is missing" >&2
    status=1
    continue
  fi
  meta() { (cd "$ws" && cargo metadata --locked --format-version 1 "$@" 2>&1 >/dev/null); }
  if err=$(meta --offline); then
    continue
  fi
  # Stale whatever the network says: cargo got as far as changing the lock.
  if ! grep -q -e "cannot update the lock file" -e "needs to be updated" <<<"$err"; then
    err=$(meta) && continue
  fi
  first=$(grep -m1 '^error' <<<"$err" || true)
  echo "check_locks: $lock is stale (${first:-cargo metadata --locked failed})" >&2
  status=1
done
exit $status
