package org.cancelkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.MonitorInstruction;
import java.lang.classfile.instruction.NewMultiArrayInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.classfile.instruction.NewPrimitiveArrayInstruction;
import java.lang.classfile.instruction.NewReferenceArrayInstruction;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * C7, the part a unit test can state without timing anything: {@code isCancelled()} is one volatile
 * read and allocates nothing. Read from the bytecode with the JDK's ClassFile API: the method makes
 * exactly one field access, a {@code getfield} of the node's volatile {@code head} (its phase and
 * list in one field; the method tells the phase by a type test, which is neither a call nor an
 * allocation), one call of the
 * handle's {@code node()} accessor (a source returns itself, a read-only view its final field: the JIT
 * inlines it), and no other call, allocation or monitor. It is final, so no subclass can make it cost
 * more.
 *
 * <p>Not tested here: the speed itself, and "arming and disarming a timeout takes no global lock and
 * allocates O(1)": those are measurements, and belong to the JMH benchmarks of the bench module.
 */
class C7CostTest {

    /** What the method's bytecode does beyond one getfield of {@code field}; empty when nothing. */
    static List<String> beyondOneVolatileRead(Class<?> owner, String method, String field) throws IOException {
        return beyondOneVolatileRead(owner, method, owner, field, null);
    }

    /** As above, with the field declared by {@code fieldOwner} and one allowed call of {@code allowedCall}. */
    static List<String> beyondOneVolatileRead(Class<?> owner, String method, Class<?> fieldOwner, String field,
                                              String allowedCall) throws IOException {
        byte[] bytes;
        try (InputStream in = Objects.requireNonNull(owner.getResourceAsStream(classFileName(owner)),
                "class file of " + owner)) {
            bytes = in.readAllBytes();
        }
        ClassModel model = ClassFile.of().parse(bytes);
        MethodModel m = model.methods().stream()
                .filter(mm -> mm.methodName().equalsString(method) && mm.methodType().equalsString("()Z"))
                .findFirst().orElseThrow(() -> new AssertionError(owner + " has no boolean " + method + "()"));
        List<String> problems = new ArrayList<>();
        int fieldReads = 0;
        int calls = 0;
        for (CodeElement e : m.code().orElseThrow()) {
            switch (e) {
                case FieldInstruction f -> {
                    if (f.opcode() == Opcode.GETFIELD && f.name().equalsString(field)
                            && f.owner().asInternalName().equals(fieldOwner.getName().replace('.', '/'))) {
                        fieldReads++;
                    } else {
                        problems.add(f.opcode() + " " + f.owner().asInternalName() + "." + f.name().stringValue());
                    }
                }
                case InvokeInstruction i -> {
                    if (allowedCall != null && i.name().equalsString(allowedCall) && calls++ == 0) {
                        continue;
                    }
                    problems.add("calls " + i.owner().asInternalName() + "." + i.name().stringValue());
                }
                case InvokeDynamicInstruction i -> problems.add("invokedynamic " + i.name().stringValue());
                case NewObjectInstruction n -> problems.add("allocates " + n.className().asInternalName());
                case NewReferenceArrayInstruction n -> problems.add("allocates an array");
                case NewPrimitiveArrayInstruction n -> problems.add("allocates an array");
                case NewMultiArrayInstruction n -> problems.add("allocates an array");
                case MonitorInstruction mi -> problems.add("takes a monitor");
                default -> { }
            }
        }
        if (fieldReads != 1) {
            problems.add(fieldReads + " reads of " + field + " instead of 1");
        }
        Field f = Arrays.stream(fieldOwner.getDeclaredFields()).filter(x -> x.getName().equals(field)).findFirst().orElse(null);
        if (f == null || !Modifier.isVolatile(f.getModifiers())) {
            problems.add(field + " is not a volatile field of " + fieldOwner.getSimpleName());
        }
        return problems;
    }

    private static String classFileName(Class<?> c) {
        String name = c.getName();
        return name.substring(name.lastIndexOf('.') + 1) + ".class";
    }

    @Test
    @DisplayName("C7: CancellationToken.isCancelled() is one getfield of the node's volatile head behind the "
            + "handle's node() accessor: no other call, no allocation")
    void c7_isCancelledIsOneVolatileRead() throws Exception {
        assertThat(beyondOneVolatileRead(CancellationToken.class, "isCancelled", Node.class, "head", "node")).isEmpty();
        assertThat(Modifier.isFinal(CancellationToken.class.getMethod("isCancelled").getModifiers()))
                .as("final: no subclass can override it").isTrue();
    }

    @Test
    @DisplayName("C7: a node carries its head (its phase and list in one), parent, scope and its own list links, and nothing else; the public "
            + "handles carry no state of their own")
    void c7_tokenFields() {
        List<String> own = Arrays.stream(Node.class.getDeclaredFields())
                .filter(f -> !Modifier.isStatic(f.getModifiers()))
                .map(f -> (Modifier.isVolatile(f.getModifiers()) ? "volatile " : "") + f.getType().getSimpleName() + " " + f.getName())
                .sorted().toList();
        assertThat(own).containsExactly("Node parent", "Scope scope", "volatile Object head");
        List<String> links = Arrays.stream(Link.class.getDeclaredFields())
                .filter(f -> !Modifier.isStatic(f.getModifiers()))
                .map(f -> f.getType().getSimpleName() + " " + f.getName())
                .sorted().toList();
        assertThat(links).as("the list links every node and listener carries").containsExactly("Link next", "Link prev");
        assertThat(Arrays.stream(CancellationToken.class.getDeclaredFields()).filter(f -> !Modifier.isStatic(f.getModifiers())))
                .isEmpty();
        assertThat(Arrays.stream(CancellationSource.class.getDeclaredFields()).filter(f -> !Modifier.isStatic(f.getModifiers())))
                .isEmpty();
    }

    // ------------------------------------------------------------------ negative control

    /** Fixtures the checker must reject. */
    static final class CallsSomething {
        volatile Object state;
        Object other = new Object();

        boolean isCancelled() {
            return state != null || other.hashCode() == 0;
        }
    }

    static final class Allocates {
        volatile Object state;

        boolean isCancelled() {
            return state != null && new Object() != state;
        }
    }

    static final class NotVolatile {
        Object state;

        boolean isCancelled() {
            return state != null;
        }
    }

    @Test
    @DisplayName("C7 negative control: the bytecode check rejects a call, an allocation, a second field and a "
            + "non-volatile field")
    void c7_negativeControl() throws Exception {
        assertThat(beyondOneVolatileRead(CallsSomething.class, "isCancelled", "state"))
                .anySatisfy(p -> assertThat(p).contains("calls java/lang/Object.hashCode"))
                .anySatisfy(p -> assertThat(p).contains("GETFIELD").contains("other"));
        assertThat(beyondOneVolatileRead(Allocates.class, "isCancelled", "state"))
                .anySatisfy(p -> assertThat(p).contains("allocates java/lang/Object"))
                .anySatisfy(p -> assertThat(p).contains("2 reads of state"));
        assertThat(beyondOneVolatileRead(NotVolatile.class, "isCancelled", "state"))
                .containsExactly("state is not a volatile field of NotVolatile");
    }
}
