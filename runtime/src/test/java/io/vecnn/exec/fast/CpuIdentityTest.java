package io.vecnn.exec.fast;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CpuIdentityTest {
    @TempDir
    Path dir;

    @Test
    void readsNameFamilyAndModelOfTheFirstProcessor() throws IOException {
        Path cpuinfo = dir.resolve("cpuinfo");
        Files.writeString(
                cpuinfo,
                String.join(
                        "\n",
                        "processor\t: 0",
                        "vendor_id\t: AuthenticAMD",
                        "cpu family\t: 26",
                        "model\t\t: 2",
                        "model name\t: AMD EPYC",
                        "flags\t\t: fpu avx2 avx512f",
                        "",
                        "processor\t: 1",
                        "cpu family\t: 25",
                        "model\t\t: 17",
                        ""));
        CpuIdentity cpu = CpuIdentity.read(cpuinfo);
        assertEquals(new CpuIdentity("AMD EPYC", 26, 2), cpu);
        assertEquals("AMD EPYC (family 26, model 2)", cpu.describe());
    }

    @Test
    void withoutNumbersTheNameAlone() throws IOException {
        Path cpuinfo = dir.resolve("cpuinfo");
        Files.writeString(cpuinfo, "processor\t: 0\nmodel name\t: Neoverse-N1\nCPU part\t: 0xd0c\n");
        CpuIdentity cpu = CpuIdentity.read(cpuinfo);
        assertEquals("Neoverse-N1", cpu.describe());
    }

    @Test
    void withoutTheFileTheArchitecture() {
        CpuIdentity cpu = CpuIdentity.read(dir.resolve("absent"));
        assertEquals(System.getProperty("os.arch"), cpu.describe());
    }
}
