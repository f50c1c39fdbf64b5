/* A Kafka-protocol test broker on loopback: librdkafka's mock cluster (rdkafka_mock.h from Debian's
 * librdkafka-dev). Prints the bootstrap address on stdout, then serves until stdin closes or a signal
 * arrives, so a test process that dies takes the broker with it. Not a real Kafka: one consumer per
 * group, no idempotent producer, no CreateTopics via a controller (see DESIGN.md), so topics are made
 * by writing "topic NAME PARTITIONS" lines on stdin (answered "ok NAME" or "error ..."). A broker
 * outage is "down ID" (drops its connections and refuses new ones; -1: all brokers) and "up ID" (accepts
 * connections again, log and offsets intact), answered "ok down ID" / "ok up ID". Usage:
 * mock-broker [brokers]                                                                            */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop = 0;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv) {
  int brokers = argc > 1 ? atoi(argv[1]) : 1;
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) { fprintf(stderr, "rd_kafka_new: %s\n", errstr); return 1; }
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!cluster) { fprintf(stderr, "mock cluster failed\n"); return 1; }
  printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fflush(stdout);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  char line[512];
  while (!stop && fgets(line, sizeof line, stdin)) { /* EOF: the parent went away */
    char name[256];
    int partitions = 0;
    int broker = 0;
    if (sscanf(line, "down %d", &broker) == 1 || sscanf(line, "up %d", &broker) == 1) {
      int down = line[0] == 'd';
      rd_kafka_resp_err_t err = down ? rd_kafka_mock_broker_set_down(cluster, broker) : rd_kafka_mock_broker_set_up(cluster, broker);
      if (err) printf("error %s\n", rd_kafka_err2str(err));
      else printf("ok %s %d\n", down ? "down" : "up", broker);
    } else if (sscanf(line, "topic %255s %d", name, &partitions) == 2 && partitions > 0) {
      rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, name, partitions, 1);
      if (err) printf("error %s\n", rd_kafka_err2str(err));
      else printf("ok %s\n", name);
    } else {
      printf("error unknown command\n");
    }
    fflush(stdout);
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
