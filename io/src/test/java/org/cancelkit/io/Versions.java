package org.cancelkit.io;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.cancelkit.io.internal.TxRecord;
import org.jspecify.annotations.Nullable;

/**
 * Test content that checks itself: a header line {@code cancelkit-test v=<version> len=<n> sha=<hex>}
 * then {@code n} payload bytes derived from the version and a salt. A torn, empty or mixed file fails
 * {@link #parse}; a whole one gives its version back.
 */
final class Versions {
    private Versions() {}

    static byte[] content(long version, int payloadLength, long salt) {
        byte[] payload = new byte[payloadLength];
        long x = version * 0x9E3779B97F4A7C15L ^ salt;
        for (int i = 0; i < payloadLength; i++) {
            if ((i & 7) == 0) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
            payload[i] = (byte) (x >>> ((i & 7) * 8));
        }
        byte[] header = ("cancelkit-test v=" + version + " len=" + payloadLength + " sha=" + TxRecord.sha256(payload)
                + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(header, header.length + payloadLength);
        System.arraycopy(payload, 0, all, header.length, payloadLength);
        return all;
    }

    /** Returns the version of a whole file, or null for a torn, empty or unparsable one. */
    static @Nullable Long parse(byte @Nullable [] content) {
        if (content == null) {
            return null;
        }
        int nl = -1;
        for (int i = 0; i < Math.min(content.length, 200); i++) {
            if (content[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) {
            return null;
        }
        String[] f = new String(content, 0, nl, StandardCharsets.US_ASCII).split(" ");
        if (f.length != 4 || !f[0].equals("cancelkit-test") || !f[1].startsWith("v=") || !f[2].startsWith("len=")
                || !f[3].startsWith("sha=")) {
            return null;
        }
        try {
            long version = Long.parseLong(f[1].substring(2));
            int len = Integer.parseInt(f[2].substring(4));
            if (content.length - nl - 1 != len) {
                return null;
            }
            byte[] payload = Arrays.copyOfRange(content, nl + 1, content.length);
            return TxRecord.sha256(payload).equals(f[3].substring(4)) ? version : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
