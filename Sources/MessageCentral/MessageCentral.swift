// MessageCentral module
