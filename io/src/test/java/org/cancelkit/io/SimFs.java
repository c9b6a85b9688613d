package org.cancelkit.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serial;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.cancelkit.io.internal.FileOps;
import org.jspecify.annotations.Nullable;

/**
 * A disk that forgets, for simulated power loss. It remembers, per file, what was synced and which
 * 512-byte sectors were written since; per directory, which entries were synced and the operations
 * (create, rename, delete) since. At a crash ({@link #crashAtCall}) every later call fails with
 * {@link Crash}, and {@link #crashImage} builds the disk as the next boot could find it: unsynced
 * writes kept, dropped or torn sector by sector; unsynced directory operations kept, dropped, or a
 * random subset applied in order or shuffled. Synced state always survives.
 *
 * <p>The negative controls switch syncs off: {@link #honourFileSync} and {@link #honourDirSync}.
 */
final class SimFs implements FileOps {
    static final int SECTOR = 512;
    private static final Set<PosixFilePermission> DEFAULT = PosixFilePermissions.fromString("rw-r--r--");

    /** The power went out. */
    static final class Crash extends Error {
        @Serial
        private static final long serialVersionUID = 1L;

        Crash() {
            super("simulated power loss", null, false, false);
        }
    }

    private static final class Inode {
        byte[] durable = new byte[0];
        byte[] current = new byte[0];
        final BitSet dirty = new BitSet();
        Set<PosixFilePermission> permissions = DEFAULT;
    }

    private enum OpKind { CREATE, RENAME, DELETE }

    private record Op(OpKind kind, String name, @Nullable String to, Inode inode) {}

    private static final class Dir {
        Map<String, Inode> durable = new HashMap<>();
        Map<String, Inode> current = new HashMap<>();
        final List<Op> pending = new ArrayList<>();
    }

    private final Map<Path, Dir> dirs = new HashMap<>();
    private byte[] lockRecord = new byte[0];
    private long calls;
    private long crashAt = Long.MAX_VALUE;
    private boolean crashed;
    boolean honourFileSync = true;
    boolean honourDirSync = true;

    SimFs(Path... directories) {
        for (Path d : directories) {
            dirs.put(d, new Dir());
        }
    }

    // ------------------------------------------------------------------ test control

    synchronized void crashAtCall(long call) {
        crashAt = call;
    }

    synchronized long calls() {
        return calls;
    }

    synchronized boolean crashed() {
        return crashed;
    }

    /** A file present and synced, as if written long ago. */
    synchronized void putDurable(Path file, byte[] content) {
        Inode n = new Inode();
        n.durable = content.clone();
        n.current = content.clone();
        Dir d = dir(file);
        d.durable.put(name(file), n);
        d.current.put(name(file), n);
    }

    synchronized byte @Nullable [] read(Path file) {
        Inode n = dir(file).current.get(name(file));
        return n == null ? null : n.current.clone();
    }

    synchronized List<String> names(Path directory) {
        List<String> names = new ArrayList<>(dirs.get(directory).current.keySet());
        Collections.sort(names);
        return names;
    }

    /** The disk after a power loss now; see the class description. */
    synchronized SimFs crashImage(Random rnd) {
        SimFs next = new SimFs();
        next.lockRecord = lockRecord.clone();
        Map<Inode, Inode> images = new IdentityHashMap<>();
        for (Map.Entry<Path, Dir> e : dirs.entrySet()) {
            Dir d = e.getValue();
            Map<String, Inode> m = new HashMap<>(d.durable);
            List<Op> kept = new ArrayList<>();
            int mode = d.pending.isEmpty() ? 0 : rnd.nextInt(4);
            for (Op op : d.pending) {
                if (mode == 0 || (mode >= 2 && rnd.nextBoolean())) {
                    kept.add(op);
                }
            }
            if (mode == 3) {
                Collections.shuffle(kept, rnd); // reordered
            }
            for (Op op : kept) {
                switch (op.kind) {
                    case CREATE -> m.put(op.name, op.inode);
                    case RENAME -> {
                        if (m.get(op.name) == op.inode) {
                            m.remove(op.name);
                        }
                        m.put(Objects.requireNonNull(op.to), op.inode);
                    }
                    case DELETE -> m.remove(op.name, op.inode);
                }
            }
            Dir nd = new Dir();
            for (Map.Entry<String, Inode> f : m.entrySet()) {
                Inode img = images.computeIfAbsent(f.getValue(), n -> image(n, rnd));
                nd.durable.put(f.getKey(), img);
                nd.current.put(f.getKey(), img);
            }
            next.dirs.put(e.getKey(), nd);
        }
        return next;
    }

    private static Inode image(Inode n, Random rnd) {
        Inode img = new Inode();
        img.permissions = n.permissions;
        byte[] content;
        int mode = n.dirty.isEmpty() && n.durable.length == n.current.length ? 0 : rnd.nextInt(3);
        if (mode == 0) {
            content = n.current;
        } else if (mode == 1) {
            content = n.durable;
        } else {
            int lo = Math.min(n.durable.length, n.current.length);
            int hi = Math.max(n.durable.length, n.current.length);
            int len = switch (rnd.nextInt(3)) {
                case 0 -> n.durable.length;
                case 1 -> n.current.length;
                default -> lo + rnd.nextInt(hi - lo + 1);
            };
            content = new byte[len];
            for (int s = 0; s * SECTOR < len; s++) {
                byte[] from = !n.dirty.get(s) || rnd.nextBoolean() ? n.current : n.durable; // torn by sector
                int start = s * SECTOR;
                int end = Math.min(len, Math.min(start + SECTOR, from.length));
                if (end > start) {
                    System.arraycopy(from, start, content, start, end - start);
                }
            }
        }
        img.durable = content.clone();
        img.current = content.clone();
        return img;
    }

    // ------------------------------------------------------------------ FileOps

    private synchronized void tick() {
        if (crashed) {
            throw new Crash();
        }
        if (calls++ == crashAt) {
            crashed = true;
            throw new Crash();
        }
    }

    private Dir dir(Path file) {
        Dir d = dirs.get(file.getParent());
        if (d == null) {
            throw new IllegalStateException("no simulated directory for " + file);
        }
        return d;
    }

    private static String name(Path p) {
        return String.valueOf(p.getFileName());
    }

    @Override
    public synchronized WritableFile createNew(Path file, @Nullable Set<PosixFilePermission> permissions)
            throws IOException {
        tick();
        Dir d = dirs.get(file.getParent());
        if (d == null) {
            throw new NoSuchFileException(file.toString());
        }
        if (d.current.containsKey(name(file))) {
            throw new FileAlreadyExistsException(file.toString());
        }
        Inode n = new Inode();
        if (permissions != null) {
            n.permissions = Set.copyOf(permissions);
        }
        d.current.put(name(file), n);
        d.pending.add(new Op(OpKind.CREATE, name(file), null, n));
        return new SimFile(n);
    }

    @Override
    public synchronized void rename(Path source, Path target) throws IOException {
        tick();
        if (!Objects.equals(source.getParent(), target.getParent())) {
            throw new AtomicMoveNotSupportedException(source.toString(), target.toString(), "another directory");
        }
        Dir d = dir(source);
        Inode n = d.current.remove(name(source));
        if (n == null) {
            throw new NoSuchFileException(source.toString());
        }
        d.current.put(name(target), n);
        d.pending.add(new Op(OpKind.RENAME, name(source), name(target), n));
    }

    @Override
    public synchronized void syncDirectory(Path directory) throws IOException {
        tick();
        Dir d = Objects.requireNonNull(dirs.get(directory), "no such simulated directory");
        if (honourDirSync) {
            d.durable = new HashMap<>(d.current);
            d.pending.clear();
        }
    }

    @Override
    public synchronized boolean deleteIfExists(Path file) throws IOException {
        tick();
        Dir d = dir(file);
        Inode n = d.current.remove(name(file));
        if (n == null) {
            return false;
        }
        d.pending.add(new Op(OpKind.DELETE, name(file), null, n));
        return true;
    }

    @Override
    public synchronized List<String> list(Path directory) throws IOException {
        tick();
        Dir d = dirs.get(directory);
        if (d == null) {
            throw new NoSuchFileException(directory.toString());
        }
        return new ArrayList<>(d.current.keySet());
    }

    @Override
    public synchronized InputStream openRead(Path file) throws IOException {
        tick();
        Inode n = dir(file).current.get(name(file));
        if (n == null) {
            throw new NoSuchFileException(file.toString());
        }
        return new ByteArrayInputStream(n.current.clone());
    }

    @Override
    public synchronized Kind kind(Path path) throws IOException {
        tick();
        if (dirs.containsKey(path)) {
            return Kind.DIRECTORY;
        }
        Dir d = dirs.get(path.getParent());
        return d != null && d.current.containsKey(name(path)) ? Kind.FILE : Kind.MISSING;
    }

    @Override
    public synchronized @Nullable Set<PosixFilePermission> permissions(Path file) throws IOException {
        tick();
        Dir d = dirs.get(file.getParent());
        Inode n = d == null ? null : d.current.get(name(file));
        return n == null ? null : n.permissions;
    }

    @Override
    public synchronized void setPermissions(Path file, Set<PosixFilePermission> permissions) throws IOException {
        tick();
        Inode n = dir(file).current.get(name(file));
        if (n == null) {
            throw new NoSuchFileException(file.toString());
        }
        n.permissions = Set.copyOf(permissions);
    }

    /** The model has no owners: a replaced file keeps nothing but its permissions. */
    @Override
    public @Nullable Owner owner(Path file) {
        return null;
    }

    @Override
    public void setOwner(Path file, @Nullable UserPrincipal owner, @Nullable GroupPrincipal group) {
        throw new UnsupportedOperationException("the model has no owners, and owner() said so");
    }

    @Override
    public synchronized LockFile openLock(Path file) throws IOException {
        tick();
        return new LockFile() {
            @Override
            public boolean tryLock() {
                tick();
                return true;
            }

            @Override
            public byte[] read() {
                tick();
                synchronized (SimFs.this) {
                    return lockRecord.clone();
                }
            }

            @Override
            public void write(byte[] record) {
                tick();
                synchronized (SimFs.this) {
                    lockRecord = record.clone();
                }
            }

            @Override
            public void close() {
                tick();
            }
        };
    }

    /** A file being written; its position only moves forward. */
    private final class SimFile implements WritableFile {
        private final Inode inode;
        private int position;
        private boolean closed;

        SimFile(Inode inode) {
            this.inode = inode;
        }

        @Override
        public int write(ByteBuffer source) throws IOException {
            synchronized (SimFs.this) {
                tick();
                if (closed) {
                    throw new java.nio.channels.ClosedChannelException();
                }
                int n = source.remaining();
                if (n == 0) {
                    return 0;
                }
                int end = position + n;
                if (end > inode.current.length) {
                    inode.current = Arrays.copyOf(inode.current, end);
                }
                source.get(inode.current, position, n);
                inode.dirty.set(position / SECTOR, (end - 1) / SECTOR + 1);
                position = end;
                return n;
            }
        }

        @Override
        public void sync() throws IOException {
            synchronized (SimFs.this) {
                tick();
                if (closed) {
                    throw new java.nio.channels.ClosedChannelException();
                }
                if (honourFileSync) {
                    inode.durable = inode.current.clone();
                    inode.dirty.clear();
                }
            }
        }

        @Override
        public void close() {
            synchronized (SimFs.this) {
                tick();
                closed = true;
            }
        }
    }
}
