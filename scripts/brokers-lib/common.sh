# Shared helpers of scripts/brokers: instance facts, probes, bounded waits, clear failures.
# Sourced, not run. Expects ROOT and STATE to be set.

say() { echo "brokers: $*" >&2; }
die() { echo "brokers: error: $*" >&2; exit 1; }

# fail NAME WHAT LOG — prints what failed for NAME, the log path and its tail, then exits 1.
fail() {
  local name=$1 what=$2 log=${3-}
  {
    echo "brokers: error: $name: $what"
    if [ -n "$log" ]; then
      echo "brokers: log: $log"
      if [ -s "$log" ]; then echo "----- last 30 lines of $log -----"; tail -n 30 "$log"; echo "-----"; fi
    fi
  } >&2
  exit 1
}

# Ports and URLs. Each port can be moved with SWITCHBOARD_BROKERS_<INSTANCE>_PORT.
port_of() {
  case $1 in
    rabbitmq) echo "${SWITCHBOARD_BROKERS_RABBITMQ_PORT:-5672}" ;;
    redis) echo "${SWITCHBOARD_BROKERS_REDIS_PORT:-6379}" ;;
    redis-persistent) echo "${SWITCHBOARD_BROKERS_REDIS_PERSISTENT_PORT:-6380}" ;;
    nats) echo "${SWITCHBOARD_BROKERS_NATS_PORT:-4222}" ;;
    nats-persistent) echo "${SWITCHBOARD_BROKERS_NATS_PERSISTENT_PORT:-4223}" ;;
    kafka) echo "${SWITCHBOARD_BROKERS_KAFKA_PORT:-9092}" ;;
  esac
}
kind_of() { echo "${1%-persistent}"; }
starter_of() { kind_of "$1"; }
url_of() {
  local port; port=$(port_of "$1")
  case $(kind_of "$1") in
    rabbitmq) echo "amqp://guest:guest@127.0.0.1:$port" ;;
    redis) echo "redis://127.0.0.1:$port" ;;
    nats) echo "nats://127.0.0.1:$port" ;;
    kafka) echo "kafka://127.0.0.1:$port" ;;
  esac
}
# env_var_of NAME — e.g. redis-persistent -> SWITCHBOARD_REDIS_PERSISTENT_URL
env_var_of() { local up=${1^^}; echo "SWITCHBOARD_${up//-/_}_URL"; }
dir_of() { echo "$STATE/$1"; }
pidfile_of() { echo "$STATE/$1/pid"; }
log_of() { echo "$STATE/$1/$1.log"; }

# is_ours NAME — true when this script started NAME and its process is alive.
is_ours() {
  local pf; pf=$(pidfile_of "$1")
  [ -s "$pf" ] && kill -0 "$(cat "$pf")" 2>/dev/null
}
pid_alive() { kill -0 "$1" 2>/dev/null; }

# listening PORT — true when something accepts TCP connections on 127.0.0.1:PORT (1 s bound).
listening() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
port_owner() {
  local who; who=$(ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'users:.*' | head -n 1 || true)
  echo "${who:-unknown process}"
}

# speaks NAME — true when NAME's port answers its broker's protocol (each probe bounded to 3 s).
speaks() {
  local port out; port=$(port_of "$1")
  case $(kind_of "$1") in
    redis)
      out=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; printf 'PING\r\n' >&3; head -c 7 <&3" 2>/dev/null) || return 1
      [[ "$out" == +PONG* || "$out" == -NOAUTH* ]] ;;
    nats)
      out=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; head -n 1 <&3" 2>/dev/null) || return 1
      [[ "$out" == INFO* && "$out" == *'"jetstream":true'* ]] ;;
    rabbitmq)
      # AMQP 0-9-1 header; a broker answers with a Connection.Start frame (type 1, channel 0).
      out=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; printf 'AMQP\x00\x00\x09\x01' >&3; head -c 3 <&3" 2>/dev/null |
        od -An -tx1 | tr -d ' \n') || return 1
      [ "$out" = 010000 ] ;;
    kafka)
      # ApiVersions v0 request, correlation id 7; a broker echoes the correlation id.
      out=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; printf '\x00\x00\x00\x0a\x00\x12\x00\x00\x00\x00\x00\x07\xff\xff' >&3; head -c 8 <&3" 2>/dev/null |
        od -An -tx1 | tr -d ' \n') || return 1
      [[ "$out" == ????????00000007 ]] ;;
  esac
}

# wait_ready NAME [SECONDS] — waits until NAME speaks its protocol; fails at once if our process exits.
wait_ready() {
  local name=$1 limit=${2:-} pid="" deadline
  [ -n "$limit" ] || case $(kind_of "$name") in rabbitmq) limit=90 ;; kafka) limit=90 ;; *) limit=20 ;; esac
  [ -s "$(pidfile_of "$name")" ] && pid=$(cat "$(pidfile_of "$name")")
  deadline=$((SECONDS + limit))
  while [ $SECONDS -lt $deadline ]; do
    if speaks "$name" && ready_extra "$name"; then return 0; fi
    if [ -n "$pid" ] && ! pid_alive "$pid"; then
      rm -f "$(pidfile_of "$name")"
      fail "$name" "the broker exited during start (pid $pid)" "$(log_of "$name")"
    fi
    sleep 0.25
  done
  fail "$name" "did not accept connections on port $(port_of "$name") within ${limit} s" "$(log_of "$name")"
}

# ready_extra NAME — a broker-specific readiness condition beyond the protocol probe.
ready_extra() {
  case "$1" in
    kafka) ! is_ours kafka || grep -q 'Kafka Server started' "$(log_of kafka)" ;;
    *) return 0 ;;
  esac
}

# stop_pid NAME [SECONDS] — SIGTERM, a bounded wait for exit, then SIGKILL.
stop_pid() {
  local name=$1 limit=${2:-30} pid deadline
  pid=$(cat "$(pidfile_of "$name")" 2>/dev/null || true)
  [ -n "$pid" ] && pid_alive "$pid" || return 0
  # spawn made the broker a session (and process group) leader: signal the whole group.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + limit))
  while pid_alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  if pid_alive "$pid"; then
    say "$name: pid $pid did not exit within ${limit} s of SIGTERM; sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
}

# make_dirs NAME DIR... — creates NAME's directories or fails naming them.
make_dirs() {
  local name=$1; shift
  mkdir -p "$@" 2>/dev/null || fail "$name" "cannot create the directories $*" ""
}

# spawn NAME CMD... — starts CMD detached (own session, stdio to NAME's log) and records its pid.
spawn() {
  local name=$1; shift
  make_dirs "$name" "$(dir_of "$name")"
  # 9>&- : the broker must not inherit the lock on .brokers/.lock (see with_lock).
  setsid "$@" </dev/null >>"$(log_of "$name")" 2>&1 9>&- &
  echo $! >"$(pidfile_of "$name")"
}

# need_cmd NAME COMMAND DEBIAN_PACKAGE — installs the package (as root, bounded) when COMMAND is missing.
need_cmd() {
  local name=$1 cmd=$2 pkg=$3 log="$STATE/apt.log"
  command -v "$cmd" >/dev/null 2>&1 && return 0
  [ "$(id -u)" = 0 ] || fail "$name" "'$cmd' is missing and installing Debian package '$pkg' needs root" ""
  say "$name: '$cmd' missing; installing Debian package '$pkg' (log: $log)"
  if ! { timeout 300 apt-get update && DEBIAN_FRONTEND=noninteractive timeout 600 \
    apt-get install -y --no-install-recommends "$pkg"; } >>"$log" 2>&1; then
    fail "$name" "apt-get could not install '$pkg'" "$log"
  fi
  command -v "$cmd" >/dev/null 2>&1 || fail "$name" "'$pkg' installed but '$cmd' is still not on PATH" "$log"
}
