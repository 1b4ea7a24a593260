// MessageCentralSandbox module
