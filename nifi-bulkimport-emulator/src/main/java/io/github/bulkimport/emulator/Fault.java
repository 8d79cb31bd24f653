package io.github.bulkimport.emulator;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One queued misbehaviour: applies to the next {@code times} requests whose operation matches.
 */
public final class Fault {

    private final FaultType type;
    private final AtomicInteger remaining;
    private final String operation;
    private final int retryAfterSeconds;
    private final long delayMillis;

    /**
     * @param operation         {@code create}, {@code describe}, {@code list}... or {@code null} for any
     * @param retryAfterSeconds sent as {@code Retry-After} with {@link FaultType#HTTP_429}; negative for none
     * @param delayMillis       how long {@link FaultType#SLOW} waits
     */
    public Fault(final FaultType type, final int times, final String operation, final int retryAfterSeconds, final long delayMillis) {
        if (times < 1) {
            throw new IllegalArgumentException("a fault applies at least once");
        }
        this.type = type;
        this.remaining = new AtomicInteger(times);
        this.operation = operation == null || operation.isBlank() ? null : operation.trim();
        this.retryAfterSeconds = retryAfterSeconds;
        this.delayMillis = delayMillis;
    }

    public static Fault of(final FaultType type, final int times) {
        return new Fault(type, times, null, -1, 1_000);
    }

    public static Fault on(final String operation, final FaultType type, final int times) {
        return new Fault(type, times, operation, -1, 1_000);
    }

    /**
     * Parses {@code type[,times=N][,path=create][,retryAfter=S][,delayMs=M]}, for example
     * {@code http503,times=3,path=create}.
     */
    public static Fault parse(final String spec) {
        final String[] parts = spec.split(",");
        final FaultType type = FaultType.parse(parts[0]);
        int times = 1;
        String operation = null;
        int retryAfter = -1;
        long delay = 1_000;
        for (int i = 1; i < parts.length; i++) {
            final String[] pair = parts[i].split("=", 2);
            if (pair.length != 2) {
                throw new IllegalArgumentException("expected key=value in fault '" + spec + "'");
            }
            final String value = pair[1].trim();
            switch (pair[0].trim().toLowerCase(Locale.ROOT)) {
                case "times" -> times = Integer.parseInt(value);
                case "path", "operation" -> operation = value;
                case "retryafter" -> retryAfter = Integer.parseInt(value);
                case "delayms" -> delay = Long.parseLong(value);
                default -> throw new IllegalArgumentException("unknown fault setting '" + pair[0] + "' in '" + spec + "'");
            }
        }
        return new Fault(type, times, operation, retryAfter, delay);
    }

    public FaultType type() {
        return type;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public long delayMillis() {
        return delayMillis;
    }

    public int remaining() {
        return Math.max(remaining.get(), 0);
    }

    boolean matches(final String requestOperation) {
        return operation == null || operation.equalsIgnoreCase(requestOperation);
    }

    /** Takes one use; false when used up. */
    boolean claim() {
        return remaining.getAndDecrement() > 0;
    }

    @Override
    public String toString() {
        return type + (operation == null ? "" : " on " + operation) + " x" + remaining();
    }
}
