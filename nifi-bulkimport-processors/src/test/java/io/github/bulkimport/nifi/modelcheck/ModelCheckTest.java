package io.github.bulkimport.nifi.modelcheck;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model check: random sequences of enqueues, faults, runs, crashes, replays and the other
 * processors' steps, with every invariant of {@link World} checked after each step. A failing
 * sequence is shrunk to the fewest steps that still fail, and printed.
 * <p>
 * {@code -Dmodel.sequences=N} sets how many sequences run (default 2,000), {@code -Dmodel.seed=S}
 * the seed they are drawn from (default fixed; {@code random} draws one and prints it).
 */
class ModelCheckTest {

    private static final long DEFAULT_SEED = 20_261_128L;
    private static final int MAX_REPORTED = 3;

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void randomSequencesKeepEveryPromise() {
        final long seed = seed();
        final int sequences = Integer.getInteger("model.sequences", 2_000);
        final Random seeds = new Random(seed);
        final List<String> counterexamples = new ArrayList<>();
        int steps = 0;
        int violations = 0;
        int ran = 0;
        final long started = System.nanoTime();
        final boolean survey = Boolean.getBoolean("model.survey");
        final java.util.Map<String, Integer> kinds = new java.util.TreeMap<>();
        for (; ran < sequences && counterexamples.size() < MAX_REPORTED; ran++) {
            final Scenario scenario = Scenario.draw(seeds.nextLong());
            final Outcome outcome = Outcome.of(scenario);
            steps += outcome.steps();
            if (!outcome.violations().isEmpty() && survey) {
                violations++;
                final String kind = outcome.violations().getFirst().replaceAll("^step \\d+ \\(([A-Za-z]+).*?\\): ", "$1: ")
                        .replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "U").replaceAll("\\d+", "N").replaceAll("'.{8}'", "'S'");
                kinds.merge(kind.substring(0, Math.min(160, kind.length())), 1, Integer::sum);
            } else if (!outcome.violations().isEmpty()) {
                violations++;
                final Scenario shrunk = shrink(scenario);
                counterexamples.add(outcome.violations().getFirst() + "\nshrunk to:\n" + shrunk + "which fails with: "
                        + Outcome.of(shrunk).violations());
            }
        }
        System.out.printf("model check seed=%d, %.0f s%n", seed, (System.nanoTime() - started) / 1e9);
        System.out.printf("MODEL CHECK: sequences=%d steps=%d violations=%d%n", ran, steps, violations);
        kinds.forEach((kind, count) -> System.out.println("SURVEY " + count + " x " + kind));
        counterexamples.forEach(example -> System.out.println("COUNTEREXAMPLE " + example));
        assertTrue(counterexamples.isEmpty() && kinds.isEmpty(), () -> String.join("\n\n", counterexamples));
    }

    /** Removes steps one at a time, last first, for as long as the sequence still fails. */
    private static Scenario shrink(final Scenario failing) {
        Scenario current = failing;
        boolean smaller = true;
        while (smaller) {
            smaller = false;
            for (int i = current.steps().size() - 1; i >= 0; i--) {
                final List<Step> fewer = new ArrayList<>(current.steps());
                fewer.remove(i);
                final Scenario candidate = current.withSteps(fewer);
                if (!Outcome.of(candidate).violations().isEmpty()) {
                    current = candidate;
                    smaller = true;
                }
            }
        }
        return current;
    }

    private static long seed() {
        final String value = System.getProperty("model.seed", String.valueOf(DEFAULT_SEED));
        return "random".equals(value) ? new Random().nextLong() : Long.parseLong(value);
    }

    private record Outcome(int steps, List<String> violations) {
        static Outcome of(final Scenario scenario) {
            try (World world = new World(scenario)) {
                final List<String> violations = world.run();
                return new Outcome(world.steps(), List.copyOf(violations));
            }
        }
    }
}
