# Shared settings for the ops scripts. Sourced, never run. Every value can be overridden
# from the environment. Ports are not the servers' defaults, so a system-wide RabbitMQ,
# Redis or PostgreSQL on this machine does not collide with the project's own.
COST_ROOT="${COST_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
COST_DATA="${COST_DATA:-$COST_ROOT/.data}"
COST_AMQP_PORT="${COST_AMQP_PORT:-5682}"
COST_AMQP_DIST_PORT="${COST_AMQP_DIST_PORT:-25682}"
COST_REDIS_PORT="${COST_REDIS_PORT:-6389}"
COST_PG_PORT="${COST_PG_PORT:-5442}"
COST_PG_DB="${COST_PG_DB:-costtracker}"
COST_RABBIT_NODE="${COST_RABBIT_NODE:-costtracker@localhost}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
RABBIT_BIN="${RABBIT_BIN:-/usr/lib/rabbitmq/bin}"

# The Swift toolchain, where the usual installs put it.
if ! command -v swift >/dev/null 2>&1; then
  for d in /opt/swift/usr/bin /usr/share/swift/usr/bin; do [ -x "$d/swift" ] && PATH="$d:$PATH"; done
  export PATH
fi

# port_taken_by_other PORT NAME: dies with advice when PORT answers but is not ours.
port_taken_by_other() {
  die "127.0.0.1:$1 is in use by something that is not this checkout's $2 (another checkout's servers?). Stop it, or choose other ports, e.g. COST_REDIS_PORT / COST_PG_PORT / COST_AMQP_PORT"
}

log() { printf '[ops] %s\n' "$*" >&2; }
die() { printf '[ops] error: %s\n' "$*" >&2; exit 1; }

# wait_port PORT SECONDS: true once something accepts TCP connections on 127.0.0.1:PORT.
wait_port() {
  local port=$1 limit=$2 i=0
  while true; do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    [ "$i" -ge $((limit * 10)) ] && return 1
    sleep 0.1; i=$((i + 1))
  done
}
