package org.cancelkit.consumertest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/** The reactor's modules as their pom.xml files declare them (no Maven model: plain XML, what is written). */
final class Poms {
    private Poms() {}

    /** One module of the reactor: where it is and what its pom says. */
    record Module(Path dir, String artifactId, String packaging, boolean deploySkipped, String name,
            String description, List<Dependency> dependencies) {

        /** A library is what users depend on: a jar that is deployed. */
        boolean isLibrary() {
            return packaging.equals("jar") && !deploySkipped;
        }
    }

    /** A dependency as declared (scope and optional as written, "" when absent). */
    record Dependency(String groupId, String artifactId, String scope, String optional) {}

    /** Every module of the reactor rooted at {@code root}, recursively through aggregator poms. */
    static List<Module> reactor(Path root) throws IOException {
        List<Module> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(Path dir, List<Module> out) throws IOException {
        Element project = parse(dir.resolve("pom.xml"));
        Element modules = child(project, "modules");
        if (modules != null) {
            for (Element m : children(modules, "module")) {
                collect(dir.resolve(m.getTextContent().strip()).normalize(), out);
            }
        }
        Element properties = child(project, "properties");
        Element skip = properties == null ? null : child(properties, "maven.deploy.skip");
        List<Dependency> deps = new ArrayList<>();
        Element dependencies = child(project, "dependencies");
        if (dependencies != null) {
            for (Element d : children(dependencies, "dependency")) {
                deps.add(new Dependency(text(d, "groupId"), text(d, "artifactId"), text(d, "scope"), text(d, "optional")));
            }
        }
        out.add(new Module(dir, text(project, "artifactId"), text(project, "packaging").isEmpty() ? "jar"
                : text(project, "packaging"), skip != null && skip.getTextContent().strip().equals("true"),
                text(project, "name"), text(project, "description"), deps));
    }

    /** The artifacts a BOM manages, groupId:artifactId to version as written. */
    static Map<String, String> managed(Path pom) throws IOException {
        Element project = parse(pom);
        Map<String, String> out = new LinkedHashMap<>();
        Element dm = child(project, "dependencyManagement");
        Element deps = dm == null ? null : child(dm, "dependencies");
        if (deps != null) {
            for (Element d : children(deps, "dependency")) {
                out.put(text(d, "groupId") + ":" + text(d, "artifactId"), text(d, "version"));
            }
        }
        return out;
    }

    static Element parse(Path pom) throws IOException {
        try (InputStream in = Files.newInputStream(pom)) {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(false);
            Document doc = f.newDocumentBuilder().parse(in);
            return doc.getDocumentElement();
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("cannot read " + pom + ": " + e.getMessage(), e);
        }
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? "" : e.getTextContent().strip();
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }
}
