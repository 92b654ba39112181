package io.vecnn.serve;

import io.vecnn.VecnnException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerConfigTest {
    @Test
    void aBodyLimitPastTheLargestArrayIsRefused() {
        ServerConfig config = ServerConfig.defaults();
        VecnnException e = assertThrows(VecnnException.class, () -> config.withMaxBodyBytes(4L << 30));
        assertTrue(
                e.getMessage().contains("max body must be between 1024 and 2147483639 bytes, got 4294967296"),
                e.getMessage());
        assertEquals(
                ServerConfig.MAX_BODY_LIMIT,
                config.withMaxBodyBytes(ServerConfig.MAX_BODY_LIMIT).maxBodyBytes());
    }

    @Test
    void aBodyLimitUnder1KbIsRefused() {
        VecnnException e =
                assertThrows(VecnnException.class, () -> ServerConfig.defaults().withMaxBodyBytes(100));
        assertTrue(e.getMessage().contains("got 100"), e.getMessage());
    }

    @Test
    void theWarmUpIsOnByDefaultAndZeroButNotNegative() {
        assertEquals(java.time.Duration.ofSeconds(30), ServerConfig.defaults().warmup());
        assertEquals(
                java.time.Duration.ZERO,
                ServerConfig.defaults().withWarmup(java.time.Duration.ZERO).warmup());
        VecnnException e = assertThrows(
                VecnnException.class, () -> ServerConfig.defaults().withWarmup(java.time.Duration.ofSeconds(-1)));
        assertTrue(e.getMessage().contains("warm-up time must be zero or positive"), e.getMessage());
    }
}
