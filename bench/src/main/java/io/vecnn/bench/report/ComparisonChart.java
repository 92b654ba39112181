package io.vecnn.bench.report;

import io.vecnn.bench.report.BenchReport.ConfigResult;
import io.vecnn.bench.report.BenchReport.EngineResult;
import io.vecnn.modelfile.AtomicWrite;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The bench's charts. {@link #write}: one grouped figure, a group of bars per configuration (network, batch,
 * threads), one bar per engine, each engine's speed relative to VecNN's (VecNN's median latency over the
 * engine's), so every network of the run reads on one scale (latencies span three orders of magnitude, LeNet-5
 * to VGG16) and the comparison is the height of the peers' bars against VecNN's 1.0. {@link #writePanels}: one panel per configuration with the
 * latencies themselves in ms, each panel on its own linear scale.
 */
public final class ComparisonChart {
    private static final int GROUP_WIDTH = 150;
    private static final int GROUPED_MIN_WIDTH = 900;
    private static final int GROUPED_HEIGHT = 520;
    private static final Color[] ENGINE_COLOURS = {new Color(0x1565C0), new Color(0xEF6C00), new Color(0x2E7D32)};
    private static final int PANEL_WIDTH = 480;
    private static final int PANEL_HEIGHT = 300;
    private static final int COLUMNS = 3;
    private static final Color BAR_COLOUR = new Color(0x1565C0);
    /** The line above the panels that names the machine: figures mean nothing without it. */
    private static final int HEADER_HEIGHT = 28;

    private ComparisonChart() {}

    /** The grouped figure: every configuration of the run, engines side by side, normalised to VecNN. */
    public static void write(BenchReport report, java.nio.file.Path png) {
        boolean showConfig = showConfig(report);
        List<String> groups = new ArrayList<>();
        List<String> engines = new ArrayList<>();
        for (ConfigResult c : report.results()) {
            groups.add(label(c, showConfig));
            c.engines().stream()
                    .map(EngineResult::engine)
                    .filter(e -> !engines.contains(e))
                    .forEach(engines::add);
        }
        CategoryChart chart = new CategoryChartBuilder()
                .width(Math.max(GROUPED_MIN_WIDTH, groups.size() * GROUP_WIDTH))
                .height(GROUPED_HEIGHT)
                .title(report.machine().summary())
                .xAxisTitle("network" + (showConfig ? ", batch b, threads t" : ""))
                .yAxisTitle("speed relative to VecNN (p50 ratio; above 1: faster)")
                .build();
        chart.getStyler()
                .setChartBackgroundColor(Color.WHITE)
                .setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(12f))
                .setLegendPosition(Styler.LegendPosition.OutsideS)
                .setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setXAxisLabelRotation(30);
        chart.getStyler().setDecimalPattern("0.00");
        chart.getStyler().setLabelsVisible(true);
        for (int i = 0; i < engines.size(); i++) {
            String engine = engines.get(i);
            List<Double> ratios = new ArrayList<>();
            for (ConfigResult c : report.results()) {
                ratios.add(relativeSpeed(c, engine));
            }
            chart.addSeries(shortName(engine), groups, ratios).setFillColor(ENGINE_COLOURS[i % ENGINE_COLOURS.length]);
        }
        AtomicWrite.write(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }

    /**
     * VecNN's p50 over {@code engine}'s in configuration {@code c}: how many times faster than VecNN the engine
     * ran (VecNN itself 1.0); null (no bar) where either did not run. Speed rather than latency keeps a much
     * slower peer a short bar instead of one that flattens every other group.
     */
    static Double relativeSpeed(ConfigResult c, String engine) {
        EngineResult vecnn = c.engines().stream()
                .filter(e -> e.engine().equals("vecnn"))
                .findFirst()
                .orElse(null);
        EngineResult other = c.engines().stream()
                .filter(e -> e.engine().equals(engine))
                .findFirst()
                .orElse(null);
        if (vecnn == null || other == null || other.latencyMs().p50() <= 0) {
            return null;
        }
        return vecnn.latencyMs().p50() / other.latencyMs().p50();
    }

    /** One panel per configuration, latencies in ms, the peers' ratios to VecNN in each panel's title. */
    public static void writePanels(BenchReport report, java.nio.file.Path png) {
        List<CategoryChart> panels = new ArrayList<>();
        for (ConfigResult c : report.results()) {
            panels.add(panel(c, showConfig(report)));
        }
        int columns = Math.max(1, Math.min(COLUMNS, panels.size()));
        int rows = Math.max(1, (panels.size() + columns - 1) / columns);
        // XChart's own grid wants rows x columns panels exactly; a partly filled last row is laid out here.
        BufferedImage sheet = new BufferedImage(
                columns * PANEL_WIDTH, HEADER_HEIGHT + rows * PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
        g.setColor(Color.DARK_GRAY);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.drawString(report.machine().summary(), 10, HEADER_HEIGHT - 10);
        for (int i = 0; i < panels.size(); i++) {
            g.drawImage(
                    BitmapEncoder.getBufferedImage(panels.get(i)),
                    i % columns * PANEL_WIDTH,
                    HEADER_HEIGHT + i / columns * PANEL_HEIGHT,
                    null);
        }
        g.dispose();
        AtomicWrite.write(png, out -> ImageIO.write(sheet, "png", out));
    }

    private static boolean showConfig(BenchReport report) {
        return report.settings().batches().size() > 1
                || report.settings().threads().size() > 1;
    }

    private static String label(ConfigResult c, boolean showConfig) {
        return showConfig ? c.model() + " b" + c.batch() + " t" + c.threads() : c.model();
    }

    private static CategoryChart panel(ConfigResult c, boolean showConfig) {
        StringBuilder title = new StringBuilder(label(c, showConfig));
        for (EngineResult e : c.engines()) {
            if (e.vecnnSpeedup() != null) {
                title.append(String.format(Locale.ROOT, "  %s/VecNN %.2fx", shortName(e.engine()), e.vecnnSpeedup()));
            }
        }
        CategoryChart chart = new CategoryChartBuilder()
                .width(PANEL_WIDTH)
                .height(PANEL_HEIGHT)
                .title(title.toString())
                .yAxisTitle("p50 ms (lower is better)")
                .build();
        chart.getStyler()
                .setLegendVisible(false)
                .setChartBackgroundColor(Color.WHITE)
                .setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(12f));
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setDecimalPattern("#,##0.00");
        chart.getStyler().setYAxisMin(0.0);
        chart.addSeries(
                        "p50 ms",
                        c.engines().stream().map(e -> shortName(e.engine())).toList(),
                        c.engines().stream().map(e -> e.latencyMs().p50()).toList())
                .setFillColor(BAR_COLOUR);
        return chart;
    }

    private static String shortName(String engine) {
        return switch (engine) {
            case "vecnn" -> "VecNN";
            case "onnxruntime" -> "ORT";
            case "pytorch" -> "PyTorch";
            default -> engine;
        };
    }
}
