package org.cancelkit.consumertest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What a user sees of the reactor: the BOM lists every library module (a jar that is deployed) and
 * nothing else, each library pom has what Maven Central requires of it, and no library hides
 * JSpecify from its users (its module-infos say {@code requires static transitive org.jspecify}, so
 * a module-path consumer needs it present: compile scope, not provided, not optional).
 */
class BomTest {
    private static final Path ROOT = Path.of(System.getProperty("cancelkit.root", "..")).toAbsolutePath().normalize();

    @Test
    void theBomListsEveryLibraryModuleAndNothingElse() throws IOException {
        List<String> problems = bomProblems(Poms.reactor(ROOT), Poms.managed(ROOT.resolve("bom/pom.xml")));
        assertThat(problems).as("bom/pom.xml against the reactor").isEmpty();
    }

    @Test
    void everyLibraryPomHasWhatMavenCentralRequiresAndExportsJSpecify() throws IOException {
        List<String> problems = libraryProblems(Poms.reactor(ROOT));
        assertThat(problems).isEmpty();
    }

    /** Negative control: a reactor with a library the BOM forgets, and a BOM entry for a tool, are both reported. */
    @Test
    void aForgottenLibraryOrAListedToolIsReported() {
        List<Poms.Module> reactor = List.of(
                module("cancelkit-core", "jar", false),
                module("cancelkit-new", "jar", false),
                module("cancelkit-cli", "jar", true),
                module("cancelkit-parent", "pom", false));
        List<String> problems = bomProblems(reactor, Map.of(
                "org.cancelkit:cancelkit-core", "${project.version}",
                "org.cancelkit:cancelkit-cli", "${project.version}"));
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).contains("cancelkit-new").contains("add it");
        assertThat(problems.get(1)).contains("cancelkit-cli").contains("not a library");
    }

    /** Negative control: a library with jspecify provided and no description is reported. */
    @Test
    void aProvidedJSpecifyOrAMissingDescriptionIsReported() {
        Poms.Module bad = new Poms.Module(Path.of("bad"), "cancelkit-bad", "jar", false, "cancelkit bad", "",
                List.of(new Poms.Dependency("org.jspecify", "jspecify", "provided", "")));
        List<String> problems = libraryProblems(List.of(bad));
        assertThat(problems).hasSize(2);
        assertThat(String.join("\n", problems)).contains("<description>").contains("jspecify");
    }

    static List<String> bomProblems(List<Poms.Module> reactor, Map<String, String> bom) {
        Set<String> libraries = new TreeSet<>();
        Set<String> others = new TreeSet<>();
        for (Poms.Module m : reactor) {
            (m.isLibrary() ? libraries : others).add("org.cancelkit:" + m.artifactId());
        }
        List<String> problems = new ArrayList<>();
        for (String lib : libraries) {
            if (!bom.containsKey(lib)) {
                problems.add(lib + " is a library module (a jar, deployed) but bom/pom.xml does not list it: add it"
                        + " with <version>${project.version}</version>, or set maven.deploy.skip in its pom if it is"
                        + " not for users");
            }
        }
        bom.forEach((ga, version) -> {
            if (!libraries.contains(ga)) {
                problems.add(ga + " is in bom/pom.xml but is not a library module of the reactor"
                        + (others.contains(ga) ? " (it sets maven.deploy.skip or is not a jar)" : "") + ": remove it");
            } else if (!version.equals("${project.version}")) {
                problems.add(ga + " has version " + version + " in bom/pom.xml: use ${project.version}");
            }
        });
        return problems;
    }

    static List<String> libraryProblems(List<Poms.Module> reactor) {
        List<String> problems = new ArrayList<>();
        for (Poms.Module m : reactor) {
            if (!m.isLibrary()) {
                continue;
            }
            if (m.name().isEmpty() || m.description().isEmpty()) {
                problems.add(m.dir() + "/pom.xml: Maven Central needs a <name> and a <description>");
            }
            for (Poms.Dependency d : m.dependencies()) {
                if (d.artifactId().equals("jspecify") && (!d.scope().isEmpty() && !d.scope().equals("compile")
                        || d.optional().equals("true"))) {
                    problems.add(m.dir() + "/pom.xml: jspecify is " + d.scope() + (d.optional().isEmpty() ? "" : " optional")
                            + "; its module-info requires static transitive org.jspecify, so a module-path consumer"
                            + " needs it: declare it without scope or optional");
                }
            }
        }
        return problems;
    }

    private static Poms.Module module(String artifactId, String packaging, boolean skip) {
        return new Poms.Module(Path.of(artifactId), artifactId, packaging, skip, artifactId, "d", List.of());
    }
}
