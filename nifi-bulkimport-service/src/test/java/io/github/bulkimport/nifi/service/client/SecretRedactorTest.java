package io.github.bulkimport.nifi.service.client;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The redactor's rolling window hash finds exactly the pieces a plain search of every window finds. */
class SecretRedactorTest {

    private static final List<String> SECRETS = List.of("sk-7Qm2Vx9Lp4Rt8Wz1Ny6Ks3Hd5", "root:pässwörd/with+odd=chars", "AKIA0123456789ABCDEF");

    @Test
    void masksWhatAPlainSearchOfEveryWindowMasks() {
        final SecretRedactor redactor = new SecretRedactor(SECRETS);
        final Set<String> pieces = new HashSet<>();
        for (final String secret : SECRETS) {
            for (final String form : SecretRedactor.forms(secret)) {
                for (int i = 0; i + SecretRedactor.RUN <= form.length(); i++) {
                    pieces.add(form.substring(i, i + SecretRedactor.RUN));
                }
            }
        }
        final Random random = new Random(20261129);
        final List<String> pieceList = List.copyOf(pieces);
        for (int round = 0; round < 2_000; round++) {
            final StringBuilder text = new StringBuilder();
            for (int part = random.nextInt(6); part >= 0; part--) {
                text.append("x".repeat(random.nextInt(12)));
                if (random.nextBoolean()) {
                    final String piece = pieceList.get(random.nextInt(pieceList.size()));
                    text.append(piece, 0, 1 + random.nextInt(piece.length()));
                } else {
                    text.append((char) ('a' + random.nextInt(26)));
                }
            }
            assertEquals(plainRedact(text.toString(), pieces), redactor.redact(text.toString()), text.toString());
        }
    }

    /** Every window looked up, the redactor's behaviour for secrets at least RUN long. */
    private static String plainRedact(final String text, final Set<String> pieces) {
        final boolean[] masked = new boolean[text.length()];
        boolean any = false;
        for (int i = 0; i + SecretRedactor.RUN <= text.length(); i++) {
            if (pieces.contains(text.substring(i, i + SecretRedactor.RUN))) {
                Arrays.fill(masked, i, i + SecretRedactor.RUN, true);
                any = true;
            }
        }
        if (!any) {
            return text;
        }
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            if (!masked[i]) {
                out.append(text.charAt(i));
            } else if (i == 0 || !masked[i - 1]) {
                out.append(SecretRedactor.MASK);
            }
        }
        return out.toString();
    }
}
