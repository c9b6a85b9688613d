package org.cancelkit.consumertest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A client-only user gets no server: the consumer project {@code client-only}, which depends on
 * {@code cancelkit-http} alone (through the BOM), resolves no Jetty artifact and SLF4J 2 (its own build
 * also fails by an enforcer rule if not). The project {@code server-control}, with the same rule set to
 * report, depends on {@code cancelkit-jetty}: it must resolve {@code jetty-server}, and the rule must name
 * it, or the checks above could pass by seeing nothing.
 */
class ClientOnlyIT {
    private static final Path CONSUMERS = Path.of(System.getProperty("cancelkit.consumers", "target/it"));
    private static final Pattern SLF4J = Pattern.compile("org\\.slf4j:slf4j-api:jar:(\\d+)\\.");

    @Test
    void cancelkitHttpAloneResolvesNoServer() throws IOException {
        List<String> resolved = resolved("client-only");
        assertThat(resolved).as("client-only resolved cancelkit-http").anyMatch(l -> l.contains("org.cancelkit:cancelkit-http:jar:"));
        assertThat(resolved).as("no Jetty artifact in a client-only project").noneMatch(l -> l.contains("org.eclipse.jetty"));
        assertThat(slf4jMajor(resolved)).as("the SLF4J a client resolves").isEqualTo(2);
    }

    /** Negative control: cancelkit-jetty does bring jetty-server, the list shows it and the rule names it. */
    @Test
    void cancelkitJettyBringsTheServer() throws IOException {
        List<String> resolved = resolved("server-control");
        assertThat(resolved).anyMatch(l -> l.contains("org.eclipse.jetty:jetty-server:jar:"));
        assertThat(slf4jMajor(resolved)).isEqualTo(2);
        String log = Files.readString(CONSUMERS.resolve("server-control/build.log"));
        assertThat(log).as("the enforcer rule of client-only, run on the control, names jetty-server")
                .contains("org.eclipse.jetty:jetty-server");
        assertThat(Files.readString(CONSUMERS.resolve("client-only/build.log")))
                .as("the rule ran in client-only too").contains("no-server-in-the-client");
    }

    private static List<String> resolved(String project) throws IOException {
        Path list = CONSUMERS.resolve(project).resolve("target/resolved.txt");
        assertThat(list).as("dependency:list of " + project + " (run by the invoker's consumers execution)").exists();
        return Files.readAllLines(list);
    }

    private static int slf4jMajor(List<String> resolved) {
        for (String line : resolved) {
            Matcher m = SLF4J.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("no slf4j-api resolved; lines: " + resolved);
    }
}
