# Redis and NATS instances of scripts/brokers. Sourced, not run.
# redis / nats: like the pre-started services (Redis keeps nothing, NATS JetStream on file storage).
# redis-persistent: AOF on (fsync every write) so data survives `restart`.
# nats-persistent: JetStream with file storage under .brokers/nats-persistent/data.

start_redis() {
  local name=$1 dir; dir=$(dir_of "$name")
  need_cmd "$name" redis-server redis-server
  make_dirs "$name" "$dir/data"
  local persist=(--save '' --appendonly no)
  [ "$name" = redis-persistent ] && persist=(--save '' --appendonly yes --appendfsync always)
  # --logfile "" keeps the log on stdout, which spawn sends to the instance's log file.
  spawn "$name" redis-server --bind 127.0.0.1 --port "$(port_of "$name")" --daemonize no \
    --dir "$dir/data" --logfile '' "${persist[@]}"
}
stop_redis() { stop_pid "$1" 30; }

start_nats() {
  local name=$1 dir; dir=$(dir_of "$name")
  need_cmd "$name" nats-server nats-server
  make_dirs "$name" "$dir/data"
  spawn "$name" nats-server -a 127.0.0.1 -p "$(port_of "$name")" -js -sd "$dir/data"
}
stop_nats() { stop_pid "$1" 30; }
