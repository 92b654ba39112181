package io.vecnn.serve;

import com.sun.management.GcInfo;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's memory as a soak test watches it from outside: the heap left after the last collection (what
 * grows when something leaks; the heap in use swings with garbage) and the resident set the kernel counts.
 */
final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {}

    /**
     * Bytes of heap in use right after the most recent collection, young ones included (a pool's own
     * "collection usage" is only updated by collections of that pool, which for the old generation may be
     * rare); 0 before any collection.
     */
    static long heapAfterGc() {
        GcInfo last = null;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof com.sun.management.GarbageCollectorMXBean bean) {
                GcInfo info = bean.getLastGcInfo();
                if (info != null && (last == null || info.getEndTime() > last.getEndTime())) {
                    last = info;
                }
            }
        }
        if (last == null) {
            return 0;
        }
        long bytes = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage after = pool.getType() == MemoryType.HEAP
                    ? last.getMemoryUsageAfterGc().get(pool.getName())
                    : null;
            if (after != null) {
                bytes += after.getUsed();
            }
        }
        return bytes;
    }

    /** The resident set in bytes ({@code VmRSS} of /proc/self/status), or -1 where there is no such file. */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or not readable: the gauge says so with -1.
        }
        return -1;
    }
}
