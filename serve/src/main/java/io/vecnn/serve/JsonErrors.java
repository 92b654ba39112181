package io.vecnn.serve;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * A JSON parser's complaint in a client's terms: what was wrong and at which byte, without the parser's own
 * vocabulary (its feature flags, its "[Source: REDACTED ...]" locations) or a byte offset it did not know.
 */
final class JsonErrors {
    private JsonErrors() {}

    static String describe(JsonProcessingException e) {
        String message = String.valueOf(e.getOriginalMessage())
                // "...: enable `JsonReadFeature.X` to allow": a client cannot enable anything in the server.
                .replaceAll(":? ?(enable|disable) `[^`]*` to allow", "")
                // "(start marker at [Source: REDACTED (`StreamReadFeature...` disabled); line: 1, column: 71])"
                .replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)", "")
                .replaceAll("\\s*\\[Source:[^\\]]*\\]", "")
                .strip();
        JsonLocation at = e.getLocation();
        long offset = at == null ? -1 : at.getByteOffset();
        return offset >= 0 ? message + " at byte " + offset : message;
    }
}
