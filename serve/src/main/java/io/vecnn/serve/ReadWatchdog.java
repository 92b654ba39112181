package io.vecnn.serve;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Bounds how long a handler thread may block reading from one client. The JDK's server reads a request's head
 * and body with blocking reads that have no deadline, so a client that sends slowly (or stops sending) holds a
 * handler thread for as long as it likes. The JDK's own bound, {@code sun.net.httpserver.maxReqTime}, is a
 * system property read once per JVM (it would apply to every server in the process, whatever its config) and
 * closes the connection without an answer. A {@link Watch} instead interrupts the thread when its time is up:
 * the connection is a blocking {@code SocketChannel}, so the blocked read fails with
 * {@code ClosedByInterruptException} and the channel closes. Just before, the watch may answer the client
 * (the 408 of a body that came too slowly).
 */
final class ReadWatchdog implements AutoCloseable {
    private final ScheduledThreadPoolExecutor timer;

    ReadWatchdog(String name) {
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        // Nearly every watch ends long before it expires: drop cancelled ones instead of keeping them queued.
        timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Starts watching the calling thread: unless {@link Watch#end} comes within {@code limit}, {@code answer}
     * runs (on the watchdog's thread) and then the calling thread is interrupted.
     */
    Watch watch(Duration limit, Runnable answer) {
        Watch watch = new Watch(Thread.currentThread(), answer);
        watch.expiry = timer.schedule(watch::expire, limit.toNanos(), TimeUnit.NANOSECONDS);
        return watch;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    static final class Watch {
        private final Thread thread;
        private final Runnable answer;
        private ScheduledFuture<?> expiry;
        private boolean watching = true;
        private boolean expired;

        private Watch(Thread thread, Runnable answer) {
            this.thread = thread;
            this.answer = answer;
        }

        private synchronized void expire() {
            if (!watching) {
                return;
            }
            expired = true;
            try {
                answer.run();
            } finally {
                thread.interrupt();
            }
        }

        /**
         * Ends the watch, on the watched thread; after it no interrupt can come. Returns whether the watch had
         * expired, in which case the interrupt it sent is cleared so that it does not outlive the request.
         */
        boolean end() {
            expiry.cancel(false);
            boolean wasExpired;
            synchronized (this) {
                watching = false;
                wasExpired = expired;
            }
            if (wasExpired) {
                Thread.interrupted();
            }
            return wasExpired;
        }
    }
}
