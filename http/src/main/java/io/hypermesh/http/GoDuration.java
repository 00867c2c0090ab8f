package io.hypermesh.http;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

/**
 * Durations as Go writes and reads them ({@code 1h30m}, {@code 500ms}, {@code 1.5s}), since Consul's
 * API takes and shows them that way; the command line and the platform spec take them the same way. Parsing follows {@code
 * time.ParseDuration}: a unit on every
 * number, no cap but int64 nanoseconds, and Go's own error text.
 */
public final class GoDuration {
    private static final Map<String, Long> UNITS = Map.of(
            "ns", 1L, "us", 1_000L, "\u00b5s", 1_000L, "\u03bcs", 1_000L, "ms", 1_000_000L,
            "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private GoDuration() {
    }

    /** Nanoseconds of a Go duration; {@link IllegalArgumentException} with Go's message when it is not one. */
    public static long parseNanos(String text) {
        String s = text;
        int i = 0;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            i = 1;
        }
        if (s.substring(i).equals("0")) {
            return 0;
        }
        if (i == s.length()) {
            throw invalid(text);
        }
        BigDecimal total = BigDecimal.ZERO;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(start, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw invalid(text);
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (unit.isEmpty()) {
                throw new IllegalArgumentException("time: missing unit in duration " + quote(text));
            }
            Long scale = UNITS.get(unit);
            if (scale == null) {
                throw new IllegalArgumentException("time: unknown unit " + quote(unit) + " in duration " + quote(text));
            }
            total = total.add(new BigDecimal(number.endsWith(".") ? number + "0" : number.startsWith(".") ? "0" + number : number)
                    .multiply(BigDecimal.valueOf(scale)));
        }
        BigInteger nanos = total.toBigInteger();
        if (nanos.compareTo(MAX) > 0) {
            throw invalid(text);
        }
        return negative ? -nanos.longValueExact() : nanos.longValueExact();
    }

    /** Milliseconds of a Go duration, rounded down. */
    /** A Go duration as a {@link java.time.Duration}, for settings: the CLI, the spec file and the API read the same text. */
    public static java.time.Duration parse(String text) {
        return java.time.Duration.ofNanos(parseNanos(text));
    }

    public static long parseMillis(String text) {
        return parseNanos(text) / 1_000_000;
    }

    /** A duration as Go's {@code Duration.String()} writes it: {@code 1h0m0s}, {@code 1.5s}, {@code 500ms}, {@code 0s}. */
    public static String format(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        if (nanos < 0) {
            out.append('-');
        }
        BigInteger n = BigInteger.valueOf(nanos).abs();
        if (n.compareTo(BigInteger.valueOf(1_000_000_000L)) < 0) {
            long v = n.longValue();
            if (v < 1_000) {
                return out.append(v).append("ns").toString();
            }
            if (v < 1_000_000) {
                return out.append(fraction(v, 1_000)).append("\u00b5s").toString();
            }
            return out.append(fraction(v, 1_000_000)).append("ms").toString();
        }
        long v = n.longValue();
        long hours = v / 3_600_000_000_000L;
        long minutes = (v / 60_000_000_000L) % 60;
        long secondsNanos = v % 60_000_000_000L;
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            out.append(minutes).append('m');
        }
        return out.append(fraction(secondsNanos, 1_000_000_000L)).append('s').toString();
    }

    private static String fraction(long value, long unit) {
        BigDecimal d = BigDecimal.valueOf(value).divide(BigDecimal.valueOf(unit)).stripTrailingZeros();
        return d.toPlainString();
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("time: invalid duration " + quote(text));
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
