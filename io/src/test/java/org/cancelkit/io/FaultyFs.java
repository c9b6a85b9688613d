package org.cancelkit.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.cancelkit.io.internal.FileOps;
import org.cancelkit.io.internal.RealFileOps;
import org.jspecify.annotations.Nullable;

/**
 * The real file system with a hook before every call: to count a replace's calls, fail call k, fail
 * every call from k on, or cancel at a chosen call or byte offset. Records the calls it saw.
 */
final class FaultyFs implements FileOps {

    /** Runs before a call; may throw to fail it. */
    @FunctionalInterface
    interface Hook {
        void before(int index, String op, @Nullable Path path) throws IOException;
    }

    private final FileOps delegate;
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private volatile Hook hook = (i, op, p) -> { };
    private long written;
    private long triggerAt = -1;
    private @Nullable Runnable trigger;

    FaultyFs() {
        this(RealFileOps.INSTANCE);
    }

    FaultyFs(FileOps delegate) {
        this.delegate = delegate;
    }

    FaultyFs hook(Hook h) {
        this.hook = h;
        return this;
    }

    /** Runs {@code action} once, on the writing thread, when the bytes written reach {@code offset}. */
    synchronized FaultyFs atByte(long offset, Runnable action) {
        this.triggerAt = offset;
        this.trigger = action;
        return this;
    }

    /** Fails call {@code k} (0-based) with {@code e}. */
    static Hook failAt(int k, IOException e) {
        return (i, op, p) -> {
            if (i == k) {
                throw e;
            }
        };
    }

    List<String> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    private void before(String op, @Nullable Path path) throws IOException {
        int index;
        synchronized (calls) {
            index = calls.size();
            calls.add(op);
        }
        hook.before(index, op, path);
    }

    @Override
    public WritableFile createNew(Path file, @Nullable Set<PosixFilePermission> permissions) throws IOException {
        before("createNew", file);
        WritableFile f = delegate.createNew(file, permissions);
        return new WritableFile() {
            @Override
            public int write(ByteBuffer source) throws IOException {
                before("write", file);
                Runnable fire = null;
                synchronized (FaultyFs.this) {
                    if (trigger != null && written + source.remaining() > triggerAt) {
                        if (written < triggerAt) {
                            ByteBuffer part = source.slice(source.position(), (int) (triggerAt - written));
                            int n = f.write(part);
                            source.position(source.position() + n);
                            written += n;
                            return n;
                        }
                        fire = trigger;
                        trigger = null;
                    }
                }
                if (fire != null) {
                    fire.run();
                }
                int n = f.write(source);
                synchronized (FaultyFs.this) {
                    written += n;
                }
                return n;
            }

            @Override
            public void sync() throws IOException {
                before("sync", file);
                f.sync();
            }

            @Override
            public void close() throws IOException {
                before("close", file);
                f.close();
            }
        };
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        before("rename", target);
        delegate.rename(source, target);
    }

    @Override
    public void syncDirectory(Path directory) throws IOException {
        before("syncDirectory", directory);
        delegate.syncDirectory(directory);
    }

    @Override
    public boolean deleteIfExists(Path file) throws IOException {
        before("deleteIfExists", file);
        return delegate.deleteIfExists(file);
    }

    @Override
    public List<String> list(Path directory) throws IOException {
        before("list", directory);
        return delegate.list(directory);
    }

    @Override
    public InputStream openRead(Path file) throws IOException {
        before("openRead", file);
        return delegate.openRead(file);
    }

    @Override
    public Kind kind(Path path) throws IOException {
        before("kind", path);
        return delegate.kind(path);
    }

    @Override
    public @Nullable Set<PosixFilePermission> permissions(Path file) throws IOException {
        before("permissions", file);
        return delegate.permissions(file);
    }

    @Override
    public void setPermissions(Path file, Set<PosixFilePermission> permissions) throws IOException {
        before("setPermissions", file);
        delegate.setPermissions(file, permissions);
    }

    @Override
    public @Nullable Owner owner(Path file) throws IOException {
        before("owner", file);
        return delegate.owner(file);
    }

    @Override
    public void setOwner(Path file, @Nullable UserPrincipal owner, @Nullable GroupPrincipal group)
            throws IOException {
        before("setOwner", file);
        delegate.setOwner(file, owner, group);
    }

    @Override
    public @Nullable LockFile openLock(Path file) throws IOException {
        before("openLock", file);
        return delegate.openLock(file);
    }
}
