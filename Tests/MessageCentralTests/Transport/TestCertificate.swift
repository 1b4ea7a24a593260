/// A self-signed certificate for `localhost` (valid until 2126) and its key, made with
/// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
/// -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost"`. For tests only: the key
/// protects nothing.
enum TestCertificate {
    static let certificatePEM = """
-----BEGIN CERTIFICATE-----
MIIBlTCCATugAwIBAgIUb50hD0fSZEpptwTBN97NII3fReYwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNzEwMTU0N1oYDzIxMjYxMTAz
MTAxNTQ3WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASES/YI0L6nmemUN3De5WHNzu7VwHE6E3xsfz5cZ2HcwtOMv3Wiq5y0
wANNm2z3whfDYT+YAZLZqG6fiTcDKyMbo2kwZzAdBgNVHQ4EFgQUORfIC92+2Iby
tQy1Z43lQEJkbXwwHwYDVR0jBBgwFoAUORfIC92+2IbytQy1Z43lQEJkbXwwDwYD
VR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglsb2NhbGhvc3QwCgYIKoZIzj0EAwID
SAAwRQIgG7r0NtqnckMY7Zv4Wu08fJYQw7HPhzHgDa6/0D3BKvECIQDMgV8iqXrb
COqM0usaepp4X5X0MhjTPIm50qiCh/IXDw==
-----END CERTIFICATE-----
"""

    static let privateKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQguP3hn2xm/bM9ariT
OzByYhKiZYDUakLMGl/7pAL1+42hRANCAASES/YI0L6nmemUN3De5WHNzu7VwHE6
E3xsfz5cZ2HcwtOMv3Wiq5y0wANNm2z3whfDYT+YAZLZqG6fiTcDKyMb
-----END PRIVATE KEY-----
"""
}
