/*
 * Debian's civetweb 1.15 loads libssl at run time (dlopen "libssl.so") and looks up
 * SSL_get_peer_certificate, which OpenSSL 3 replaced by SSL_get1_peer_certificate: the lookup
 * yields NULL and the first HTTPS request calls it. This library is what civetweb finds under
 * that name (through flowlens's DT_RPATH): it depends on the real libssl.so.3, so every other
 * symbol resolves there, and adds the missing one.
 */
#include <openssl/ssl.h>

#undef SSL_get_peer_certificate
X509 *SSL_get_peer_certificate(const SSL *s);

X509 *SSL_get_peer_certificate(const SSL *s) { return SSL_get1_peer_certificate(s); }
