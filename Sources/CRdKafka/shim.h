#ifndef OTP_WORKER_CRDKAFKA_SHIM_H
#define OTP_WORKER_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/*
 * Small helpers for what Swift cannot call directly: rd_kafka_producev is
 * variadic and rd_kafka_vu_t holds an anonymous union. Building the vu array
 * here keeps the Swift side free of union layout and costs nothing at run time.
 */

/// Enqueues one message on a cached topic handle. `key`/`value` NULL mean a
/// null key/value; a non-NULL pointer with length 0 is an empty one. The
/// headers are owned by librdkafka only when this returns NULL.
static inline rd_kafka_error_t *otp_rdk_produce(rd_kafka_t *rk,
                                                rd_kafka_topic_t *rkt,
                                                int32_t partition,
                                                const void *key, size_t key_len,
                                                const void *value, size_t value_len,
                                                rd_kafka_headers_t *headers,
                                                int64_t timestamp_ms,
                                                void *opaque) {
        rd_kafka_vu_t vus[8];
        size_t n = 0;
        vus[n].vtype = RD_KAFKA_VTYPE_RKT;
        vus[n++].u.rkt = rkt;
        vus[n].vtype = RD_KAFKA_VTYPE_PARTITION;
        vus[n++].u.i32 = partition;
        vus[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
        vus[n++].u.i = RD_KAFKA_MSG_F_COPY;
        if (key) {
                vus[n].vtype = RD_KAFKA_VTYPE_KEY;
                vus[n].u.mem.ptr = (void *)key;
                vus[n++].u.mem.size = key_len;
        }
        if (value) {
                vus[n].vtype = RD_KAFKA_VTYPE_VALUE;
                vus[n].u.mem.ptr = (void *)value;
                vus[n++].u.mem.size = value_len;
        }
        if (headers) {
                vus[n].vtype = RD_KAFKA_VTYPE_HEADERS;
                vus[n++].u.headers = headers;
        }
        if (timestamp_ms > 0) {
                vus[n].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
                vus[n++].u.i64 = timestamp_ms;
        }
        vus[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
        vus[n++].u.ptr = opaque;
        return rd_kafka_produceva(rk, vus, n);
}

/* A topic handle whose opaque is `opaque`, with the producer's topic-level properties: a new
 * topic conf would have librdkafka's defaults instead of what the application configured
 * (acks, message.timeout.ms, partitioner...), so the default one is copied. */
static inline rd_kafka_topic_t *otp_rdk_topic_new(rd_kafka_t *rk, const char *name, void *opaque) {
        rd_kafka_topic_conf_t *defaults =
            rd_kafka_conf_get_default_topic_conf((rd_kafka_conf_t *)rd_kafka_conf(rk));
        rd_kafka_topic_conf_t *conf = defaults ? rd_kafka_topic_conf_dup(defaults) : rd_kafka_topic_conf_new();
        rd_kafka_topic_conf_set_opaque(conf, opaque);
        return rd_kafka_topic_new(rk, name, conf); /* takes conf */
}

#endif
