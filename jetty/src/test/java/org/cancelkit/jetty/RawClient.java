package org.cancelkit.jetty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.cancelkit.http.DeadlineHeader;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP/1.1 client on a plain socket, for header fields the JDK client will not send (several
 * {@value DeadlineHeader#NAME} lines in a chosen order, control characters, non-ASCII bytes, empty
 * values). One request per connection ({@code Connection: close}); the answer is read to the end,
 * at most 64 KiB, with a 10-second read timeout.
 */
final class RawClient {
    private RawClient() {}

    /** A response: its status and the raw text of its head and body. */
    record Answer(int status, String text) {
        /** The value of a response header, or null. */
        @Nullable String header(String name) {
            String head = text.substring(0, Math.max(0, text.indexOf("\r\n\r\n")));
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    /**
     * Sends {@code GET pathAndQuery} with the given header field lines ({@code "Name: value"}), written
     * as ISO-8859-1 bytes (what HTTP/1.1 carries), and reads the answer.
     */
    static Answer get(URI base, String pathAndQuery, List<String> fieldLines) throws IOException {
        return get(base, pathAndQuery, fieldLines, StandardCharsets.ISO_8859_1);
    }

    static Answer get(URI base, String pathAndQuery, List<String> fieldLines, java.nio.charset.Charset charset) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            StringBuilder head = new StringBuilder()
                    .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(base.getHost()).append("\r\n")
                    .append("Connection: close\r\n");
            for (String line : fieldLines) {
                head.append(line).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(charset));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; answer.size() < 64 * 1024 && (n = in.read(buffer)) >= 0; ) {
                answer.write(buffer, 0, n);
            }
            String text = answer.toString(StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.1 ")) {
                throw new IOException("not an HTTP/1.1 answer: \"" + text.substring(0, Math.min(80, text.length())) + "\"");
            }
            return new Answer(Integer.parseInt(text.substring(9, 12)), text);
        }
    }
}
