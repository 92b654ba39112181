package io.vecnn.bench.report;

import io.vecnn.bench.report.BenchReport.ConfigResult;
import io.vecnn.bench.report.BenchReport.EngineResult;
import io.vecnn.modelfile.AtomicWrite;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The bench's chart: one panel per configuration with a bar per engine (median latency in ms, labelled),
 * and the peers' ratios to VecNN in the panel's title. Latencies span three orders of magnitude (LeNet-5
 * to VGG16), so each panel gets its own linear scale rather than one axis that would flatten the small ones.
 */
public final class ComparisonChart {
    private static final int PANEL_WIDTH = 480;
    private static final int PANEL_HEIGHT = 300;
    private static final int COLUMNS = 3;
    private static final Color BAR_COLOUR = new Color(0x1565C0);
    /** The line above the panels that names the machine: figures mean nothing without it. */
    private static final int HEADER_HEIGHT = 28;

    private ComparisonChart() {}

    public static void write(BenchReport report, java.nio.file.Path png) {
        List<CategoryChart> panels = new ArrayList<>();
        for (ConfigResult c : report.results()) {
            panels.add(panel(
                    c,
                    report.settings().batches().size() > 1
                            || report.settings().threads().size() > 1));
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

    private static CategoryChart panel(ConfigResult c, boolean showConfig) {
        StringBuilder title = new StringBuilder(c.model());
        if (showConfig) {
            title.append(" b").append(c.batch()).append(" t").append(c.threads());
        }
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
