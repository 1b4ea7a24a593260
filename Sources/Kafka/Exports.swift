// The value types that the events module shares with this layer live in `KafkaCore`, which
// does not link librdkafka; users of the wrapper see them as part of it.
@_exported import KafkaCore
