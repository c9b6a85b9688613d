package org.cancelkit;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * What cancelkit emitted while a body ran: the Flight Recorder events of a recording made with given
 * settings (read back from its file after the body, so nothing is missed), and what a hook listener saw.
 */
record Recorded(List<RecordedEvent> jfr, List<CancelEvent> hook) {

    /** A body that may throw. */
    interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} under a recording with the shipped settings and a registered listener. */
    static Recorded withShippedSettings(Body body) throws Exception {
        return with(Configuration.create(new StringReader(CancelEvents.jfrSettings())), body);
    }

    /** Runs {@code body} under a recording with {@code config} (null: the JDK's "default" settings). */
    static Recorded with(Configuration config, Body body) throws Exception {
        List<CancelEvent> seen = new CopyOnWriteArrayList<>();
        Path file = Files.createTempFile("cancelkit", ".jfr");
        Configuration settings = config == null ? Configuration.getConfiguration("default") : config;
        try (Recording recording = new Recording(settings)) {
            recording.start();
            try (var _ = CancelEvents.register(seen::add)) {
                body.run();
            }
            recording.stop();
            recording.dump(file);
            List<RecordedEvent> ours = new ArrayList<>();
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (e.getEventType().getName().startsWith("org.cancelkit.")) {
                    ours.add(e);
                }
            }
            return new Recorded(ours, List.copyOf(seen));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The shipped settings with {@code event} switched off. */
    static Configuration shippedWithout(String event) throws IOException, ParseException {
        String xml = CancelEvents.jfrSettings().replace(
                "<event name=\"" + event + "\">\n    <setting name=\"enabled\">true",
                "<event name=\"" + event + "\">\n    <setting name=\"enabled\">false");
        if (xml.equals(CancelEvents.jfrSettings())) {
            throw new AssertionError(event + " is not in the shipped settings");
        }
        return Configuration.create(new StringReader(xml));
    }

    /** The recorded events named {@code name}, in commit order. */
    List<RecordedEvent> jfr(String name) {
        return jfr.stream().filter(e -> e.getEventType().getName().equals(name))
                .sorted((a, b) -> a.getStartTime().compareTo(b.getStartTime())).toList();
    }

    /** The hook's events of type {@code type}, in emission order. */
    <E extends CancelEvent> List<E> hook(Class<E> type) {
        return hook.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
