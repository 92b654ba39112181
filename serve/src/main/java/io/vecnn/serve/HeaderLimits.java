package io.vecnn.serve;

import com.sun.net.httpserver.Headers;

import java.util.List;
import java.util.Map;

/**
 * The request-header limits the server answers with 431: at most {@value #MAX_HEADERS} header lines and
 * {@value #MAX_HEADER_BYTES} bytes of names and values. The JDK's server refuses larger heads itself, before any
 * handler runs, by closing the connection without a status; its limits (200 lines, 380 KiB by default) sit above
 * ours, and its line limit is raised further ({@link #raiseJdkLimits()}), so a client past ours but within the
 * JDK's gets an answer that says what was wrong.
 */
final class HeaderLimits {
    static final int MAX_HEADERS = 100;
    static final int MAX_HEADER_BYTES = 64 * 1024;

    /** The JDK's own line limit, set when the application did not: 4x ours, still bounded. */
    private static final int JDK_MAX_HEADERS = 4 * MAX_HEADERS;

    private HeaderLimits() {}

    /**
     * Raises the JDK server's header line limit above ours unless the application set it: it is read once, when
     * the JDK's server classes first load, so this runs before the first server is created.
     */
    static void raiseJdkLimits() {
        if (System.getProperty("sun.net.httpserver.maxReqHeaders") == null) {
            System.setProperty("sun.net.httpserver.maxReqHeaders", String.valueOf(JDK_MAX_HEADERS));
        }
    }

    /** Refuses a request whose head is over the limits with 431, naming which. */
    static void check(Headers headers) {
        int lines = 0;
        long bytes = 0;
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            for (String value : header.getValue()) {
                lines++;
                bytes += header.getKey().length() + value.length() + 4;
            }
        }
        if (lines > MAX_HEADERS) {
            throw new HttpError(
                    431, "the request has " + lines + " header lines; this server takes at most " + MAX_HEADERS);
        }
        if (bytes > MAX_HEADER_BYTES) {
            throw new HttpError(
                    431,
                    "the request's headers take " + bytes + " bytes; this server takes at most " + MAX_HEADER_BYTES);
        }
    }
}
