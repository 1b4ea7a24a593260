// KafkaEmbedded module
