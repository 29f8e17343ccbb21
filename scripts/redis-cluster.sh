#!/usr/bin/env bash
# A local Redis Cluster of three masters from Debian's redis-server, for running the benchmarks (or the apps) the way
# they run on a cluster: `bash scripts/redis-cluster.sh start` prints the REDIS_CLUSTER_NODES to use, `stop` ends it.
# Ports: REDIS_CLUSTER_PORT (first of three, default 7200). Nothing is kept on disk.
set -euo pipefail
first=${REDIS_CLUSTER_PORT:-7200}
ports=("$first" "$((first + 1))" "$((first + 2))")
dir=${TMPDIR:-/tmp}/jiaoying-redis-cluster-$first

case "${1:-start}" in
  start)
    mkdir -p "$dir"
    for p in "${ports[@]}"; do
      redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "nodes-$p.conf" \
        --cluster-node-timeout 5000 --dir "$dir" --save '' --appendonly no --maxmemory-policy noeviction \
        --daemonize yes --logfile "$dir/$p.log"
    done
    for p in "${ports[@]}"; do
      until redis-cli -p "$p" ping >/dev/null 2>&1; do sleep 0.2; done
    done
    redis-cli --cluster create "${ports[@]/#/127.0.0.1:}" --cluster-yes >/dev/null
    for _ in $(seq 1 60); do
      ok=0
      for p in "${ports[@]}"; do
        redis-cli -p "$p" cluster info | grep -q cluster_state:ok && ok=$((ok + 1))
      done
      if [ "$ok" = 3 ]; then
        echo "REDIS_CLUSTER_NODES=$(printf '127.0.0.1:%s,' "${ports[@]}" | sed 's/,$//')"
        exit 0
      fi
      sleep 0.5
    done
    echo "redis-cluster: the cluster did not reach cluster_state:ok; logs in $dir" >&2
    exit 1
    ;;
  stop)
    for p in "${ports[@]}"; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
    rm -rf "$dir"
    ;;
  *)
    echo "usage: bash scripts/redis-cluster.sh start|stop" >&2
    exit 2
    ;;
esac
