package org.polydesk.display.rfb;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/** Runs a JMH class's benchmarks and prints each one's frames per second and its cost in memcpys of a frame. */
public final class BenchmarkReport {
    private BenchmarkReport() {
    }

    /** {@code filter} is a regular expression of benchmark names (all when null). */
    public static void run(Class<?> benchmarks, String filter, String title) throws Exception {
        OptionsBuilder opts = new OptionsBuilder();
        opts.include(benchmarks.getName() + "\\.(" + (filter != null ? filter : ".*") + ")$");
        Collection<RunResult> results = new Runner(opts.build()).run();
        Map<String, Double> fps = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            fps.put(name.substring(name.lastIndexOf('.') + 1), r.getPrimaryResult().getScore());
        }
        Double memcpy = fps.get("memcpy");
        System.out.printf("%n%s (%dx%d, %.1f MB):%n", title, DecodeBenchmark.W, DecodeBenchmark.H,
                DecodeBenchmark.W * DecodeBenchmark.H * 4 / 1e6);
        for (Map.Entry<String, Double> e : fps.entrySet()) {
            System.out.printf("  %-22s %9.1f frames/s  %7.2f ms/frame%s%n", e.getKey(), e.getValue(),
                    1000 / e.getValue(), memcpy == null ? "" : String.format("  %5.2fx memcpy", memcpy / e.getValue()));
        }
    }
}
