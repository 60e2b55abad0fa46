package ostore.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import ostore.bench.Result;

/**
 * The report's picture: latency against throughput for workload (a), ostore and etcd, one point per
 * client count (labelled), the p50 as a solid line and the p99 dashed. Latency is on a log scale,
 * as the two systems' figures lie a decade or more apart. Drawn with Java2D, headless.
 */
final class Plot {
    static final int WIDTH = 900;
    static final int HEIGHT = 560;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;
    private static final Color OSTORE = new Color(0x1f, 0x77, 0xb4);
    private static final Color ETCD = new Color(0xd6, 0x27, 0x28);

    private Plot() {}

    /** Writes the plot of {@code results}' workload-(a) rows to {@code png}; a plot with no points says so. */
    static void write(List<Result> results, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Result> ostore = series(results, "ostore");
        List<Result> etcd = series(results, "etcd");
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString("Workload (a): 4 KiB guarded updates, one object per client — latency against throughput",
                    LEFT, 28);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            List<Result> all = java.util.stream.Stream.concat(ostore.stream(), etcd.stream()).toList();
            if (all.isEmpty()) {
                g.drawString("no workload (a) rows in this run", LEFT + 20, HEIGHT / 2);
            } else {
                Axes axes = Axes.of(all);
                axes.draw(g);
                draw(g, axes, ostore, OSTORE, "ostore");
                draw(g, axes, etcd, ETCD, "etcd");
                legend(g);
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(img, "png", png.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }

    private static List<Result> series(List<Result> results, String system) {
        return results.stream().filter(r -> r.system().equals(system) && r.workload().equals("a"))
                .sorted(Comparator.comparingInt(Result::clients)).toList();
    }

    /** Linear throughput across, log latency up, with round ticks. */
    private record Axes(double maxX, double minLog, double maxLog) {
        static Axes of(List<Result> rows) {
            double maxX = rows.stream().mapToDouble(Result::commitsPerSecond).max().orElse(1) * 1.1;
            double lo = rows.stream().mapToDouble(Result::p50Ms).filter(v -> v > 0).min().orElse(1);
            double hi = rows.stream().mapToDouble(Result::p99Ms).max().orElse(10);
            return new Axes(niceCeiling(maxX), Math.floor(Math.log10(lo)), Math.ceil(Math.log10(Math.max(hi, lo * 10))));
        }

        int x(double v) {
            return LEFT + (int) Math.round(v / maxX * (WIDTH - LEFT - RIGHT));
        }

        int y(double ms) {
            double l = Math.log10(Math.max(ms, Math.pow(10, minLog)));
            return HEIGHT - BOTTOM - (int) Math.round((l - minLog) / (maxLog - minLog) * (HEIGHT - TOP - BOTTOM));
        }

        void draw(Graphics2D g) {
            g.setColor(Color.BLACK);
            g.drawLine(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
            g.drawLine(LEFT, TOP, LEFT, HEIGHT - BOTTOM);
            for (int i = 0; i <= 5; i++) {
                double v = maxX * i / 5;
                int px = x(v);
                g.setColor(new Color(0xe0, 0xe0, 0xe0));
                g.drawLine(px, TOP, px, HEIGHT - BOTTOM);
                g.setColor(Color.BLACK);
                String label = String.format(Locale.ROOT, "%,.0f", v);
                g.drawString(label, px - g.getFontMetrics().stringWidth(label) / 2, HEIGHT - BOTTOM + 18);
            }
            for (double d = minLog; d <= maxLog; d++) {
                int py = y(Math.pow(10, d));
                g.setColor(new Color(0xe0, 0xe0, 0xe0));
                g.drawLine(LEFT, py, WIDTH - RIGHT, py);
                g.setColor(Color.BLACK);
                String label = Math.pow(10, d) >= 1 ? String.format(Locale.ROOT, "%,.0f", Math.pow(10, d))
                        : String.format(Locale.ROOT, "%s", Math.pow(10, d));
                g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), py + 4);
            }
            g.drawString("updates committed per second (closed loop; labels: clients)", LEFT + 150, HEIGHT - 25);
            Graphics2D r = (Graphics2D) g.create();
            r.rotate(-Math.PI / 2);
            r.drawString("latency, ms (log scale)", -(HEIGHT / 2) - 60, 22);
            r.dispose();
        }

        private static double niceCeiling(double v) {
            double step = Math.pow(10, Math.floor(Math.log10(v)));
            for (double m : new double[] {1, 2, 2.5, 5, 10}) {
                if (m * step >= v) {
                    return m * step;
                }
            }
            return 10 * step;
        }
    }

    private static void draw(Graphics2D g, Axes a, List<Result> rows, Color color, String name) {
        if (rows.isEmpty()) {
            return;
        }
        g.setColor(color);
        line(g, a, rows, Result::p50Ms, new BasicStroke(2.2f));
        line(g, a, rows, Result::p99Ms, new BasicStroke(1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
                new float[] {6, 5}, 0));
        for (Result r : rows) {
            int px = a.x(r.commitsPerSecond());
            int py = a.y(r.p50Ms());
            g.fillOval(px - 4, py - 4, 8, 8);
            g.drawString(Integer.toString(r.clients()), px + 6, py - 6);
        }
    }

    private static void line(Graphics2D g, Axes a, List<Result> rows, ToDoubleFunction<Result> latency,
            BasicStroke stroke) {
        Path2D.Double p = new Path2D.Double();
        for (int i = 0; i < rows.size(); i++) {
            double x = a.x(rows.get(i).commitsPerSecond());
            double y = a.y(latency.applyAsDouble(rows.get(i)));
            if (i == 0) {
                p.moveTo(x, y);
            } else {
                p.lineTo(x, y);
            }
        }
        g.setStroke(stroke);
        g.draw(p);
        g.setStroke(new BasicStroke(1));
    }

    private static void legend(Graphics2D g) {
        int x = WIDTH - RIGHT - 250;
        int y = TOP + 10;
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(x - 8, y - 4, 250, 66);
        String[][] entries = {{"ostore p50", "ostore p99 (dashed)"}, {"etcd p50", "etcd p99 (dashed)"}};
        Color[] colors = {OSTORE, ETCD};
        for (int i = 0; i < 2; i++) {
            g.setColor(colors[i]);
            g.setStroke(new BasicStroke(2.2f));
            g.drawLine(x, y + 10 + i * 30, x + 30, y + 10 + i * 30);
            g.setStroke(new BasicStroke(1));
            g.setColor(Color.BLACK);
            g.drawString(entries[i][0] + ", " + entries[i][1], x + 38, y + 14 + i * 30);
        }
    }
}
