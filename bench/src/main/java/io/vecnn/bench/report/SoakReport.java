package io.vecnn.bench.report;

import io.vecnn.bench.load.SoakLoad;
import io.vecnn.modelfile.AtomicWrite;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A soak's record (schema {@value #SCHEMA}): the machine, the target, the answers by kind and status, the latency
 * of valid inferences and the server's memory over time; with a chart of that memory.
 */
public record SoakReport(
        String schema,
        String date,
        String command,
        MachineInfo machine,
        String url,
        String model,
        SoakLoad.Result soak) {
    public static final String SCHEMA = "vecnn-soak/1";
    private static final double MIB = 1 << 20;

    /** Heap after GC and resident set over the soak, in MiB. */
    public void writeChart(Path png) {
        XYChart chart = new XYChartBuilder()
                .width(900)
                .height(420)
                .title("Soak of " + model + ": server memory, " + soak.clients() + " clients, " + machine.cpuModel()
                        + " (" + machine.vectorBits() + "-bit vectors)")
                .xAxisTitle("seconds")
                .yAxisTitle("MiB")
                .build();
        chart.getStyler()
                .setChartBackgroundColor(Color.WHITE)
                .setLegendPosition(Styler.LegendPosition.OutsideS)
                .setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setYAxisMin(0.0);
        List<SoakLoad.Sample> samples = soak.samples();
        double[] t = samples.stream().mapToDouble(SoakLoad.Sample::seconds).toArray();
        chart.addSeries(
                "heap after GC",
                t,
                samples.stream().mapToDouble(s -> s.heapAfterGcBytes() / MIB).toArray());
        chart.addSeries(
                "resident set",
                t,
                samples.stream().mapToDouble(s -> s.residentBytes() / MIB).toArray());
        AtomicWrite.write(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }

    /** The summary a person reads: answers, problems, latency, and the memory at start, middle and end. */
    public void print(PrintStream out) {
        out.printf(
                Locale.ROOT,
                "soak of %s for %.0f s with %d clients: %d answered, %d unexpected, %d lost%n",
                model,
                soak.seconds(),
                soak.clients(),
                soak.answered(),
                soak.unexpected(),
                soak.lost());
        if (soak.firstProblem() != null) {
            out.println("first problem: " + soak.firstProblem());
        }
        soak.statuses().forEach((k, v) -> out.printf(Locale.ROOT, "  %-22s %d%n", k, v));
        out.println("valid single-image inference latency (ms): " + soak.latencyMillis());
        List<SoakLoad.Sample> s = soak.samples();
        if (!s.isEmpty()) {
            out.print("heap after GC (MiB) over time:");
            for (SoakLoad.Sample sample : s) {
                out.printf(Locale.ROOT, " %.0f", sample.heapAfterGcBytes() / MIB);
            }
            out.printf(
                    Locale.ROOT,
                    "%nresident set (MiB): first %.0f, last %.0f%n",
                    s.get(0).residentBytes() / MIB,
                    s.get(s.size() - 1).residentBytes() / MIB);
        }
    }
}
