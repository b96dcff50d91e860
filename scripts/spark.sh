# A local Spark Connect server for the tests of the Spark store, sourced after lib.sh by scripts/test.sh. By hand:
#   source scripts/lib.sh; source scripts/spark.sh; start_spark_connect   # exports MODELMON_SPARK_URL
#   go test ./pkg/store/spark/... ./test/conformance/; stop_spark_connect
#
# The PyPI wheel pyspark[connect] ships Spark's jars and sbin/start-connect-server.sh; with Java 17 it runs a
# server in one JVM: --master local[2] (two executor threads), gRPC on 127.0.0.1 at a free port, the web UI off,
# 2 GB of driver memory, an in-memory catalogue whose tables are Parquet files in a temp warehouse. The wheel
# goes into a virtual environment outside the repository, keyed by version (~/.cache/modelmon/pyspark-<version>),
# so it is installed once per machine (~3 min, ~0.9 GB).

SPARK_VERSION="${MODELMON_SPARK_VERSION:-4.3.0}"
SPARK_VENV="${MODELMON_CACHE:-$HOME/.cache/modelmon}/pyspark-$SPARK_VERSION"

# ensure_pyspark installs Java 17 (Debian's headless JRE) when no java is on the PATH, and the wheel into its
# cached virtual environment; a complete install is marked by a stamp file, so an interrupted one is redone.
ensure_pyspark() {
  command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
  if [ ! -f "$SPARK_VENV/.installed" ]; then
    stage "pyspark[connect] $SPARK_VERSION into $SPARK_VENV (once per machine)"
    rm -rf "$SPARK_VENV"
    python3 -m venv "$SPARK_VENV"
    "$SPARK_VENV/bin/pip" install -q --disable-pip-version-check "pyspark[connect]==$SPARK_VERSION"
    touch "$SPARK_VENV/.installed"
  fi
}

# spark_home prints the Spark distribution inside the wheel.
spark_home() { "$SPARK_VENV/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))'; }

# start_spark_connect starts the server in its own process group, waits until its gRPC port answers (at most
# 180 s; ~11 s on an idle machine) and exports MODELMON_SPARK_URL (sc://127.0.0.1:<port>) for the Go tests.
# Its logs, PID and warehouse live in one temp directory, removed by stop_spark_connect.
start_spark_connect() {
  ensure_pyspark
  SPARK_RUN_DIR="$(mktemp -d /tmp/modelmon-spark-XXXXXX)"
  local port home
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  home="$(spark_home)"
  stage "Spark Connect server (local[2], 127.0.0.1:$port)"
  # setsid makes the server a process group of its own, whose id the group leader writes itself: under a shell
  # with job control (an interactive one) the background job already leads a group, so setsid forks and $! is
  # not the group's id; without job control it does not fork. Either way group.pid names the group.
  SPARK_HOME="$home" SPARK_NO_DAEMONIZE=1 SPARK_LOG_DIR="$SPARK_RUN_DIR/log" SPARK_PID_DIR="$SPARK_RUN_DIR" \
    SPARK_LOCAL_IP=127.0.0.1 PYSPARK_PYTHON="$SPARK_VENV/bin/python" GROUP_PID_FILE="$SPARK_RUN_DIR/group.pid" \
    setsid sh -c 'echo $$ >"$GROUP_PID_FILE"; exec nice -n 10 "$@"' sh "$home/sbin/start-connect-server.sh" --master 'local[2]' --driver-memory 2g \
      --conf spark.connect.grpc.binding.address=127.0.0.1 --conf "spark.connect.grpc.binding.port=$port" \
      --conf spark.ui.enabled=false --conf spark.sql.catalogImplementation=in-memory \
      --conf "spark.sql.warehouse.dir=$SPARK_RUN_DIR/warehouse" --conf spark.sql.shuffle.partitions=4 \
      --conf "spark.driver.extraJavaOptions=-Djava.io.tmpdir=$SPARK_RUN_DIR" \
      >"$SPARK_RUN_DIR/server.out" 2>&1 &
  local i
  for i in $(seq 1 50); do [ -s "$SPARK_RUN_DIR/group.pid" ] && break; sleep 0.1; done
  for i in $(seq 1 180); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      export MODELMON_SPARK_URL="sc://127.0.0.1:$port" MODELMON_SPARK_DIR="$SPARK_RUN_DIR"
      echo "Spark Connect answers on $MODELMON_SPARK_URL after ${i} s"
      return 0
    fi
    if ! kill -0 -- "-$(cat "$SPARK_RUN_DIR/group.pid" 2>/dev/null)" 2>/dev/null; then break; fi
    sleep 1
  done
  echo "Spark Connect server did not start; its output:" >&2
  tail -n 40 "$SPARK_RUN_DIR/server.out" >&2 || true
  stop_spark_connect
  return 1
}

# stop_spark_connect stops the server's process group (the JVM and its launcher) and removes its directory.
stop_spark_connect() {
  [ -n "${SPARK_RUN_DIR:-}" ] && [ -f "$SPARK_RUN_DIR/group.pid" ] || return 0
  local pgid
  pgid="$(cat "$SPARK_RUN_DIR/group.pid")"
  kill -- "-$pgid" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 0.5; done
  kill -9 -- "-$pgid" 2>/dev/null || true
  rm -rf "$SPARK_RUN_DIR"
  unset SPARK_RUN_DIR MODELMON_SPARK_URL MODELMON_SPARK_DIR
}
