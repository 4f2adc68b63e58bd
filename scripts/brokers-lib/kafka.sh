# Kafka instance of scripts/brokers: a single-node KRaft broker (broker + controller in one JVM) from
# the org.apache.kafka:kafka_2.13 jars that Maven copies from kafka/pom.xml to kafka/target/libs.
# The jars are fetched once (a stamp holds the pom's checksum); the log dir is formatted once, so
# topics and committed offsets survive `restart`. Sourced, not run.

KAFKA_POM="$ROOT/kafka/pom.xml"
KAFKA_LIBS="$ROOT/kafka/target/libs"
KAFKA_HEAP=${SWITCHBOARD_BROKERS_KAFKA_HEAP:-512m}

# kafka_java NAME — checks for a JDK 17+ (installing Debian's when missing) and prints `java`.
kafka_java() {
  local name=$1 v
  need_cmd "$name" java openjdk-17-jre-headless
  v=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [ "${v%%.*}" -ge 17 ] 2>/dev/null || fail "$name" "Kafka 4 needs Java 17 or newer; 'java' is ${v:-unknown} (set PATH or JAVA_HOME)" ""
}

# kafka_jars NAME — copies the broker's runtime classpath once; later runs reuse it.
kafka_jars() {
  local name=$1 sum log; log="$(dir_of "$name")/maven.log"
  sum=$(sha256sum "$KAFKA_POM" | cut -d' ' -f1)
  [ "$(cat "$KAFKA_LIBS/.stamp" 2>/dev/null)" = "$sum" ] && return 0
  need_cmd "$name" mvn maven
  say "$name: fetching the Kafka jars with Maven (once; log: $log)"
  rm -rf "$KAFKA_LIBS"
  if ! timeout 600 mvn -B -q -f "$KAFKA_POM" dependency:copy-dependencies -DincludeScope=runtime >"$log" 2>&1; then
    fail "$name" "Maven could not fetch the Kafka jars from $KAFKA_POM (network, proxy or ~/.m2/settings.xml?)" "$log"
  fi
  ls "$KAFKA_LIBS"/kafka_2.13-*.jar >/dev/null 2>&1 || fail "$name" "Maven ran but $KAFKA_LIBS holds no kafka_2.13 jar" "$log"
  echo "$sum" >"$KAFKA_LIBS/.stamp"
}

# kafka_config NAME — writes server.properties and log4j2.properties into .brokers/kafka.
kafka_config() {
  local dir port cport; dir=$(dir_of "$1"); port=$(port_of "$1")
  cport=${SWITCHBOARD_BROKERS_KAFKA_CONTROLLER_PORT:-$((port + 1))}
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.hours=24
PROPS
  cat >"$dir/log4j2.properties" <<'PROPS'
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = OUT
logger.state.name = state.change.logger
logger.state.level = warn
PROPS
}

start_kafka() {
  local name=$1 dir log port cport id; dir=$(dir_of "$name"); log=$(log_of "$name")
  port=$(port_of "$name"); cport=${SWITCHBOARD_BROKERS_KAFKA_CONTROLLER_PORT:-$((port + 1))}
  mkdir -p "$dir"
  if listening "$cport"; then fail "$name" "controller port $cport is taken: $(port_owner "$cport")" ""; fi
  kafka_java "$name"
  kafka_jars "$name"
  kafka_config "$name"
  [ -f "$log" ] && mv -f "$log" "$log.1"
  local java_opts=(-Xms256m "-Xmx$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$dir/log4j2.properties" -cp "$KAFKA_LIBS/*")
  if [ ! -f "$dir/data/meta.properties" ]; then
    id=$(cat "$dir/cluster-id" 2>/dev/null || true)
    if [ -z "$id" ]; then
      id=$(timeout 60 java "${java_opts[@]}" kafka.tools.StorageTool random-uuid 2>>"$log" | tail -n 1) ||
        fail "$name" "kafka.tools.StorageTool random-uuid failed" "$log"
      echo "$id" >"$dir/cluster-id"
    fi
    timeout 60 java "${java_opts[@]}" kafka.tools.StorageTool format --standalone -t "$id" \
      -c "$dir/server.properties" >>"$log" 2>&1 || fail "$name" "kafka.tools.StorageTool format failed" "$log"
  fi
  spawn "$name" java "${java_opts[@]}" kafka.Kafka "$dir/server.properties"
}

stop_kafka() { stop_pid "$1" 60; }
