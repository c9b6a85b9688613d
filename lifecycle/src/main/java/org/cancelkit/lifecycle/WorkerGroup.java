package org.cancelkit.lifecycle;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A named group of workers and groups: a subtree with its own token (a child of its parent's), whose
 * members' tokens are its children. Members start in the order given, depth first; at shutdown the
 * group stops its members one at a time, in reverse start order within each phase, highest phase
 * first, each with its own grace.
 *
 * {@snippet :
 * WorkerGroup pipeline = WorkerGroup.of("pipeline",
 *         Worker.of("reader", Duration.ofSeconds(1), token -> read(token)),
 *         Worker.of("writer", Duration.ofSeconds(3), token -> write(token)));   // stops before the reader
 * }
 *
 * <p>Immutable and thread-safe. Every argument must be non-null.
 *
 * @param name its name, unique among its siblings
 * @param phase its shutdown phase among its siblings
 * @param members its workers and groups, in start order, with unique names
 */
public record WorkerGroup(String name, int phase, List<Component> members) implements Component {
    /**
     * Checks the fields and copies the members.
     *
     * @param name non-blank, without {@code '/'}
     * @param phase any
     * @param members non-null, each name unique
     */
    public WorkerGroup {
        Names.requireName(name, "group");
        members = List.copyOf(Objects.requireNonNull(members, "members"));
        requireUniqueNames(members, "group '" + name + "'");
    }

    /**
     * A group in phase zero.
     *
     * @param name its name
     * @param members its workers and groups, in start order
     * @return the group
     */
    public static WorkerGroup of(String name, Component... members) {
        return new WorkerGroup(name, 0, List.of(members));
    }

    /**
     * Returns this group in another shutdown phase.
     *
     * @param phase among siblings, higher phases stop first
     * @return a copy with that phase
     */
    public WorkerGroup inPhase(int phase) {
        return new WorkerGroup(name, phase, members);
    }

    static void requireUniqueNames(List<Component> members, String where) {
        Set<String> seen = new HashSet<>();
        for (Component c : members) {
            if (!seen.add(c.name())) {
                throw new IllegalArgumentException(where + " has two members named '" + c.name()
                        + "'; names are the report's keys: rename one");
            }
        }
    }
}
