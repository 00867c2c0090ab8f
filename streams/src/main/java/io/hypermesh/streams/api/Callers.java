package io.hypermesh.streams.api;

import io.vertx.ext.web.RoutingContext;

/** Who is asking, as the audit trail names them. */
public final class Callers {
    private Callers() {
    }

    /** Who made a change: the client certificate's subject, else the bearer token's holder (by its prefix), else the address. */
    public static String who(RoutingContext ctx) {
        try {
            if (ctx.request().isSSL() && ctx.request().connection().peerCertificates() != null
                    && !ctx.request().connection().peerCertificates().isEmpty()
                    && ctx.request().connection().peerCertificates().get(0) instanceof java.security.cert.X509Certificate x509) {
                return x509.getSubjectX500Principal().getName();
            }
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            // No client certificate: the next clue.
        }
        String authorization = ctx.request().getHeader("Authorization");
        if (authorization != null && authorization.startsWith("Bearer ") && authorization.length() > 11) {
            return "token " + authorization.substring(7, 11) + "…";
        }
        return "client " + ctx.request().remoteAddress().host();
    }
}
