package io.hypermesh.http.auth;

import io.hypermesh.http.HttpTls;
import io.vertx.core.http.HttpServerRequest;

/**
 * Who may call an HTTP write API: a client with a certificate of the bus CA (on a server with a
 * TLS identity), or one with an API token (when tokens are configured). With neither configured,
 * writes are open, as on a development bus.
 */
public final class WriteAccess {
    private final ApiTokens tokens;
    private final HttpTls tls;

    private WriteAccess(ApiTokens tokens, HttpTls tls) {
        this.tokens = tokens;
        this.tls = tls;
    }

    public static WriteAccess of(ApiTokens tokens, HttpTls tls) {
        return new WriteAccess(tokens, tls);
    }

    public static WriteAccess open() {
        return new WriteAccess(ApiTokens.open(), HttpTls.NONE);
    }

    /** Null when the request may write; otherwise why not, for a 401 body. */
    public String refusal(HttpServerRequest request) {
        if (!tokens.required() && !tls.enabled()) {
            return null;
        }
        if (tls.enabled() && HttpTls.verifiedClient(request)) {
            return null;
        }
        if (!tokens.required()) {
            return "writes need a client certificate of the bus CA";
        }
        String authorization = request.getHeader("Authorization");
        if (tokens.admits(authorization)) {
            return null;
        }
        return tls.enabled() && authorization == null
                ? "writes need a client certificate of the bus CA or an API token: Authorization: Bearer <token>"
                : ApiTokens.refusal(authorization);
    }

    /**
     * The status of a refusal: 401 with a Bearer challenge where a token would do, 403 where only a
     * certificate would (HTTP has no challenge for one; the TLS handshake is where it is asked for).
     */
    public int refusalStatus() {
        return tokens.required() ? 401 : 403;
    }

    /** The WWW-Authenticate value for a 401. */
    public static final String CHALLENGE = "Bearer realm=\"hypermesh\"";
}
