#include "baseline.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The embedded cluster returns no part of a batch larger than this (a real broker returns
 * the batch anyway, KIP-74), so a fast producer's 1 MB batches would stall the reader. */
#define MAX_PARTITION_FETCH_BYTES "4194304"
#define BATCH_SIZE "131072"
/* librdkafka 2.0.2 compares queued.min.messages (default 100000) with the length of the one
 * consumer queue every partition is forwarded to, and looks again only on the broker thread's
 * next wake-up, up to a second later (docs/kafka-layer.md, trap 13). A reader that drains
 * 100000 records in less than that then sits idle for the rest of the second: a run would
 * measure whether its reading kept the queue below the threshold, and a slower reader would
 * always lose the race. Both sides (kafka-bench passes the same value) set it above the topic
 * so that neither measures that stall. */
#define QUEUED_MIN_MESSAGES "1000000"
/* The same for queued.max.messages.kbytes (default 65536, over all partitions): a reader that
 * falls behind the fetchers by 64 MB stalls them, on either side, in some runs and not in
 * others, which makes the consume ratio swing from run to run. 1 GB holds the whole topic. */
#define QUEUED_MAX_KBYTES "1048576"

static double now_seconds(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int set(rd_kafka_conf_t *conf, const char *name, const char *value) {
        char errstr[256];
        if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                fprintf(stderr, "baseline: %s: %s\n", name, errstr);
                return -1;
        }
        return 0;
}

struct delivery_count {
        long delivered;
        long failed;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
        struct delivery_count *count = opaque;
        (void)rk;
        if (m->err) count->failed++;
        else count->delivered++;
}

double otp_baseline_produce(const char *brokers, const char *topic, long count, int value_size) {
        struct delivery_count counts = {0, 0};
        char errstr[256];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        if (set(conf, "bootstrap.servers", brokers) || set(conf, "enable.idempotence", "true") ||
            set(conf, "linger.ms", "5") || set(conf, "queue.buffering.max.messages", "1000000") ||
            set(conf, "batch.size", BATCH_SIZE)) {
                rd_kafka_conf_destroy(conf);
                return -1;
        }
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
        rd_kafka_conf_set_opaque(conf, &counts);
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "baseline: %s\n", errstr);
                rd_kafka_conf_destroy(conf);
                return -1;
        }
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
        char *value = malloc((size_t)value_size);
        memset(value, 'v', (size_t)value_size);
        char key[32];
        double start = now_seconds();
        for (long i = 0; i < count; i++) {
                int key_len = snprintf(key, sizeof(key), "k%ld", i);
                while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, value,
                                        (size_t)value_size, key, (size_t)key_len, NULL) == -1) {
                        /* Queue full: serve delivery reports to make room. */
                        rd_kafka_poll(rk, 1);
                }
                rd_kafka_poll(rk, 0);
        }
        rd_kafka_flush(rk, 120 * 1000);
        double elapsed = now_seconds() - start;
        free(value);
        rd_kafka_topic_destroy(rkt);
        rd_kafka_destroy(rk);
        if (counts.delivered != count) {
                fprintf(stderr, "baseline: delivered %ld of %ld (%ld failed)\n", counts.delivered, count, counts.failed);
                return -1;
        }
        return elapsed;
}

double otp_baseline_consume(const char *brokers, const char *topic, long count, const char *fetch_wait_ms) {
        char errstr[256];
        char group[64];
        snprintf(group, sizeof(group), "baseline-%ld", (long)now_seconds());
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        if (set(conf, "bootstrap.servers", brokers) || set(conf, "group.id", group) ||
            set(conf, "enable.auto.commit", "false") || set(conf, "auto.offset.reset", "earliest") ||
            set(conf, "partition.assignment.strategy", "cooperative-sticky") ||
            set(conf, "fetch.wait.max.ms", fetch_wait_ms) ||
            set(conf, "max.partition.fetch.bytes", MAX_PARTITION_FETCH_BYTES) ||
            set(conf, "queued.min.messages", QUEUED_MIN_MESSAGES) ||
            set(conf, "queued.max.messages.kbytes", QUEUED_MAX_KBYTES)) {
                rd_kafka_conf_destroy(conf);
                return -1;
        }
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "baseline: %s\n", errstr);
                rd_kafka_conf_destroy(conf);
                return -1;
        }
        rd_kafka_poll_set_consumer(rk);
        rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
        rd_kafka_subscribe(rk, topics);
        rd_kafka_topic_partition_list_destroy(topics);
        long received = 0;
        double start = 0, deadline = now_seconds() + 300;
        while (received < count && now_seconds() < deadline) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
                if (!m) continue;
                if (m->err) fprintf(stderr, "baseline: %s\n", rd_kafka_message_errstr(m));
                if (!m->err) {
                        if (received == 0) start = now_seconds();
                        received++;
                }
                rd_kafka_message_destroy(m);
        }
        double elapsed = now_seconds() - start;
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
        if (received != count) fprintf(stderr, "baseline: consumed %ld of %ld\n", received, count);
        return received == count ? elapsed : -1;
}
