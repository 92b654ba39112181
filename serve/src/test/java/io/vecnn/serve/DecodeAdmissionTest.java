package io.vecnn.serve;

import io.vecnn.image.ImageHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Images are refused from their header when over the limits, and decode only within the memory budget. */
@Timeout(30)
class DecodeAdmissionTest {
    private static final long MIB = 1 << 20;

    /** Room for two 1000x1000 JPEGs (9.9 MB each) at once, not three. */
    private static final ImageLimits LIMITS = new ImageLimits(25 * MIB, 4_000_000, 100);

    @Test
    void tooManyPixelsIs413NamingTheLimit() {
        DecodeAdmission admission = new DecodeAdmission(LIMITS, new ServerMetrics());
        HttpError e = assertThrows(HttpError.class, () -> admission.admit(new ImageHeader("JPEG", 4000, 1001, 3)));
        assertEquals(413, e.status());
        assertTrue(
                e.getMessage()
                        .contains("JPEG image of 4000x1001 has 4004000 pixels; this server decodes at most 4000000"),
                e.getMessage());
    }

    @Test
    void aSliverIs422() {
        DecodeAdmission admission = new DecodeAdmission(LIMITS, new ServerMetrics());
        HttpError e = assertThrows(HttpError.class, () -> admission.admit(new ImageHeader("PNG", 1, 60_000, 3)));
        assertEquals(422, e.status());
        assertTrue(e.getMessage().contains("more elongated than 100:1"), e.getMessage());
    }

    @Test
    void anImageLargerThanTheWholeBudgetIs413() {
        DecodeAdmission admission = new DecodeAdmission(new ImageLimits(8 * MIB, 4_000_000, 100), new ServerMetrics());
        HttpError e = assertThrows(HttpError.class, () -> admission.admit(new ImageHeader("PNG", 1000, 1000, 3)));
        assertEquals(413, e.status());
        assertTrue(e.getMessage().contains("more than this server's whole decode budget of 8 MiB"), e.getMessage());
    }

    @Test
    void aFullBudgetMakesTheNextWaitThenFreesItWhenADecodeEnds() throws Exception {
        ServerMetrics metrics = new ServerMetrics();
        DecodeAdmission admission = new DecodeAdmission(LIMITS, metrics);
        ImageHeader image = new ImageHeader("JPEG", 1000, 1000, 3);
        DecodeAdmission.Permit first = admission.admit(image);
        DecodeAdmission.Permit second = admission.admit(image);
        assertEquals(2 * image.decodeBytes(), admission.reserved());
        CompletableFuture<DecodeAdmission.Permit> third = CompletableFuture.supplyAsync(() -> {
            try {
                return admission.admit(image);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        assertFalse(third.isDone(), "the third waits while two decode");
        first.close();
        third.get(5, TimeUnit.SECONDS).close();
        second.close();
        assertEquals(0, admission.reserved());
        assertTrue(metrics.render().contains("vecnn_decode_admissions_total{result=\"waited\"} 1"), metrics.render());
    }

    @Test
    void aBudgetThatStaysTakenIs503WithRetryAfter() throws Exception {
        DecodeAdmission admission = new DecodeAdmission(LIMITS, new ServerMetrics());
        ImageHeader image = new ImageHeader("JPEG", 1000, 1000, 3);
        try (DecodeAdmission.Permit a = admission.admit(image);
                DecodeAdmission.Permit b = admission.admit(image)) {
            long start = System.nanoTime();
            HttpError e = assertThrows(HttpError.class, () -> admission.admit(image));
            assertEquals(503, e.status());
            assertEquals(1, e.retryAfterSeconds());
            assertTrue(System.nanoTime() - start >= DecodeAdmission.WAIT.toNanos(), "waited before refusing");
            assertTrue(e.getMessage().contains("retry shortly"), e.getMessage());
        }
        assertEquals(0, admission.reserved());
    }
}
