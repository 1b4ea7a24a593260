#ifndef OTP_WORKER_CRDKAFKA_SHIM_H
#define OTP_WORKER_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#endif
